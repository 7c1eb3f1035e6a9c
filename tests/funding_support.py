"""Helpers for the funding tests: a pay-in partner registered on the test gateway, signed
callbacks on the test clock, pay-in funded remittances and wallet balances."""

from __future__ import annotations

import json
import uuid
from typing import Any

import sqlalchemy as sa

from corridors.signing import signature_headers
from gateway.storage.tables_funding import payins
from tests.conftest import add_partner

BANK = "sim-payin-bank"
SECRET = "payin-test-secret"


async def add_payin_partner(gw, partner_id: str = BANK, base_url: str | None = None) -> None:
    await add_partner(
        gw.svc.engine, partner_id, base_url=base_url, secret=SECRET, now=gw.clock(), kinds="payin"
    )


async def callback(
    gw,
    reference: str,
    amount: str,
    *,
    payin_id: str | None = None,
    currency: str = "USD",
    method: str = "bank_transfer",
    event: str = "received",
    partner_id: str = BANK,
    secret: str = SECRET,
    skew_s: float = 0,
    body: dict | None = None,
):
    """POST a signed callback; returns (status, json)."""
    body = body or {
        "payin_id": payin_id or f"p-{uuid.uuid4().hex[:12]}",
        "method": method,
        "event": event,
        "reference": reference,
        "amount": amount,
        "currency": currency,
    }
    raw = json.dumps(body).encode()
    headers = {
        "Content-Type": "application/json",
        **signature_headers(secret.encode(), raw, gw.clock().timestamp() + skew_s),
    }
    resp = await gw.client.post(f"/v1/payins/callbacks/{partner_id}", data=raw, headers=headers)
    return resp.status, await resp.json()


async def send_by(gw, method: str = "bank_transfer", amount: str = "100.00", sender=None):
    """A remittance funded by `method`, driven to awaiting_funds; returns (remittance,
    payment instructions)."""
    sender = sender or await gw.customer()
    quote = await gw.quote(amount)
    body = {**gw.remittance_body(quote["id"], sender["id"]), "funding_method": method}
    resp = await gw.client.post(
        "/v1/remittances",
        json=body,
        headers={**gw.auth(), "Idempotency-Key": str(uuid.uuid4())},
    )
    assert resp.status == 201, await resp.text()
    rem = await resp.json()
    await gw.drain()
    resp = await gw.client.get(f"/v1/remittances/{rem['id']}/payin", headers=gw.auth())
    assert resp.status == 200, await resp.text()
    return await gw.get(rem["id"]), await resp.json()


async def available(gw, customer_id: str, currency: str = "USD") -> str:
    resp = await gw.client.get(f"/v1/customers/{customer_id}/wallet", headers=gw.auth())
    assert resp.status == 200, await resp.text()
    for bal in (await resp.json())["balances"]:
        if bal["currency"] == currency:
            return bal["available"]
    return "0.00"


async def payin_rows(gw) -> list[Any]:
    async with gw.svc.engine.connect() as conn:
        return list((await conn.execute(sa.select(payins).order_by(payins.c.id))).all())


def expire_bank_window(gw) -> None:
    """Move the test clock past the default bank-transfer window (two days)."""
    gw.clock.advance(days=2, minutes=5)

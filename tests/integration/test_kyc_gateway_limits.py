"""KYC tier limits at submission: concurrent submissions by one sender never exceed a limit
together (the sender's row lock serialises them; on SQLite the write lock does)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa

from gateway.storage.tables import remittances
from tests.kyc_gateway_support import default_logging  # noqa: F401


async def test_fifty_concurrent_submissions_never_exceed_the_daily_limit(gateway):
    sender = await gateway.customer()
    assert sender["tier"] == "phone_verified"
    per_day = Decimal(sender["limits"]["per_day_usd"])
    quotes = [await gateway.quote("100.00") for _ in range(50)]

    async def submit(quote):
        resp = await gateway.client.post(
            "/v1/remittances",
            json=gateway.remittance_body(quote["id"], sender["id"]),
            headers={**gateway.auth(), "Idempotency-Key": str(uuid.uuid4())},
        )
        return resp.status, await resp.json()

    answers = await asyncio.gather(*(submit(q) for q in quotes))
    accepted = [body for status, body in answers if status == 201]
    refused = [body for status, body in answers if status != 201]
    assert {status for status, _ in answers} <= {201, 422}
    assert all(body["type"].endswith("limit-exceeded") for body in refused)
    total = sum(Decimal(body["send_amount"]) for body in accepted)
    assert total <= per_day
    assert len(accepted) == int(per_day // Decimal("100.00"))  # the limit is reached exactly
    async with gateway.svc.engine.connect() as conn:
        stored = await conn.scalar(
            sa.select(sa.func.count()).where(remittances.c.sender_id == sender["id"])
        )
    assert stored == len(accepted)  # a refused submission left no row behind


async def test_the_day_and_30_day_totals_count_only_their_own_window(gateway):
    """Sent 31 days ago: in neither total; 2 days ago: in the 30-day total only; now: in both.
    The refusal names the totals each limit would reach, so a window that counts the wrong rows
    shows in the figures (phone_verified: 500 per transfer, 1000 a day, 3000 in 30 days)."""
    sender = await gateway.customer()
    assert sender["limits"] == {
        "per_transfer_usd": "500",
        "per_day_usd": "1000",
        "per_30d_usd": "3000",
    }

    async def submit(amount: str):
        quote = await gateway.quote(amount)
        resp = await gateway.client.post(
            "/v1/remittances",
            json=gateway.remittance_body(quote["id"], sender["id"]),
            headers={**gateway.auth(), "Idempotency-Key": str(uuid.uuid4())},
        )
        return resp.status, await resp.json()

    async def age(remittance_id: str, days: float) -> None:
        now = gateway.svc.now()
        async with gateway.svc.engine.begin() as conn:
            await conn.execute(
                sa.update(remittances)
                .where(remittances.c.id == remittance_id)
                .values(created_at=now - timedelta(days=days))
            )

    for days in (31, 31, 2, 2, 2, 2):
        status, body = await submit("500.00")
        assert status == 201, body
        await age(body["id"], days)
    for amount in ("400.00", "500.00"):  # today 900, in 30 days 2900
        status, body = await submit(amount)
        assert status == 201, body

    status, body = await submit("200.00")
    assert status == 422, body
    would_be = {b["limit"]: Decimal(b["would_be_usd"]) for b in body["limits"]}
    assert would_be == {"per_day": Decimal("1100.00"), "per_30d": Decimal("3100.00")}

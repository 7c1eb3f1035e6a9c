"""Every documented response of the sender's day against a real one (tests/api_schemas_support):
health, corridors, prices, quotes, customers (created, updated, exported, erased), the wallet,
a webhook endpoint and the ledger accounts an operator reads."""

from __future__ import annotations

import uuid

from ledger_adapter import chart
from tests.api_schemas_support import Recorder, check

SENDER = {
    "external_id": "u-1",
    "name": "Ana Reyes Cruz",
    "country": "US",
    "mobile_number": "+14155550100",
    "mobile_number_verified": True,
}


async def test_the_senders_day_answers_as_documented(gateway) -> None:
    doc = await (await gateway.client.get("/openapi.json")).json()
    rec = Recorder(gateway.client, doc, gateway.auth)
    await rec.call("GET", "/healthz", role=None)
    await rec.call("GET", "/readyz", role=None)
    await rec.call("GET", "/openapi.json", role=None)
    await rec.call("GET", "/metrics", role="operator")
    corridors = await rec.call("GET", "/v1/corridors")
    await rec.call("GET", f"/v1/corridors/{corridors['corridors'][0]['id']}/requirements")
    await rec.call("GET", "/v1/prices?send_currency=USD&receive_currency=PHP&send_amount=100.00")
    await rec.call("PUT", "/v1/customers", json=SENDER, status=201)
    sender = await rec.call("PUT", "/v1/customers", json=SENDER, status=200)
    await rec.call("GET", f"/v1/customers/{sender['id']}")
    await rec.call(
        "POST",
        f"/v1/customers/{sender['id']}/wallet/topups",
        role="operator",
        json={"amount": "1000.00", "currency": "USD"},
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )
    await rec.call("GET", f"/v1/customers/{sender['id']}/wallet")
    quote = await rec.call(
        "POST",
        "/v1/quotes",
        json={"send_currency": "USD", "receive_currency": "PHP", "send_amount": "100.00"},
    )
    await rec.call("GET", f"/v1/quotes/{quote['id']}")
    hook = str(gateway.client.make_url("/hooks/remit"))
    await rec.call("PUT", "/v1/webhooks", json={"url": hook})
    await rec.call("GET", "/v1/webhooks")
    await rec.call("GET", "/v1/ledger/accounts?prefix=wallet:", role="operator")
    await rec.call(
        "GET", f"/v1/ledger/accounts/{chart.wallet(sender['id'], 'USD')}", role="operator"
    )
    await rec.call(
        "GET", f"/v1/customers/{sender['id']}/export?reason=subject+request", role="operator"
    )
    await rec.call(
        "POST",
        f"/v1/customers/{sender['id']}/erasure",
        role="operator",
        json={"reason": "subject request #1"},
    )
    check(rec, "sender")

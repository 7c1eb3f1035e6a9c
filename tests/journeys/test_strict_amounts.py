"""Strict amounts (#20): more decimals than the currency has are refused wherever an amount
enters, zeros or not ("100." and 35 zeros was accepted while "100.001" was refused), and the
length of an amount is limited (MAX_AMOUNT_CHARS). Refused with the field named, nothing
written."""

from __future__ import annotations

import sqlalchemy as sa

from fx.money import MAX_AMOUNT_CHARS
from gateway.storage.tables import quotes

TOO_PRECISE = ["100." + "0" * 35, "100.000", "100.001", "100.0000000001", "1" + "0" * 40]


def _fields(problem: dict) -> list[str]:
    return [e["field"] for e in problem.get("errors", [])]


async def _count_quotes(gateway) -> int:
    async with gateway.svc.engine.connect() as conn:
        return await conn.scalar(sa.select(sa.func.count()).select_from(quotes))


async def test_quotes_and_prices_refuse_excess_decimals_zeros_or_not(gateway) -> None:
    for amount in TOO_PRECISE:
        for field in ("send_amount", "receive_amount"):
            body = {"send_currency": "USD", "receive_currency": "PHP", field: amount}
            resp = await gateway.client.post("/v1/quotes", json=body, headers=gateway.auth())
            assert resp.status == 422, (amount, await resp.text())
            assert _fields(await resp.json()) == [field], amount
        price = await gateway.client.get(
            "/v1/prices",
            params={"send_currency": "USD", "receive_currency": "PHP", "send_amount": amount},
            headers=gateway.auth(),
        )
        assert price.status == 422, (amount, await price.text())
    assert await _count_quotes(gateway) == 0
    assert (await gateway.quote("100.00"))["send_amount"] == "100.00"
    assert (await gateway.quote("100.5"))["send_amount"] == "100.50"


async def test_top_ups_refuse_excess_decimals_and_write_nothing(gateway) -> None:
    sender = await gateway.customer()
    for amount in TOO_PRECISE:
        resp = await gateway.client.post(
            f"/v1/customers/{sender['id']}/wallet/topups",
            json={"amount": amount, "currency": "USD"},
            headers={**gateway.auth("operator"), "Idempotency-Key": f"t-{amount[:30]}"},
        )
        assert resp.status == 422, (amount, await resp.text())
        assert _fields(await resp.json()) == ["amount"]
    wallet = await gateway.client.get(
        f"/v1/customers/{sender['id']}/wallet", headers=gateway.auth()
    )
    balances = (await wallet.json())["balances"]
    assert all(b["available"] in ("0", "0.00") for b in balances)
    await gateway.top_up(sender["id"], "12.30")


async def test_the_length_limit_is_published(gateway) -> None:
    spec = await (await gateway.client.get("/openapi.json")).json()
    quote = spec["components"]["schemas"]["QuoteRequest"]["properties"]["send_amount"]
    lengths = [s.get("maxLength") for s in quote.get("anyOf", [quote])]
    assert MAX_AMOUNT_CHARS in lengths

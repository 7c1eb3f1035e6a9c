"""One remittance end to end through the HTTP API, the pipeline and the partner simulator."""

import asyncio
import uuid

import sqlalchemy as sa

from gateway.storage.tables import remittance_history, remittances


async def test_remittance_reaches_paid_out(gateway) -> None:
    sender = await gateway.customer()
    await gateway.top_up(sender["id"], "500.00")
    created = await gateway.send("100.00", sender=sender)
    assert created["status"] == "created"
    await gateway.drain()
    final = await gateway.get(created["id"])
    assert final["status"] == "paid_out"
    path = [h["to"] for h in final["history"]]
    assert path == [
        "created",
        "screening",
        "quoted",
        "awaiting_funds",
        "funded",
        "converted",
        "in_transit",
        "payout_pending",
        "paid_out",
    ]
    assert final["partner_reference"]
    # The simulator paid exactly once, the amount we promised.
    sim = await (await gateway.sim.get("/_sim/payouts")).json()
    assert sim["total_payments"] == 1
    payout = sim["payouts"][created["id"]]
    assert payout["amount"] == final["receive_amount"]
    # The wallet was debited by exactly the send amount.
    wallet = await (
        await gateway.client.get(f"/v1/customers/{sender['id']}/wallet", headers=gateway.auth())
    ).json()
    assert wallet["balances"][0]["available"] == "400.00"
    assert await gateway.ledger_findings() == []


async def test_insufficient_wallet_waits_then_expires(gateway) -> None:
    sender = await gateway.customer()
    created = await gateway.send("100.00", sender=sender)  # no top-up
    await gateway.drain()
    assert (await gateway.get(created["id"]))["status"] == "awaiting_funds"
    gateway.clock.advance(minutes=10)
    await gateway.drain()
    final = await gateway.get(created["id"])
    assert final["status"] == "expired"


async def test_late_top_up_funds_before_expiry(gateway) -> None:
    sender = await gateway.customer()
    created = await gateway.send("100.00", sender=sender)
    await gateway.drain()
    await gateway.top_up(sender["id"], "150.00")
    gateway.clock.advance(seconds=5)  # past the wallet retry delay, before the quote expires
    await gateway.drain()
    assert (await gateway.get(created["id"]))["status"] == "paid_out"


async def test_idempotent_replay_returns_first_result(gateway) -> None:
    sender = await gateway.customer()
    await gateway.top_up(sender["id"])
    quote = await gateway.quote()
    body = gateway.remittance_body(quote["id"], sender["id"])
    headers = {**gateway.auth(), "Idempotency-Key": "same-key"}
    first = await gateway.client.post("/v1/remittances", json=body, headers=headers)
    again = await gateway.client.post("/v1/remittances", json=body, headers=headers)
    assert first.status == again.status == 201
    assert (await first.json()) == (await again.json())
    assert again.headers.get("Idempotent-Replayed") == "true"
    other = dict(body, recipient={"name": "Someone Else", "phone": "+639171234568"})
    clash = await gateway.client.post("/v1/remittances", json=other, headers=headers)
    assert clash.status == 409
    assert clash.content_type == "application/problem+json"
    async with gateway.svc.engine.connect() as conn:
        assert await conn.scalar(sa.select(sa.func.count()).select_from(remittances)) == 1


async def test_idempotency_keys_are_scoped_to_the_caller(gateway) -> None:
    """Another caller using the same key string gets its own result, never ours."""
    from gateway.storage.keys import create_key

    async with gateway.svc.engine.begin() as conn:
        other_key, _ = await create_key(conn, "other-app", "sender-app", None, gateway.clock())
    sender = await gateway.customer()
    quote = await gateway.quote()
    body = gateway.remittance_body(quote["id"], sender["id"])
    mine = await gateway.client.post(
        "/v1/remittances", json=body, headers={**gateway.auth(), "Idempotency-Key": "k1"}
    )
    assert mine.status == 201
    theirs = await gateway.client.post(
        "/v1/remittances",
        json=body,
        headers={"Authorization": f"Bearer {other_key}", "Idempotency-Key": "k1"},
    )
    # Same key and body from another caller: no replay of ours (to them our quote and our
    # sender are unknown).
    assert theirs.status == 422
    assert "Idempotent-Replayed" not in theirs.headers
    problem = await theirs.json()
    assert {e["field"]: e["message"] for e in problem["errors"]} == {
        "quote_id": "unknown quote",
        "sender_id": "unknown sender",
    }


async def test_concurrent_duplicates_create_one_remittance(gateway) -> None:
    sender = await gateway.customer()
    await gateway.top_up(sender["id"])
    quote = await gateway.quote()
    body = gateway.remittance_body(quote["id"], sender["id"])
    headers = {**gateway.auth(), "Idempotency-Key": str(uuid.uuid4())}
    responses = await asyncio.gather(
        *(gateway.client.post("/v1/remittances", json=body, headers=headers) for _ in range(12))
    )
    bodies = [await r.json() for r in responses]
    assert {r.status for r in responses} == {201}
    assert len({b["id"] for b in bodies}) == 1
    async with gateway.svc.engine.connect() as conn:
        assert await conn.scalar(sa.select(sa.func.count()).select_from(remittances)) == 1
        history = await conn.scalar(sa.select(sa.func.count()).select_from(remittance_history))
        assert history == 1
    await gateway.drain()
    assert (await gateway.get(bodies[0]["id"]))["status"] == "paid_out"


async def test_a_quote_locks_to_one_remittance(gateway) -> None:
    sender = await gateway.customer()
    quote = await gateway.quote()
    body = gateway.remittance_body(quote["id"], sender["id"])
    first = await gateway.client.post(
        "/v1/remittances", json=body, headers={**gateway.auth(), "Idempotency-Key": "a"}
    )
    second = await gateway.client.post(
        "/v1/remittances", json=body, headers={**gateway.auth(), "Idempotency-Key": "b"}
    )
    assert first.status == 201
    assert second.status == 409


async def test_expired_quote_cannot_be_used(gateway) -> None:
    sender = await gateway.customer()
    quote = await gateway.quote()
    gateway.clock.advance(minutes=5)
    resp = await gateway.client.post(
        "/v1/remittances",
        json=gateway.remittance_body(quote["id"], sender["id"]),
        headers={**gateway.auth(), "Idempotency-Key": "late"},
    )
    assert resp.status == 422
    assert (await resp.json())["errors"][0]["field"] == "quote_id"


async def test_cancel_before_money_moves_but_not_after(gateway) -> None:
    sender = await gateway.customer()
    created = await gateway.send("50.00", sender=sender)
    resp = await gateway.client.post(
        f"/v1/remittances/{created['id']}/cancel", headers=gateway.auth()
    )
    assert resp.status == 200
    assert (await resp.json())["status"] == "cancelled"
    await gateway.top_up(sender["id"])
    paid = await gateway.send("50.00", sender=sender)
    await gateway.drain()
    resp = await gateway.client.post(f"/v1/remittances/{paid['id']}/cancel", headers=gateway.auth())
    assert resp.status == 409


async def test_sanctioned_sender_is_held_with_a_case(gateway) -> None:
    from gateway.storage.tables import compliance_cases

    sender = await gateway.customer(external_id="bad", name="Vladimir Vladimirovich Putin")
    await gateway.top_up(sender["id"])
    created = await gateway.send("100.00", sender=sender)
    await gateway.drain()
    final = await gateway.get(created["id"])
    assert final["status"] == "on_hold"
    async with gateway.svc.engine.connect() as conn:
        case = (await conn.execute(sa.select(compliance_cases))).one()
    assert case.remittance_id == created["id"]
    assert case.evidence["sanctions"][0]["party"] == "sender"
    # Nothing moved: the wallet is untouched and the simulator saw nothing.
    sim = await (await gateway.sim.get("/_sim/payouts")).json()
    assert sim["total_payments"] == 0


async def test_empty_list_fails_closed(gateway) -> None:
    from compliance.sanctions import Screener

    gateway.svc.screening.current = Screener.empty()
    sender = await gateway.customer()
    await gateway.top_up(sender["id"])
    created = await gateway.send("100.00", sender=sender)
    await gateway.drain()
    assert (await gateway.get(created["id"]))["status"] == "on_hold"


async def test_kyc_limit_refused_at_submission(gateway) -> None:
    sender = await gateway.customer()
    await gateway.top_up(sender["id"], "5000.00")
    quote = await gateway.quote("600.00")  # phone_verified tier: 500 USD per transfer
    resp = await gateway.client.post(
        "/v1/remittances",
        json=gateway.remittance_body(quote["id"], sender["id"]),
        headers={**gateway.auth(), "Idempotency-Key": "big"},
    )
    assert resp.status == 422
    problem = await resp.json()
    assert problem["type"].endswith("/limit-exceeded")
    async with gateway.svc.engine.connect() as conn:
        assert await conn.scalar(sa.select(sa.func.count()).select_from(remittances)) == 0


async def test_locked_quote_is_honoured_and_the_market_move_is_booked(gateway) -> None:
    """The market moves 2% against us after the quote: the recipient still gets the promised
    amount, and the difference lands in FX gain/loss, the spread in fee revenue."""
    from decimal import Decimal

    from fx.rates import Rate
    from ledger_adapter import chart

    sender = await gateway.customer()
    await gateway.top_up(sender["id"], "200.00")
    created = await gateway.send("100.00", sender=sender)
    real = gateway.svc.rates

    class MovedMarket:
        name = "moved"

        async def rate(self, base: str, quote: str) -> Rate:
            r = await real.rate(base, quote)
            return Rate(r.base, r.quote, r.value * Decimal("1.02"), "moved", r.as_of)

    gateway.svc.rates = MovedMarket()
    await gateway.drain()
    final = await gateway.get(created["id"])
    assert final["status"] == "paid_out"
    assert final["receive_amount"] == created["receive_amount"]
    balances = await gateway.svc.ledger.balances()
    pnl = balances[chart.fx_pnl("USD")][1]
    spread = balances[chart.fees("USD")][1].credit_balance - int(Decimal(final["fee"]) * 100)
    owed = balances[chart.partner("sim-ph-wallet", "USD")][1].credit_balance
    # The partner is owed what the promised PHP costs at today's rate; we kept the rest.
    assert pnl.credit_balance > 0  # PHP got cheaper: a gain on the locked quote
    assert spread > 0
    principal = 10000 - int(Decimal(final["fee"]) * 100)
    assert owed + spread + pnl.credit_balance == principal
    promised = Decimal(final["receive_amount"])
    mid_now = (await gateway.svc.rates.rate("USD", "PHP")).value
    assert abs(Decimal(owed) / 100 - promised / mid_now) <= Decimal("0.02")


async def _register_partner(gateway, partner_id: str) -> None:
    from tests.conftest import SIM_SECRET, add_partner

    base_url = str(gateway.sim.make_url("")).rstrip("/")
    await add_partner(
        gateway.svc.engine, partner_id, base_url=base_url, secret=SIM_SECRET, now=gateway.clock()
    )


async def _example_recipient(gateway, corridor_id: str) -> dict:
    resp = await gateway.client.get(
        f"/v1/corridors/{corridor_id}/requirements", headers=gateway.auth()
    )
    assert resp.status == 200
    fields = (await resp.json())["fields"]
    recipient = {f["key"]: f["example"] for f in fields if f.get("required") and "example" in f}
    recipient["name"] = "Marie Dupont"
    return recipient


async def test_gbp_sender_settles_through_usdc_and_is_paid_in_eur(gateway) -> None:
    """GB->EU settles in USDC: the GBP principal is exchanged into USD before minting, and the
    books balance per asset with supply equal to reserve."""
    from decimal import Decimal

    from ledger_adapter import chart

    await _register_partner(gateway, "sim-eu-sepa")
    sender = await gateway.customer(external_id="gb-1", country="GB")
    await gateway.top_up(sender["id"], "300.00", "GBP")
    quote = await gateway.quote("100.00", send_currency="GBP", receive_currency="EUR")
    resp = await gateway.client.post(
        "/v1/remittances",
        json={
            "quote_id": quote["id"],
            "sender_id": sender["id"],
            "recipient": await _example_recipient(gateway, quote["corridor_id"]),
        },
        headers={**gateway.auth(), "Idempotency-Key": "gbp-1"},
    )
    assert resp.status == 201, await resp.text()
    created = await resp.json()
    await gateway.drain()
    final = await gateway.get(created["id"])
    assert final["status"] == "paid_out", final["history"][-1]
    balances = await gateway.svc.ledger.balances()
    owed = balances[chart.partner("sim-eu-sepa", "USD")][1].credit_balance
    sold = balances[chart.fx_position("GBP")][1].credit_balance
    assert sold == 10000 - int(Decimal(final["fee"]) * 100)  # the GBP principal, in pence
    assert owed > sold  # a pound buys more than a dollar
    assert await gateway.ledger_findings() == []

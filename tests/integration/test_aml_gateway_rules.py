"""AML rules through the pipeline: velocity and high-risk jurisdictions hold with a case,
a travel-rule reject rejects; the evidence keeps the shape the console renders."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy import event

from compliance.aml import rules_from_config
from gateway.pipeline.aml_facts import gather_facts
from gateway.storage.tables import customers, remittances
from tests.kyc_gateway_support import default_logging  # noqa: F401
from tests.rescreening_support import cases_of


async def case_of(gateway, remittance_id):
    [case] = await cases_of(gateway, remittance_id)
    return case


async def test_velocity_holds_the_sixth_transfer_in_a_day(gateway):
    sender = await gateway.customer()
    sent = []
    for _ in range(6):
        sent.append(await gateway.send("20.00", sender=sender))
        await gateway.drain()
    statuses = [(await gateway.get(r["id"]))["status"] for r in sent]
    assert "on_hold" not in statuses[:5] and statuses[5] == "on_hold"
    case = await case_of(gateway, sent[5]["id"])
    flags = {f["rule"] for f in case.evidence["aml"]["flags"]}
    assert "velocity_24h" in flags and case.status == "open"
    assert case.evidence["sanctions"] == [] and case.evidence["reasons"]


async def test_sender_tied_to_a_high_risk_country_is_held(gateway):
    # A US resident (the only senders the US corridors take) whose passport Iran issued.
    sender = await gateway.customer(external_id="ir-1", id_type="passport", id_country_code="IRN")
    rem = await gateway.send("50.00", sender=sender)
    await gateway.drain()
    assert (await gateway.get(rem["id"]))["status"] == "on_hold"
    case = await case_of(gateway, rem["id"])
    assert "fatf_call_for_action" in {f["rule"] for f in case.evidence["aml"]["flags"]}


async def test_travel_rule_reject_rejects_with_a_closed_case(gateway):
    # A stricter travel rule than the shipped one: from USD 100 the originator's address.
    gateway.svc.aml_rules = rules_from_config(
        {
            "rules": [
                {
                    "kind": "travel_rule",
                    "risk": 100,
                    "action": "reject",
                    "tiers": [{"amount": {"USD": "100"}, "originator": ["name", "address"]}],
                }
            ]
        }
    )
    sender = await gateway.customer()
    small = await gateway.send("50.00", sender=sender)
    large = await gateway.send("150.00", sender=sender)
    await gateway.drain()
    assert (await gateway.get(small["id"]))["status"] != "rejected"
    assert (await gateway.get(large["id"]))["status"] == "rejected"
    case = await case_of(gateway, large["id"])
    assert case.status == "closed" and case.evidence["aml"]["outcome"] == "reject"


async def test_facts_read_histories_inside_the_window_and_new_recipients_over_all_time(gateway):
    """The facts the rules see: the sender's and the recipient's other transfers inside the
    rules' window, and whether this sender ever sent to this recipient (all time)."""
    svc = gateway.svc
    jose = {"name": "Jose Rizal", "phone": "+639171234568"}

    async def send(sender, amount: str, **recipient) -> str:
        quote = await gateway.quote(amount)
        resp = await gateway.client.post(
            "/v1/remittances",
            json=gateway.remittance_body(quote["id"], sender["id"], **recipient),
            headers={**gateway.auth(), "Idempotency-Key": f"aml-facts-{amount}"},
        )
        assert resp.status == 201, await resp.text()
        return (await resp.json())["id"]

    async def rows(remittance_id: str):
        async with svc.engine.connect() as conn:
            rem = (
                await conn.execute(sa.select(remittances).where(remittances.c.id == remittance_id))
            ).one()
            sender = (
                await conn.execute(sa.select(customers).where(customers.c.id == rem.sender_id))
            ).one()
        return rem, sender

    async def facts_of(rem, sender):
        return await gather_facts(svc, rem, sender, {}, svc.corridors[rem.corridor_id], svc.now())

    async def facts(remittance_id: str):
        return await facts_of(*await rows(remittance_id))

    def amounts(history) -> list[Decimal]:
        return sorted(p.amount_usd for p in history)

    ana = await gateway.customer("u-ana", "Ana Reyes Cruz")
    ben = await gateway.customer("u-ben", "Ben Santos")
    old = await send(ana, "10.00")  # to Maria, then moved out of the window
    await send(ana, "20.00")  # to Maria
    await send(ana, "30.00", **jose)
    await send(ben, "40.00")  # to Maria
    to_maria = await send(ana, "50.00")
    to_jose = await send(ben, "60.00", **jose)
    async with svc.engine.begin() as conn:
        moved = svc.now() - svc.aml_rules.history_window() - timedelta(days=1)
        await conn.execute(
            sa.update(remittances).where(remittances.c.id == old).values(created_at=moved)
        )

    ana_to_maria = await facts(to_maria)
    assert amounts(ana_to_maria.sender_history) == [Decimal("20.00"), Decimal("30.00")]
    assert amounts(ana_to_maria.recipient_history) == [Decimal("20.00"), Decimal("40.00")]
    assert ana_to_maria.recipient_is_new is False

    ben_to_jose = await facts(to_jose)
    assert amounts(ben_to_jose.sender_history) == [Decimal("40.00")]
    assert amounts(ben_to_jose.recipient_history) == [Decimal("30.00")]
    assert ben_to_jose.recipient_is_new is True

    # Screened in one loop turn: each gets its own history, from one statement on PostgreSQL.
    both = [await rows(to_maria), await rows(to_jose)]
    statements: list[str] = []

    def count(conn, cursor, statement, *args) -> None:
        if "FROM remittances" in statement and "UNION ALL" in statement:
            statements.append(statement)

    event.listen(svc.engine.sync_engine, "before_cursor_execute", count)
    try:
        together = await asyncio.gather(*(facts_of(*pair) for pair in both))
    finally:
        event.remove(svc.engine.sync_engine, "before_cursor_execute", count)
    assert together == [ana_to_maria, ben_to_jose]
    assert len(statements) == (1 if svc.engine.dialect.name == "postgresql" else 2)

    # Only the transfer outside the window links Ana to Maria: she is still no new recipient.
    async with svc.engine.begin() as conn:
        await conn.execute(
            sa.update(remittances)
            .where(remittances.c.sender_id == ana["id"], remittances.c.id.not_in([old, to_maria]))
            .values(sender_id=ben["id"])
        )
    only_old = await facts(to_maria)
    assert amounts(only_old.sender_history) == []
    assert only_old.recipient_is_new is False

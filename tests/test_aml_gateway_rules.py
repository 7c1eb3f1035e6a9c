"""AML rules through the pipeline: velocity and high-risk jurisdictions hold with a case,
a travel-rule reject rejects; the evidence keeps the shape the console renders."""

from __future__ import annotations

import sqlalchemy as sa
from kyc_gateway_support import default_logging  # noqa: F401

from compliance.aml import rules_from_config
from gateway.storage.tables import compliance_cases


async def case_of(gateway, remittance_id):
    async with gateway.svc.engine.connect() as conn:
        query = sa.select(compliance_cases).where(compliance_cases.c.remittance_id == remittance_id)
        return (await conn.execute(query)).one()


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
    sender = await gateway.customer(external_id="ir-1", country="IR", phone="+989121234567")
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

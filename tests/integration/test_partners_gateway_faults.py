"""Payouts against a faulty partner: errors, timeouts with a short hang, 5xx after recording,
permanent failures, duplicate callbacks arriving before our own answer. Whatever happens, no
payout is made twice (counted at the simulator per idempotency key), every remittance ends
paid_out or refunded, and the ledger balances (checked by the gateway fixture)."""

from decimal import Decimal

import aiohttp
import pytest

from corridors.fake import InMemoryPayoutPartner
from corridors.simulator import Faults
from tests.partners_support import (
    PARTNER,
    balance,
    faulty_sim,
    send_distinct,
    settle_all,
    sim_payouts,
)

# The same faults against each protocol a push partner can speak (our JSON, ISO 20022, a
# Mojaloop switch).
protocols = pytest.mark.parametrize("protocol", ["remit", "iso20022", "mojaloop"])


@pytest.fixture
async def session():
    async with aiohttp.ClientSession() as s:
        yield s


async def _senders_with_remittances(gateway, count: int, amount: str = "50.00"):
    ids, senders = [], []
    for i in range(count):
        sender = await gateway.customer(external_id=f"f-{i}")
        await gateway.top_up(sender["id"], "100.00")
        ids.append((await send_distinct(gateway, sender, i, amount))["id"])
        senders.append(sender["id"])
    return ids, senders


@protocols
async def test_faulty_partner_never_pays_twice(gateway, aiohttp_client, session, protocol) -> None:
    faults = Faults(
        seed=11,
        error_rate=0.25,
        timeout_rate=0.2,
        hang_ms=400,
        late_error_rate=0.2,
        fail_rate=0.2,
        duplicate_callback_rate=0.5,
    )
    sim = await faulty_sim(gateway, aiohttp_client, session, faults, protocol)
    ids, senders = await _senders_with_remittances(gateway, 12)
    states = await settle_all(gateway, ids)

    seen = await sim_payouts(sim)
    paid = [i for i in ids if states[i]["status"] == "paid_out"]
    refunded = [i for i in ids if states[i]["status"] == "refunded"]
    assert paid and refunded, "the seed should produce both outcomes"
    assert all(p["payments"] <= 1 for p in seen["payouts"].values())
    assert {p["protocol"] for p in seen["payouts"].values()} == {protocol}
    assert seen["total_payments"] == len(paid)
    for i in paid:
        assert seen["payouts"][i]["payments"] == 1
        assert seen["payouts"][i]["amount"] == states[i]["receive_amount"]
        assert states[i]["partner_reference"] == seen["payouts"][i]["partner_reference"]
    for i in refunded:
        assert seen["payouts"].get(i, {}).get("payments", 0) == 0
        assert states[i]["failure_reason"]
    # Senders of refunded remittances have their whole top-up back; the others paid 50.00.
    for i, sender in zip(ids, senders, strict=True):
        expected = Decimal("100.00") if i in refunded else Decimal("50.00")
        assert Decimal(await balance(gateway, sender)) == expected
    assert await gateway.ledger_findings() == []


@protocols
async def test_timeout_is_unknown_until_the_inquiry(
    gateway, aiohttp_client, session, protocol
) -> None:
    faults = Faults(seed=1, timeout_rate=1.0, hang_ms=400)
    sim = await faulty_sim(gateway, aiohttp_client, session, faults, protocol)
    ids, _ = await _senders_with_remittances(gateway, 1)
    final = (await settle_all(gateway, ids))[ids[0]]
    # Every send timed out after the partner recorded (and paid) it: unknown, then the
    # inquiry found it paid. Retried under the same key, paid once.
    assert final["status"] == "paid_out"
    assert [h["to"] for h in final["history"]][-3:] == ["in_transit", "payout_unknown", "paid_out"]
    seen = await sim_payouts(sim)
    assert seen["payouts"][ids[0]]["requests"] >= 2
    assert (await sim_payouts(sim))["total_payments"] == 1


@protocols
async def test_permanent_failure_is_refunded(gateway, aiohttp_client, session, protocol) -> None:
    faults = Faults(seed=2, fail_rate=1.0)
    sim = await faulty_sim(gateway, aiohttp_client, session, faults, protocol)
    ids, senders = await _senders_with_remittances(gateway, 1)
    final = (await settle_all(gateway, ids))[ids[0]]
    assert [h["to"] for h in final["history"]][-2:] == ["failed", "refunded"]
    assert final["failure_reason"] in (
        "ACCOUNT_CLOSED",
        "INVALID_ACCOUNT",
        "RECIPIENT_LIMIT_EXCEEDED",
    )
    assert await balance(gateway, senders[0]) == "100.00"
    assert (await sim_payouts(sim))["total_payments"] == 0


async def test_never_received_is_sent_again_under_the_same_key(gateway) -> None:
    fake = InMemoryPayoutPartner(PARTNER)
    fake.script("error")  # nothing recorded, answer unknown
    gateway.svc.partners.install(PARTNER, fake)
    ids, _ = await _senders_with_remittances(gateway, 1)
    final = (await settle_all(gateway, ids))[ids[0]]
    path = [h["to"] for h in final["history"]]
    assert path[-5:] == ["in_transit", "payout_unknown", "in_transit", "payout_pending", "paid_out"]
    assert fake.payments == {ids[0]: 1} and fake.sends == 2


async def test_open_circuit_sends_nothing_and_retries_later(gateway) -> None:
    fake = InMemoryPayoutPartner(PARTNER)
    fake.script("unavailable", "unavailable")
    gateway.svc.partners.install(PARTNER, fake)
    ids, _ = await _senders_with_remittances(gateway, 1)
    await gateway.drain()
    state = await gateway.get(ids[0])
    assert state["status"] == "in_transit" and fake.payouts == {}
    final = (await settle_all(gateway, ids))[ids[0]]
    assert final["status"] == "paid_out" and fake.payments == {ids[0]: 1}

"""The in-memory fake partner keeps the simulator's promises."""

import pytest

from corridors.breaker import PartnerUnavailable
from corridors.fake import InMemoryPayoutPartner
from corridors.payout import NOT_FOUND, PayoutAdapter, PayoutInstruction, PayoutResult


def ins(amount: str = "10.00") -> PayoutInstruction:
    return PayoutInstruction("po-1", "rm-1", amount, "PHP", {"name": "Ana"}, "US-PH-WALLET")


async def test_timeout_pays_once_and_inquiry_settles():
    fake: PayoutAdapter = InMemoryPayoutPartner()
    fake.script("timeout", "timeout")
    assert await fake.send(ins()) == PayoutResult("unknown", reason="timeout")
    assert await fake.send(ins()) == PayoutResult("unknown", reason="timeout")
    assert (await fake.inquire("po-1")).status == "paid"
    assert fake.payments == {"po-1": 1}


async def test_scripted_outcomes():
    fake = InMemoryPayoutPartner()
    assert await fake.inquire("po-1") == PayoutResult("unknown", reason=NOT_FOUND)
    fake.script("unavailable", "error", "failed:ACCOUNT_CLOSED")
    with pytest.raises(PartnerUnavailable):
        await fake.send(ins())
    assert (await fake.send(ins())).status == "unknown"
    assert fake.payouts == {}
    result = await fake.send(ins())
    assert (result.status, result.reason) == ("failed", "ACCOUNT_CLOSED")
    assert (await fake.send(ins("11.00"))).reason == "idempotency_conflict"
    assert fake.payments == {}


async def test_accepted_then_settled():
    fake = InMemoryPayoutPartner()
    fake.script("accepted")
    assert (await fake.send(ins())).status == "accepted"
    fake.settle("po-1")
    fake.settle("po-1")
    assert (await fake.inquire("po-1")).status == "paid"
    assert fake.payments == {"po-1": 1}

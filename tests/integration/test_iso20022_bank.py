"""The ISO 20022 bank adapter against the simulator's bank mode: dedup by UETR, status requests,
faults (the messages themselves: tests/unit/test_iso20022.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import aiohttp
import pytest

from corridors import iso20022 as iso
from corridors.iso20022_partner import Iso20022PayoutPartner
from corridors.payout import NOT_FOUND
from corridors.signing import signature_headers
from corridors.simulator import FAIL_REASONS, Faults, create_simulator_app
from tests.partners_support import quick_adapter
from tests.unit.test_iso20022 import (
    NOW,
    PID,
    SECRET,
    SEPA,
    TRAVEL,
    instruction,
    text,
)


@pytest.fixture
async def bank(aiohttp_client):
    async def make(faults: Faults | None = None):
        sim = await aiohttp_client(create_simulator_app(faults or Faults(seed=3), SECRET))
        session = aiohttp.ClientSession()
        options = {"timeout_s": 0.3, "max_attempts": 2, "payout_method": "sepa"}
        url = str(sim.make_url(""))
        adapter = quick_adapter(Iso20022PayoutPartner, url, "bank", SECRET, session, **options)
        made.append(session)
        return sim, adapter

    made: list[aiohttp.ClientSession] = []
    yield make
    for session in made:
        await session.close()


async def test_adapter_pays_once_and_inquires_by_pacs028(bank) -> None:
    sim, adapter = await bank()
    assert (await adapter.inquire(PID)).reason == NOT_FOUND  # never sent: safe to send
    first = await adapter.send(instruction(SEPA, travel=TRAVEL))
    assert first.status == "paid" and first.partner_reference.startswith("SIM-")
    again = await adapter.send(instruction(SEPA, travel=TRAVEL))  # new MsgId, same UETR
    assert again == first
    assert await adapter.inquire(PID) == first
    seen = (await (await sim.get("/_sim/payouts")).json())["payouts"][PID]
    assert seen["payments"] == 1 and seen["requests"] == 2
    # the same payout id with another transaction (amount) is refused, not paid
    other = await adapter.send(instruction(SEPA, travel=TRAVEL, amount="1.00"))
    assert (other.status, other.reason) == ("unknown", "idempotency_conflict")
    assert (await (await sim.get("/_sim/payouts")).json())["total_payments"] == 1


async def test_rejection_carries_the_iso_reason(bank) -> None:
    _, adapter = await bank(Faults(seed=4, fail_rate=1.0))
    result = await adapter.send(instruction(SEPA))
    assert result.status == "failed" and result.reason in FAIL_REASONS


async def test_timeout_after_recording_is_unknown_then_paid_on_inquiry(bank) -> None:
    sim, adapter = await bank(Faults(seed=5, timeout_rate=1.0, hang_ms=2000))
    result = await adapter.send(instruction(SEPA))
    assert (result.status, result.reason) == ("unknown", "timeout")
    assert (await adapter.inquire(PID)).status == "paid"
    assert (await (await sim.get("/_sim/payouts")).json())["total_payments"] == 1


async def test_bank_refuses_invalid_and_unsigned_messages(bank) -> None:
    sim, _ = await bank()
    good = iso.pacs008(instruction(SEPA), msg_id="M1", created=NOW, charge_bearer="SLEV")
    bad = good.replace(b"<ChrgBr>SLEV</ChrgBr>", b"<ChrgBr>ALL</ChrgBr>")
    now = datetime.now(UTC).timestamp()
    headers = {"Content-Type": "application/xml", **signature_headers(SECRET, bad, now)}
    resp = await sim.post("/iso20022/pacs.008", data=bad, headers=headers)
    assert resp.status == 400
    _, rejection = iso.parse(await resp.read(), (iso.PACS002,))
    assert text(rejection, "//d:GrpSts/text()", iso.PACS002) == ["RJCT"]
    wrong = {"Content-Type": "application/xml", **signature_headers(b"other", good, now)}
    assert (await sim.post("/iso20022/pacs.008", data=good, headers=wrong)).status == 401
    assert (await (await sim.get("/_sim/payouts")).json())["payouts"] == {}

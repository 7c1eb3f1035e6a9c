"""Never pay twice, never lose a payout: many payouts through a faulty simulator, settled the way
the gateway must (unknown -> inquire -> resend the same instruction only when not found)."""

from __future__ import annotations

import asyncio

import aiohttp
from aiohttp.test_utils import TestServer

from corridors.payout import NOT_FOUND, HttpPayoutPartner, PayoutInstruction
from corridors.simulator import Faults, create_simulator_app, run_simulator
from tests.partners_support import quick_adapter
from tests.unit.test_corridors_offline_checks import instruction

SECRET = b"soak"


async def settle(client: HttpPayoutPartner, ins: PayoutInstruction) -> str:
    """What the pipeline does: send; while unknown, inquire; resend only on not_found."""
    result = await client.send(ins)
    for _ in range(50):
        if result.status in ("paid", "failed"):
            return result.status
        result = await client.inquire(ins.payout_id)
        if result.status == "unknown" and result.reason == NOT_FOUND:
            result = await client.send(ins)
    return result.status


async def test_faulty_partner_pays_each_payout_at_most_once_and_loses_none():
    faults = Faults(
        error_rate=0.3,
        late_error_rate=0.2,
        timeout_rate=0.2,
        fail_rate=0.1,
        seed=42,
        hang_ms=2_000,
    )
    server = TestServer(create_simulator_app(faults, SECRET), host="127.0.0.1")
    await server.start_server()
    try:
        async with aiohttp.ClientSession() as session:
            url = str(server.make_url(""))
            options = {"timeout_s": 0.1, "max_attempts": 3}
            client = quick_adapter(HttpPayoutPartner, url, "sim", SECRET, session, **options)
            client.breaker.failure_threshold = 10_000  # this test is about idempotency
            instructions = [instruction(n) for n in range(40)]
            outcomes = await asyncio.gather(*(settle(client, i) for i in instructions))
            async with session.get(server.make_url("/_sim/payouts")) as response:
                books = (await response.json())["payouts"]
    finally:
        await server.close()
    assert set(books) == {i.payout_id for i in instructions}  # none lost
    for ins, outcome in zip(instructions, outcomes, strict=True):
        record = books[ins.payout_id]
        assert outcome == record["status"]
        assert record["payments"] == (1 if outcome == "paid" else 0)  # never twice
    assert "paid" in outcomes and "failed" in outcomes
    assert any(r["requests"] > 1 for r in books.values())  # faults really hit


async def test_concurrent_resends_with_one_key_pay_once():
    server = TestServer(create_simulator_app(Faults(latency_ms=5), SECRET), host="127.0.0.1")
    await server.start_server()
    try:
        async with aiohttp.ClientSession() as session:
            client = HttpPayoutPartner(str(server.make_url("")), "sim", SECRET, session)
            results = await asyncio.gather(*(client.send(instruction(1)) for _ in range(10)))
            async with session.get(server.make_url("/_sim/payouts")) as response:
                books = await response.json()
    finally:
        await server.close()
    assert len(set(results)) == 1 and results[0].status == "paid"
    assert books["payouts"]["po-1"] == {**books["payouts"]["po-1"], "payments": 1, "requests": 10}


async def test_run_simulator_serves_until_cancelled(unused_tcp_port):
    task = asyncio.create_task(run_simulator("127.0.0.1", unused_tcp_port, Faults(), SECRET))
    url = f"http://127.0.0.1:{unused_tcp_port}/_sim/payouts"
    try:
        async with aiohttp.ClientSession() as session:
            for _ in range(200):  # wait for the listener (polling a condition, not a race)
                try:
                    async with session.get(url) as response:
                        assert await response.json() == {"payouts": {}, "total_payments": 0}
                        break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.01)
            else:
                raise AssertionError("simulator never started")
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert task.cancelled()

"""The HTTP payout client against the partner simulator on a random local port, with faults."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from corridors.breaker import CircuitBreaker, PartnerUnavailable
from corridors.payout import HttpPayoutPartner, PayoutResult, read_callback
from corridors.signing import signature_headers
from corridors.simulator import Faults, create_simulator_app
from tests.unit.test_corridors_payout_messages import SECRET, instruction


class Sim:
    """A running simulator plus helpers to read its books."""

    def __init__(self, server: TestServer, session: aiohttp.ClientSession) -> None:
        self.server, self.session = server, session
        self.url = str(server.make_url("")).rstrip("/")

    async def books(self) -> dict:
        async with self.session.get(f"{self.url}/_sim/payouts") as response:
            return await response.json()

    def client(self, **kw) -> HttpPayoutPartner:
        kw.setdefault("timeout_s", 2)
        kw.setdefault("backoff_base_s", 0.001)
        kw.setdefault("backoff_max_s", 0.005)
        return HttpPayoutPartner(
            self.url, "sim-ph-wallet", kw.pop("secret", SECRET), self.session, **kw
        )


StartSim = Callable[..., Awaitable[Sim]]


@pytest.fixture
async def start_sim() -> StartSim:
    servers: list[TestServer] = []
    session = aiohttp.ClientSession()

    async def start(faults: Faults | None = None, secret=SECRET) -> Sim:
        server = TestServer(
            create_simulator_app(faults or Faults(seed=1), secret), host="127.0.0.1"
        )
        await server.start_server()
        servers.append(server)
        return Sim(server, session)

    yield start
    for server in servers:
        await server.close()
    await session.close()


async def test_happy_path_pays_once_and_inquiry_agrees(start_sim):
    sim = await start_sim()
    client = sim.client()
    result = await client.send(instruction())
    assert result.status == "paid" and result.partner_reference.startswith("SIM-")
    again = await client.send(instruction())  # a resend under the same key
    assert again == result
    assert await client.inquire("po-1") == result
    books = await sim.books()
    assert books["payouts"]["po-1"]["payments"] == 1
    assert books["payouts"]["po-1"]["requests"] == 2
    assert books["total_payments"] == 1


async def test_same_key_other_body_is_a_conflict_not_a_payment(start_sim):
    sim = await start_sim()
    client = sim.client()
    assert (await client.send(instruction(amount="5000.00"))).status == "paid"
    result = await client.send(instruction(amount="9000.00"))
    assert result == PayoutResult("unknown", reason="idempotency_conflict")
    assert (await sim.books())["total_payments"] == 1


async def test_5xx_is_retried_until_it_goes_through(start_sim):
    sim = await start_sim(Faults(error_rate=0.5, seed=3))
    client = sim.client(max_attempts=20)
    for n in range(10):
        assert (await client.send(instruction(n))).status == "paid"
    books = await sim.books()
    assert books["total_payments"] == 10
    assert all(p["payments"] == 1 for p in books["payouts"].values())


async def test_exhausted_5xx_retries_give_unknown_and_inquiry_says_not_found(start_sim):
    sim = await start_sim(Faults(error_rate=1.0))
    client = sim.client(max_attempts=3)
    assert await client.send(instruction()) == PayoutResult("unknown", reason="http_503")
    assert await client.inquire("po-1") == PayoutResult("unknown", reason="not_found")
    assert (await sim.books())["total_payments"] == 0


async def test_timeout_leaves_unknown_but_partner_paid_and_inquiry_settles(start_sim):
    sim = await start_sim(Faults(timeout_rate=1.0, hang_ms=5_000))
    client = sim.client(timeout_s=0.1, max_attempts=3)
    result = await client.send(instruction())
    assert result == PayoutResult("unknown", reason="timeout")
    books = await sim.books()
    assert books["payouts"]["po-1"]["requests"] == 3  # retried, same key...
    assert books["payouts"]["po-1"]["payments"] == 1  # ...paid exactly once
    settled = await client.inquire("po-1")
    assert settled.status == "paid" and settled.partner_reference


async def test_permanent_failure_is_not_retried(start_sim):
    sim = await start_sim(Faults(fail_rate=1.0, seed=7))
    result = await sim.client().send(instruction())
    assert result.status == "failed"
    assert result.reason in {"ACCOUNT_CLOSED", "INVALID_ACCOUNT", "RECIPIENT_LIMIT_EXCEEDED"}
    books = await sim.books()
    assert books["payouts"]["po-1"]["requests"] == 1 and books["total_payments"] == 0


async def test_4xx_is_failed_without_retry(start_sim):
    sim = await start_sim()
    result = await sim.client(secret=b"wrong-secret").send(instruction())
    assert result == PayoutResult("failed", reason="signature_mismatch")
    assert (await sim.books())["payouts"] == {}


async def test_unsigned_requests_are_refused(start_sim):
    sim = await start_sim()
    body = instruction().body()
    async with sim.session.post(
        f"{sim.url}/payouts", data=body, headers={"Idempotency-Key": "po-1"}
    ) as response:
        assert response.status == 401
        assert (await response.json())["reason"] == "missing_timestamp"
    stale = signature_headers(SECRET, b"", 1_000)
    async with sim.session.get(f"{sim.url}/payouts/po-1", headers=stale) as response:
        assert response.status == 401


async def test_pay_delay_answers_accepted_then_paid(start_sim):
    sim = await start_sim(Faults(pay_delay_ms=20))
    client = sim.client()
    assert (await client.send(instruction())).status == "accepted"
    for _ in range(200):
        if (await client.inquire("po-1")).status == "paid":
            break
        await asyncio.sleep(0.01)  # polling a state, not winning a race
    assert (await client.inquire("po-1")).status == "paid"
    assert (await sim.books())["total_payments"] == 1


async def test_duplicate_late_callbacks_are_signed(start_sim):
    got: list[tuple[str, PayoutResult]] = []
    two = asyncio.Event()

    async def receive(request: web.Request) -> web.Response:
        body = await request.read()
        got.append(read_callback([SECRET], request.headers, body, __import__("time").time()))
        if len(got) == 2:
            two.set()
        return web.Response(status=204)

    app = web.Application()
    app.router.add_post("/cb", receive)
    receiver = TestServer(app, host="127.0.0.1")
    await receiver.start_server()
    try:
        sim = await start_sim(Faults(duplicate_callback_rate=1.0, late_callback_ms=10))
        url = str(receiver.make_url("/cb"))
        result = await sim.client().send(instruction(callback_url=url))
        await asyncio.wait_for(two.wait(), 5)
        assert got == [("po-1", result), ("po-1", result)]
        assert (await sim.books())["payouts"]["po-1"]["callbacks"] == 2
    finally:
        await receiver.close()


async def test_circuit_opens_and_nothing_is_sent(start_sim):
    sim = await start_sim(Faults(error_rate=1.0))
    now = [0.0]
    breaker = CircuitBreaker("sim", failure_threshold=3, reset_timeout_s=30, clock=lambda: now[0])
    client = sim.client(max_attempts=2, breaker=breaker)
    assert (await client.send(instruction(1))).status == "unknown"  # 2 failures
    # third failure opens the circuit mid-retry: something may have been sent -> unknown
    assert await client.send(instruction(2)) == PayoutResult("unknown", reason="circuit_open")
    assert breaker.state == "open"
    books_before = await sim.books()
    with pytest.raises(PartnerUnavailable):
        await client.send(instruction(3))
    with pytest.raises(PartnerUnavailable):
        await client.inquire("po-1")
    assert await sim.books() == books_before
    now[0] = 31.0
    assert breaker.state == "half_open"


async def test_half_open_trial_success_closes_the_circuit(start_sim):
    sim = await start_sim()
    now = [0.0]
    breaker = CircuitBreaker("sim", failure_threshold=1, reset_timeout_s=10, clock=lambda: now[0])
    breaker.record_failure()
    client = sim.client(breaker=breaker)
    with pytest.raises(PartnerUnavailable):
        await client.send(instruction())
    now[0] = 10.0
    assert (await client.send(instruction())).status == "paid"
    assert breaker.state == "closed"


async def test_connection_refused_is_unknown_not_an_exception(unused_tcp_port):
    async with aiohttp.ClientSession() as session:
        client = HttpPayoutPartner(
            f"http://127.0.0.1:{unused_tcp_port}",
            "x",
            SECRET,
            session,
            max_attempts=2,
            backoff_base_s=0.001,
        )
        assert await client.send(instruction()) == PayoutResult(
            "unknown", reason="connection_error"
        )


async def test_5xx_after_recording_is_retried_and_deduplicated(start_sim):
    sim = await start_sim(Faults(late_error_rate=1.0))
    result = await sim.client(max_attempts=3).send(instruction())
    assert result == PayoutResult("unknown", reason="http_503")
    books = await sim.books()
    assert books["payouts"]["po-1"]["requests"] == 3
    assert books["total_payments"] == 1
    assert (await sim.client().inquire("po-1")).status == "paid"


async def test_simulator_accepts_old_and_new_secret_during_rotation(start_sim):
    sim = await start_sim(secret=[b"new", b"old"])
    assert (await sim.client(secret=b"old").send(instruction(1))).status == "paid"
    assert (await sim.client(secret=b"new").send(instruction(2))).status == "paid"
    refused = await sim.client(secret=b"older").send(instruction(3))
    assert refused == PayoutResult("failed", reason="signature_mismatch")


async def test_logs_carry_no_personal_data(start_sim):
    from structlog.testing import capture_logs

    sim = await start_sim(Faults(timeout_rate=1.0, hang_ms=2_000))
    with capture_logs() as logs:
        await sim.client(timeout_s=0.05, max_attempts=2).send(instruction())
        await sim.client().inquire("po-1")
    text = repr(logs)
    assert "po-1" in text  # logs do say which payout
    for secret in ("Maria", "Cruz", "9171234567", "5000.00"):
        assert secret not in text

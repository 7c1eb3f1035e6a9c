"""Crash recovery on PostgreSQL: 300 remittances submitted to a gateway process that is killed
with SIGKILL at random moments (at least five times) and restarted, with the payout partner on
our JSON API, on ISO 20022 and as a Mojaloop switch. In the end every remittance
is terminal, no payout was made twice at the partner simulator, and the ledger check passes.

Runs only when REMIT_TEST_DATABASE_URL names a PostgreSQL server (and then fails, never skips,
if the server is missing: the database_url fixture creates a database on it)."""

from __future__ import annotations

import asyncio
import os
import random
import re
import signal
import socket
import sys
import time
import uuid
from pathlib import Path

import aiohttp
import pytest
import sqlalchemy as sa

from tests.conftest import SANCTIONS_DIR, add_partner, postgres_server_url

ROOT = Path(__file__).resolve().parents[2]
SECRET = "crash-test-secret"
PARTNER = "sim-ph-wallet"
REMITTANCES = 300
SENDERS = 75  # AML velocity: at most 5 a day per sender; fan-in: 5 senders per recipient
KILLS = 6
DEADLINE_S = 170  # the whole test, start to finish (a few tens of seconds when not loaded)

pytestmark = pytest.mark.skipif(
    postgres_server_url() is None, reason="PostgreSQL only: set REMIT_TEST_DATABASE_URL"
)


def letters(n: int) -> str:
    """A name-safe rendering of a number (names take letters only)."""
    out = ""
    while True:
        n, d = divmod(n, 26)
        out += "abcdefghijklmnopqrstuvwxyz"[d]
        if n == 0:
            return out.capitalize()


def long_quotes(tmp_path: Path, protocol: str = "remit") -> Path:
    """The shipped corridors with quotes that outlive a queue slowed by repeated crashes (a
    lapsed quote is requote, which waits for the sender and would never be terminal), and
    PARTNER speaking `protocol` (the simulator serves each on the same port)."""
    shipped = (ROOT / "corridors" / "data" / "corridors.toml").read_text()
    text = re.sub(r"(?m)^quote_ttl_s = \d+", "quote_ttl_s = 900", shipped)
    text = text.replace(
        f'partner_id = "{PARTNER}"\n',
        f'partner_id = "{PARTNER}"\npartner_protocol = "{protocol}"\n',
    )
    path = tmp_path / "corridors.toml"
    path.write_text(text)
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Launcher:
    """bench/launcher.py as a subprocess: forks gateway processes that we kill and restart."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env, self.log = env, log
        self.pid: int | None = None

    async def __aenter__(self) -> Launcher:
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bench.launcher",
            str(SANCTIONS_DIR / "UN_consolidated.xml"),  # a real list, quicker to load
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=self.log.open("ab"),
            env=self.env,
            cwd=ROOT,
        )
        assert await self._line() == "ready"
        return self

    async def _line(self) -> str:
        line = await asyncio.wait_for(self.proc.stdout.readline(), 120)
        return line.decode().strip()

    async def _send(self, text: str) -> str:
        self.proc.stdin.write(f"{text}\n".encode())
        await self.proc.stdin.drain()
        return await self._line()

    async def start(self, **env: str) -> int:
        """A new gateway; `env` set for this one process only."""
        extra = "".join(f" {k}={v}" for k, v in env.items())
        self.pid = int((await self._send(f"start{extra}")).split()[1])
        return self.pid

    async def exited(self) -> int:
        """Wait for the running gateway to end by itself; its exit status."""
        assert self.pid is not None
        status = int((await self._send(f"wait {self.pid}")).split()[2])
        self.pid = None
        return status

    async def signal(self, sig: int) -> int:
        """Send `sig` to the running gateway and return its exit status."""
        assert self.pid is not None
        os.kill(self.pid, sig)
        status = int((await self._send(f"wait {self.pid}")).split()[2])
        self.pid = None
        return status

    async def __aexit__(self, *exc: object) -> None:
        if self.pid is not None:
            os.kill(self.pid, signal.SIGKILL)
            await self._send(f"wait {self.pid}")
        self.proc.stdin.write(b"quit\n")
        await self.proc.stdin.drain()
        await asyncio.wait_for(self.proc.wait(), 30)


async def wait_healthy(http: aiohttp.ClientSession, base: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            async with http.get(base + "/healthz") as resp:
                if resp.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.05)  # polling for readiness, not timing a race
    raise AssertionError("gateway did not come up")


async def call(http, method, url, *, attempts: int = 400, **kw) -> dict:
    """Retry through crashes: connection errors and 5xx go again (same Idempotency-Key)."""
    for _ in range(attempts):
        try:
            async with http.request(method, url, **kw) as resp:
                if resp.status < 500:
                    assert resp.status in (200, 201), f"{url}: {resp.status} {await resp.text()}"
                    return await resp.json()
        except (TimeoutError, aiohttp.ClientError):
            pass
        await asyncio.sleep(0.1)
    raise AssertionError(f"{method} {url} never succeeded")


async def seed(url: str, sim_url: str, chain_address: str | None = None) -> dict[str, str]:
    from gateway.services import utc_now
    from gateway.storage.engine import create_engine
    from gateway.storage.keys import create_key
    from gateway.storage.migrate import upgrade_async

    await upgrade_async(url)
    engine = create_engine(url)
    keys = {}
    partner = {"name": "simulator", "base_url": sim_url, "chain_address": chain_address}
    await add_partner(engine, PARTNER, secret=SECRET, now=utc_now(), **partner)
    async with engine.begin() as conn:
        for role in ("sender-app", "operator"):
            keys[role], _ = await create_key(conn, f"crash-{role}", role, None, utc_now())
    await engine.dispose()
    return keys


async def make_senders(http, base: str, count: int, sender_h: dict, operator_h: dict) -> list:
    senders = []
    for i in range(count):
        body = {
            "external_id": f"crash-{i}",
            "name": f"Sender {letters(i)}",
            "country": "US",
            "mobile_number": "+14155550100",
            "mobile_number_verified": True,
        }
        senders.append(await call(http, "PUT", base + "/v1/customers", json=body, headers=sender_h))
        await call(
            http,
            "POST",
            f"{base}/v1/customers/{senders[-1]['id']}/wallet/topups",
            json={"amount": "500.00", "currency": "USD"},
            headers={**operator_h, "Idempotency-Key": f"topup-{i}"},
        )
    return senders


async def submit(http, base: str, senders: list, n: int, sender_h: dict) -> str:
    """Remittance n (through crashes: retried with the same Idempotency-Key)."""
    count = len(senders)
    phone = f"+63917{n % count:07d}"
    quote_body = {"send_currency": "USD", "receive_currency": "PHP", "send_amount": "20.00"}
    quote = await call(http, "POST", base + "/v1/quotes", json=quote_body, headers=sender_h)
    body = {
        "quote_id": quote["id"],
        "sender_id": senders[n % count]["id"],
        "recipient": {"name": f"Recipient {letters(n % count)}", "phone": phone},
    }
    key = {"Idempotency-Key": f"crash-rem-{n}-{uuid.uuid4().hex[:6]}"}
    created = await call(
        http, "POST", base + "/v1/remittances", json=body, headers={**sender_h, **key}
    )
    return created["id"]


@pytest.mark.parametrize("protocol", ["remit", "iso20022", "mojaloop", "remit+chain"])
async def test_sigkill_at_random_moments_loses_and_duplicates_nothing(
    database_url, aiohttp_server, tmp_path, protocol, request
) -> None:
    """`remit+chain`: the partner is paid in coin on anvil (the JSON-RPC engine) before each
    instruction, so the kills also land between signing, recording, broadcasting and the
    receipt; in the end every remittance was settled on chain exactly once (one Settled event
    each) and `remit chain reconcile` is clean. No payout fails for good there (a refund after
    the coin left waits for the partner's coins, which the simulator never sends back)."""
    chain = protocol.endswith("+chain")
    protocol = protocol.removesuffix("+chain")
    from corridors.simulator import Faults, create_simulator_app
    from gateway.domain.states import TERMINAL
    from gateway.storage.engine import create_engine
    from gateway.storage.tables import remittances
    from ledger_adapter.sql import SqlLedger

    started = time.monotonic()
    rng = random.Random(20260807)
    fail_rate = 0.0 if chain else 0.02
    faults = Faults(
        seed=5, latency_ms=5, error_rate=0.03, late_error_rate=0.03, fail_rate=fail_rate
    )
    sim = await aiohttp_server(create_simulator_app(faults, SECRET.encode()), host="127.0.0.1")
    sim_url = str(sim.make_url("")).rstrip("/")
    chain_address = "0x000000000000000000000000000000000000c0De" if chain else None
    keys = await seed(database_url, sim_url, chain_address)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "REMIT_DATABASE_URL": database_url,
        "REMIT_PORT": str(port),
        "REMIT_WORKERS": "4",
        "REMIT_WORKER_BATCH": "16",
        "REMIT_CORRIDORS_FILE": str(long_quotes(tmp_path, protocol)),
        "REMIT_LEASE_S": "3",
        "REMIT_PARTNER_TIMEOUT_S": "2",
        "REMIT_LOG_LEVEL": "warning",
        "PYTHONPATH": str(ROOT),
    }
    if protocol == "mojaloop":  # the switch calls our FSPIOP endpoint back
        env["REMIT_PUBLIC_BASE_URL"] = base
    if chain:
        from tests.conftest import ANVIL_KEY

        node = request.getfixturevalue("anvil")
        env |= {
            "REMIT_CHAIN_RPC_URL": node.url,
            "REMIT_CHAIN_KEY": ANVIL_KEY,
            "REMIT_CHAIN_WINDOW_S": "0.5",
        }
    sender_h = {"Authorization": f"Bearer {keys['sender-app']}"}
    operator_h = {"Authorization": f"Bearer {keys['operator']}"}
    timeout = aiohttp.ClientTimeout(total=10)

    log = tmp_path / "gateway.log"
    print(f"gateway log: {log}")
    async with Launcher(env, log) as gw, aiohttp.ClientSession(timeout=timeout) as http:
        await gw.start()
        await wait_healthy(http, base)
        print(f"gateway up after {time.monotonic() - started:.1f}s")
        senders = await make_senders(http, base, SENDERS, sender_h, operator_h)
        print(f"senders ready after {time.monotonic() - started:.1f}s")
        gate = asyncio.Semaphore(16)

        async def submit_gated(n: int) -> str:
            async with gate:
                return await submit(http, base, senders, n, sender_h)

        submissions = asyncio.gather(*(submit_gated(n) for n in range(REMITTANCES)))
        statuses = []
        for _ in range(KILLS):
            await asyncio.sleep(rng.uniform(0.3, 1.5))  # a random moment: the injected fault
            statuses.append(await gw.signal(signal.SIGKILL))
            await gw.start()
            await wait_healthy(http, base)
        ids = await submissions
        print(f"kills and submissions done after {time.monotonic() - started:.1f}s")
        assert statuses == [-signal.SIGKILL] * KILLS
        assert len(set(ids)) == REMITTANCES

        engine = create_engine(database_url)
        try:
            terminal = [s.value for s in TERMINAL]
            query = sa.select(remittances.c.status, sa.func.count()).group_by(remittances.c.status)
            while True:
                async with engine.connect() as conn:
                    counts = dict((await conn.execute(query)).all())
                if sum(n for s, n in counts.items() if s in terminal) == REMITTANCES:
                    break
                assert not counts.get("on_hold") and not counts.get("rejected"), counts
                assert time.monotonic() - started < DEADLINE_S, f"not settled: {counts}"
                await asyncio.sleep(0.2)  # polling the database for the end state
            assert sum(counts.values()) == REMITTANCES  # the retried submissions made no extras
            assert await gw.signal(signal.SIGTERM) == 0  # and a graceful stop exits cleanly

            sim_state = await (await http.get(sim_url + "/_sim/payouts")).json()
            assert {p["protocol"] for p in sim_state["payouts"].values()} == {protocol}
            paid_twice = {k: p for k, p in sim_state["payouts"].items() if p["payments"] > 1}
            assert paid_twice == {}
            assert sim_state["total_payments"] == counts.get("paid_out", 0)
            assert counts.get("paid_out", 0) + counts.get("refunded", 0) == REMITTANCES
            assert await SqlLedger(engine).check() == []
            if chain:
                await _settled_once_on_chain(engine, env, REMITTANCES)
        finally:
            await engine.dispose()


async def _settled_once_on_chain(engine, env: dict[str, str], expected: int) -> None:
    from gateway.chain import reconcile_with_books
    from gateway.config import Settings
    from ledger_adapter.evm.items import ITEMS

    settings = Settings.from_env(env)
    async with engine.connect() as conn:
        rows = (await conn.execute(sa.select(ITEMS.c.status, ITEMS.c.remittance_id))).all()
    assert len(rows) == expected and {r.status for r in rows} == {"settled"}
    # reconcile: every Settled event matches exactly one remittance, and the reverse
    assert await reconcile_with_books(settings, engine) == []


PER_POINT = 10
KILL_POINT_SENDERS = 20  # two remittances each in all: no sender reaches a limit or a rule


async def test_sigkill_at_each_chain_step_settles_each_remittance_once(
    database_url, aiohttp_server, tmp_path, request
) -> None:
    """On PostgreSQL against anvil, the gateway is killed (os._exit, as a SIGKILL: no cleanup)
    at each step of a settle() transaction in turn: after it is signed (not yet committed),
    after it is recorded, after it is broadcast (not yet marked sent), after its receipt (not
    yet applied); each time a fresh gateway resumes. Every remittance is paid out, settled on
    chain exactly once (one Settled event each), none paid twice by the partner, the ledger
    check and `remit chain reconcile` clean."""
    from corridors.simulator import Faults, create_simulator_app
    from gateway.storage.engine import create_engine
    from gateway.storage.tables import remittances
    from ledger_adapter.evm.settler import CRASH_POINTS
    from ledger_adapter.sql import SqlLedger
    from tests.conftest import ANVIL_KEY

    started = time.monotonic()
    sim = await aiohttp_server(create_simulator_app(Faults(seed=5), SECRET.encode()))
    sim_url = str(sim.make_url("")).rstrip("/")
    keys = await seed(database_url, sim_url, "0x000000000000000000000000000000000000bEEF")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    node = request.getfixturevalue("anvil")
    env = {
        **os.environ,
        "REMIT_DATABASE_URL": database_url,
        "REMIT_PORT": str(port),
        "REMIT_CORRIDORS_FILE": str(long_quotes(tmp_path)),
        "REMIT_LEASE_S": "3",
        "REMIT_LOG_LEVEL": "warning",
        "PYTHONPATH": str(ROOT),
        "REMIT_CHAIN_RPC_URL": node.url,
        "REMIT_CHAIN_KEY": ANVIL_KEY,
        "REMIT_CHAIN_WINDOW_S": "0.5",
    }
    env.pop("REMIT_CHAIN_CRASH_AT", None)
    sender_h = {"Authorization": f"Bearer {keys['sender-app']}"}
    operator_h = {"Authorization": f"Bearer {keys['operator']}"}
    log = tmp_path / "gateway.log"
    timeout = aiohttp.ClientTimeout(total=10)
    engine = create_engine(database_url)
    everyone: list[str] = []
    try:
        async with Launcher(env, log) as gw, aiohttp.ClientSession(timeout=timeout) as http:
            await gw.start()
            await wait_healthy(http, base)
            senders = await make_senders(http, base, KILL_POINT_SENDERS, sender_h, operator_h)
            assert await gw.signal(signal.SIGKILL) == -signal.SIGKILL
            for step, point in enumerate(CRASH_POINTS):
                await gw.start(REMIT_CHAIN_CRASH_AT=point)
                await wait_healthy(http, base)
                first = step * PER_POINT
                batch = asyncio.gather(
                    *(
                        submit(http, base, senders, n, sender_h)
                        for n in range(first, first + PER_POINT)
                    )
                )
                assert await gw.exited() == 137, f"the gateway did not stop at {point}"
                await gw.start()  # no crash point: it resumes
                await wait_healthy(http, base)
                ids = await batch
                everyone += ids
                query = sa.select(remittances.c.status).where(remittances.c.id.in_(ids))
                while True:
                    async with engine.connect() as conn:
                        statuses = [r.status for r in (await conn.execute(query)).all()]
                    if statuses.count("paid_out") == PER_POINT:
                        break
                    assert time.monotonic() - started < DEADLINE_S, (point, statuses)
                    await asyncio.sleep(0.2)  # polling the database for the end state
                print(f"{point}: resumed, all paid out after {time.monotonic() - started:.1f}s")
                assert await gw.signal(signal.SIGKILL) == -signal.SIGKILL
        sim_state = await _sim_payouts(sim_url)
        assert {k for k, p in sim_state["payouts"].items() if p["payments"] > 1} == set()
        assert sim_state["total_payments"] == len(everyone) == PER_POINT * len(CRASH_POINTS)
        assert await SqlLedger(engine).check() == []
        await _settled_once_on_chain(engine, env, len(everyone))
    finally:
        await engine.dispose()


async def _sim_payouts(sim_url: str) -> dict:
    async with aiohttp.ClientSession() as http, http.get(sim_url + "/_sim/payouts") as resp:
        return await resp.json()

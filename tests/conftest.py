"""Shared fixtures: a fresh database per test, on SQLite or on the PostgreSQL server named by
REMIT_TEST_DATABASE_URL (each test creates and drops its own database there)."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

# Tests price from the shipped sample rates unless a test says otherwise (tests of firm-quote
# freshness build strict settings); CLI and server subprocesses inherit this.
os.environ.setdefault("REMIT_RATES_MODE", "sample")
# ... and reach the partner simulator and local receivers on this machine over http (the
# outbound rule's development opening); tests of the rule itself build their own settings.
os.environ.setdefault("REMIT_OUTBOUND_HTTP", "on")
os.environ.setdefault("REMIT_OUTBOUND_ALLOW", "127.0.0.0/8,::1")

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SANCTIONS_DIR = SHARED / "data" / "sanctions"


# PostgreSQL refuses to start without personal-data keys; SQLite tests get a generated key
# file beside each database.
if os.environ.get("REMIT_TEST_DATABASE_URL"):
    from gateway.storage.datakeys import KEYS_ENV, new_key_line

    os.environ.setdefault(KEYS_ENV, new_key_line("t1"))


def postgres_server_url() -> str | None:
    return os.environ.get("REMIT_TEST_DATABASE_URL") or None


async def _create_database(server: str, name: str, template: str | None = None) -> str:
    admin = create_async_engine(server, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            suffix = f' TEMPLATE "{template}"' if template else ""
            await conn.execute(text(f'CREATE DATABASE "{name}"{suffix}'))
    finally:
        await admin.dispose()
    return make_url(server).set(database=name).render_as_string(hide_password=False)


async def _drop_database(server: str, name: str) -> None:
    admin = create_async_engine(server, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        await admin.dispose()


@pytest.fixture
async def database_url(tmp_path: Path) -> AsyncIterator[str]:
    """A URL of an empty database that exists only for this test."""
    server = postgres_server_url()
    if server is None:
        yield f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
        return
    name = f"remit_t_{uuid.uuid4().hex[:16]}"
    try:
        yield await _create_database(server, name)
    finally:
        await _drop_database(server, name)


@pytest.fixture(scope="session")
def _migrated_template(tmp_path_factory: pytest.TempPathFactory):
    """The schema migrated once per session; each test gets a copy (a file copy on SQLite,
    CREATE DATABASE ... TEMPLATE on PostgreSQL), which is much faster than migrating each time."""
    import asyncio

    from gateway.storage.migrate import upgrade

    server = postgres_server_url()
    if server is None:
        path = tmp_path_factory.mktemp("template") / "template.db"
        upgrade(f"sqlite+aiosqlite:///{path}")
        yield str(path)
        return
    name = f"remit_tpl_{uuid.uuid4().hex[:16]}"
    url = asyncio.run(_create_database(server, name))
    try:
        upgrade(url)
        yield name
    finally:
        asyncio.run(_drop_database(server, name))


@pytest.fixture
async def migrated_database_url(tmp_path: Path, _migrated_template) -> AsyncIterator[str]:
    """A fresh database with the current schema, for this test only."""
    import shutil

    server = postgres_server_url()
    if server is None:
        target = tmp_path / "test.db"
        shutil.copyfile(_migrated_template, target)
        yield f"sqlite+aiosqlite:///{target}"
        return
    name = f"remit_t_{uuid.uuid4().hex[:16]}"
    try:
        yield await _create_database(server, name, template=_migrated_template)
    finally:
        await _drop_database(server, name)


def written(path: Path, text: str) -> str:
    """`text` written to `path` (a configuration file a test loads): the path, as text."""
    path.write_text(text)
    return str(path)


@pytest.fixture
def sanctions_dir() -> Path:
    if not SANCTIONS_DIR.is_dir():
        pytest.fail(f"sanctions fixtures missing: {SANCTIONS_DIR}")
    return SANCTIONS_DIR


@pytest.fixture
def small_lists(sanctions_dir, tmp_path):
    """A few hundred real SDN rows (Putin's among them): real format, fast to load."""
    lines = (sanctions_dir / "sdn.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    putin = [line for line in lines[300:] if "PUTIN, Vladimir" in line]
    rows = lines[:300] + putin + [line for line in lines[-2:] if "\x1a" in line]
    folder = tmp_path / "lists"
    folder.mkdir()
    (folder / "sdn.csv").write_text("".join(rows), encoding="utf-8")
    return folder


@pytest.fixture
def unfrozen():
    """Leave the test process as it was: nothing frozen before, nothing after."""
    import gc

    gc.unfreeze()
    try:
        yield
    finally:
        gc.unfreeze()


# --- the gateway, wired for tests --------------------------------------------------------------

SIM_SECRET = "test-partner-secret"
DEMO_PARTNER = "sim-ph-wallet"


@pytest.fixture(scope="session")
def screener():
    """The real OFAC and UN lists, loaded once per test session."""
    from compliance.sanctions import Screener

    if not SANCTIONS_DIR.is_dir():
        pytest.fail(f"sanctions fixtures missing: {SANCTIONS_DIR}")
    files = sorted(p for p in SANCTIONS_DIR.iterdir() if p.suffix in (".csv", ".xml"))
    return Screener.from_files(files)


class Clock:
    """A settable clock: tests move time instead of sleeping."""

    def __init__(self) -> None:
        from datetime import UTC, datetime

        self.now = datetime.now(UTC)

    def __call__(self):
        return self.now

    def advance(self, **delta) -> None:
        from datetime import timedelta

        self.now += timedelta(**delta)


class Gateway:
    """A running gateway app (test client), its services, keys and the partner simulator."""

    def __init__(self, client, sim_client, clock: Clock) -> None:
        from gateway.api.appkeys import SERVICES

        self.client = client
        self.sim = sim_client
        self.clock = clock
        self.svc = client.server.app[SERVICES]
        self.keys: dict[str, str] = {}

    def auth(self, role: str = "sender-app") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[role]}"}

    async def drain(self, rounds: int = 200) -> int:
        """Run pipeline steps until nothing is due: deterministic, no background timing."""
        from gateway.pipeline.worker import Worker

        worker = Worker(self.svc)
        total = 0
        for _ in range(rounds):
            done = await worker.run_once()
            if not done:
                return total
            total += done
        raise AssertionError("pipeline did not settle")

    async def customer(self, external_id: str = "u-1", name: str = "Ana Reyes Cruz", **extra):
        """A sender at the lowest tier: the app vouches for the phone it verified (pass
        mobile_number_verified=None, or no phone, for one that is not)."""
        number = {} if "phone" in extra else {"mobile_number": "+14155550100"}
        phone = {**number, "mobile_number_verified": True}
        body = {"external_id": external_id, "name": name, "country": "US", **phone, **extra}
        body = {k: v for k, v in body.items() if v is not None}
        resp = await self.client.put("/v1/customers", json=body, headers=self.auth())
        assert resp.status in (200, 201), await resp.text()
        return await resp.json()

    async def top_up(self, customer_id: str, amount: str = "1000.00", currency: str = "USD"):
        import uuid

        resp = await self.client.post(
            f"/v1/customers/{customer_id}/wallet/topups",
            json={"amount": amount, "currency": currency},
            headers={**self.auth("operator"), "Idempotency-Key": str(uuid.uuid4())},
        )
        assert resp.status == 201, await resp.text()
        return await resp.json()

    async def quote(self, send_amount: str = "100.00", **extra):
        body = {"send_currency": "USD", "receive_currency": "PHP", "send_amount": send_amount}
        resp = await self.client.post("/v1/quotes", json={**body, **extra}, headers=self.auth())
        assert resp.status == 201, await resp.text()
        return await resp.json()

    def remittance_body(self, quote_id: str, sender_id: str, **recipient) -> dict:
        recipient = {"name": "Maria Dela Cruz", "phone": "+639171234567", **recipient}
        return {"quote_id": quote_id, "sender_id": sender_id, "recipient": recipient}

    async def send(self, send_amount: str = "100.00", key: str | None = None, sender=None):
        import uuid

        sender = sender or await self.customer()
        quote = await self.quote(send_amount)
        resp = await self.client.post(
            "/v1/remittances",
            json=self.remittance_body(quote["id"], sender["id"]),
            headers={**self.auth(), "Idempotency-Key": key or str(uuid.uuid4())},
        )
        assert resp.status == 201, await resp.text()
        return await resp.json()

    async def send_from_wallet(self, send_amount: str = "100.00") -> dict:
        """A new sender, topped up, sends `send_amount` USD: the remittance as created."""
        sender = await self.customer()
        await self.top_up(sender["id"])
        return await self.send(send_amount, sender=sender)

    async def paid(self, send_amount: str = "100.00") -> dict:
        """A remittance sent from a wallet (send_from_wallet) and the pipeline run: paid out,
        with the default simulator. The remittance as created."""
        created = await self.send_from_wallet(send_amount)
        await self.drain()
        return created

    async def get(self, remittance_id: str) -> dict:
        resp = await self.client.get(f"/v1/remittances/{remittance_id}", headers=self.auth())
        assert resp.status == 200, await resp.text()
        return await resp.json()

    async def ledger_findings(self) -> list[str]:
        return await self.svc.ledger.check()


@pytest.fixture
def clock() -> Clock:
    return Clock()


async def add_partner(engine, partner_id: str, *, secret: str, now, **fields) -> None:
    """Register (or update) a partner on a test database in a transaction of its own; its name
    is its id unless `name` says otherwise. `fields`: upsert_partner's (base_url, kinds, ...)."""
    from gateway.storage.partners import upsert_partner

    fields.setdefault("name", partner_id)
    async with engine.begin() as conn:
        await upsert_partner(conn, partner_id, secret=secret, now=now, **fields)


async def add_simulator(engine, sim_client, now, **fields) -> None:
    """The partner simulator (`sim_client`) as DEMO_PARTNER, a payout partner unless `kinds`."""
    base_url = str(sim_client.make_url("")).rstrip("/")
    await add_partner(
        engine,
        DEMO_PARTNER,
        name="simulator",
        base_url=base_url,
        secret=SIM_SECRET,
        now=now,
        **fields,
    )


@pytest.fixture
def sim_faults() -> dict:
    """The partner simulator's faults (corridors.simulator.Faults, seed 7 unless given): none; a
    module or a test redefines it (e.g. every payout failing, or paying only after an hour)."""
    return {}


@pytest.fixture
async def sim_client(aiohttp_client, sim_faults):
    from corridors.simulator import Faults, create_simulator_app

    faults = Faults(**{"seed": 7, **sim_faults})
    return await aiohttp_client(create_simulator_app(faults, SIM_SECRET.encode()))


@pytest.fixture
def world_settings() -> dict:
    """Settings the bots' `world` fixture (tests/integration/bots/conftest.py) overrides; a test
    module redefines it (e.g. a KYC provider). Here so that every module importing `world` sees
    it."""
    return {}


@pytest.fixture
def gateway_settings() -> dict:
    """Settings the `gateway` fixture overrides; a test module redefines it (e.g. strict rates)."""
    return {}


@pytest.fixture
async def gateway(
    migrated_database_url, aiohttp_client, sim_client, screener, clock, gateway_settings
):
    """The gateway on a fresh database, workers driven by the test (Gateway.drain)."""
    from corridors.outbound import OutboundRule
    from gateway.app import create_app
    from gateway.config import Settings
    from gateway.storage.engine import create_engine
    from gateway.storage.keys import create_key

    database_url = migrated_database_url
    engine = create_engine(database_url)
    keys = {}
    await add_simulator(engine, sim_client, clock())
    async with engine.begin() as conn:
        for role in ("sender-app", "operator"):
            keys[role], _ = await create_key(conn, f"test-{role}", role, None, clock())
        keys["partner"], _ = await create_key(
            conn, "test-partner", "partner", DEMO_PARTNER, clock()
        )
    await engine.dispose()
    settings = Settings(
        database_url=database_url,
        partner_timeout_s=5,
        **{"rates_mode": "sample", "outbound": OutboundRule.development(), **gateway_settings},
    )
    app = create_app(settings, run_workers=False, screener=screener, clock=clock, migrate=False)
    gw = Gateway(await aiohttp_client(app), sim_client, clock)
    gw.keys = keys
    yield gw
    # Every test that used the gateway leaves a balanced, intact ledger behind.
    assert await gw.ledger_findings() == []


# --- a real Ethereum node: anvil from the npm package @foundry-rs/anvil (.ci/run installs it) ----

ANVIL_KEY = "0x" + "5a" * 32
"""The test's issuer key on anvil; the fixture gives its address gas money (anvil_setBalance)."""


def anvil_binary() -> str | None:
    import shutil

    local = Path(__file__).resolve().parents[1] / ".ci" / "node" / "node_modules" / ".bin" / "anvil"
    if local.exists():
        return str(local)
    return shutil.which("anvil")


class Anvil:
    """One anvil process on a free 127.0.0.1 port; `restart()` starts a fresh one (its state
    gone, as a node that lost its mempool and chain would) on the same port."""

    def __init__(self, binary: str) -> None:
        import socket

        self.binary = binary
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = None
        from eth_account import Account

        self.funded = Account.from_key(ANVIL_KEY).address

    def start(self) -> None:
        import json
        import subprocess
        import time
        import urllib.request

        cmd = [self.binary, "--host", "127.0.0.1", "--port", str(self.port), "--silent"]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []})
        deadline = time.monotonic() + 30
        while True:
            try:
                req = urllib.request.Request(
                    self.url, body.encode(), {"Content-Type": "application/json"}
                )
                with urllib.request.urlopen(req, timeout=1) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("anvil did not start") from None
                time.sleep(0.05)
        self.rpc("anvil_setBalance", [self.funded, hex(10**24)])

    def rpc(self, method: str, params: list):
        import json
        import urllib.request

        body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params})
        req = urllib.request.Request(self.url, body.encode(), {"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=5) as resp:
            return json.load(resp).get("result")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        self.proc = None

    def restart(self) -> None:
        self.stop()
        self.start()


@pytest.fixture
def anvil():
    """A running anvil; missing: a failure in CI (CI=true), a skip elsewhere."""
    binary = anvil_binary()
    if binary is None:
        message = "anvil missing: npm install --prefix .ci/node @foundry-rs/anvil"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    node = Anvil(binary)
    node.start()
    try:
        yield node
    finally:
        node.stop()

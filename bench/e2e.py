"""End-to-end figures: remittances per second from POST /v1/remittances to paid_out, through a
real `remit serve` process and the partner simulator in its own process, with load from a third
process (bench/load.py); and the ceilings they compare with, measured in the same run: a bare
aiohttp handler's requests per second and pgbench's transactions per second.

Real sanctions lists (the shipped snapshot `remit serve` loads), AML rules on, PostgreSQL with
fsync on (the server's own setting, reported), SQLite with synchronous=FULL."""

from __future__ import annotations

import asyncio
import json
import math
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
DEFAULT_PG = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
REMIT = [PY, "-c", "from gateway.commands import main; raise SystemExit(main())"]


@dataclass
class Options:
    duration: float = 10.0
    connections: int = 32
    rate: float = 200.0
    # One worker, 64 in flight (as many as the shipped 4 workers x 16), so they move in
    # lockstep: batched reads and commits serve more of them at once (docs/design.md, #28).
    workers: int = 1
    batch: int = 64
    processes: int = 2  # the gateway is CPU-bound in Python: one process per core
    # One niced process runs the pipeline; HTTP processes run none of it (see README).
    pipeline_processes: int = 1
    worker_processes: int | None = None  # the gateway's default
    # SQLite runs as shipped, one process for everything: a file has one writer, so a second
    # process adds waits in SQLite's busy handler, not throughput (docs/design.md, #28).
    sqlite_processes: int = 1
    sqlite_pipeline_processes: int = 0
    senders: int = 1500
    settle_s: float = 120.0
    # Paced runs per database, one after another on the same gateway, each settled before the
    # next: the accept-latency goal counts the runs that meet it (4 of 5, #28).
    paced_runs: int = 5
    # Each database run again with REMIT_DATA_ENCRYPTION=off, to show what encryption costs.
    compare_encryption: bool = False
    # Each database run again with REMIT_CHAIN=off (the partner paid in the ledger alone), to
    # show what settling on the embedded chain costs.
    compare_chain: bool = False
    # With a comparison, how many times each variant runs, alternating A B B A ... so a change
    # of load on a shared machine falls on both alike; each round is reported, and the mean.
    rounds: int = 1
    # Every variant with REMIT_CHAIN=off (the partner paid in the ledger alone): a comparison
    # of something else (encryption) without the embedded chain's CPU in both columns.
    no_chain: bool = False


@dataclass(frozen=True)
class Variant:
    """One configuration of the gateway under test; the first is the one every figure is of,
    the others run again beside it with one thing off (its `suffix` names the column)."""

    suffix: str = ""
    encrypt: bool = True
    chain: bool = True


BASE = Variant()
VARIANTS = {
    "compare_encryption": Variant("-plain", encrypt=False),
    "compare_chain": Variant("-nochain", chain=False),
}
"""Options flag -> the variant it adds."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def env_with(**extra: str) -> dict[str, str]:
    # Benchmarks price from the shipped sample rates (REMIT_RATES_MODE=sample) unless told, and
    # reach the partner simulator on this machine's loopback over http (the outbound rule's
    # development opening, as `remit demo` and the tests use it).
    env = {
        "REMIT_RATES_MODE": "sample",
        "REMIT_OUTBOUND_HTTP": "on",
        "REMIT_OUTBOUND_ALLOW": "127.0.0.0/8,::1",
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "REMIT_LOG_LEVEL": "warning",
    }
    env.update(extra)
    return env


def wait_http(url: str, proc: subprocess.Popen, timeout: float = 300) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args[:3]} exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer")


@contextmanager
def process(cmd: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen]:
    with log.open("ab") as out:
        proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=out, stderr=out)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def tree_pids(pid: int) -> list[int]:
    """A process and its descendants (a supervisor and its gateways)."""
    pids, todo = [], [pid]
    while todo:
        current = todo.pop()
        pids.append(current)
        try:
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return pids


def tree_peak_rss_mb(pid: int) -> float | None:
    """Peak RSS of a process and its descendants, summed."""
    peaks = [p for p in map(peak_rss_mb, tree_pids(pid)) if p is not None]
    return round(sum(peaks), 1) if peaks else None


def peak_rss_mb(pid: int) -> float | None:
    """VmHWM: the process's peak resident set size so far."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def stat_fields(pid: int) -> list[str] | None:
    """/proc/PID/stat after the command name (field 3, the state, first); None once gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def cpu_s(pids: list[int]) -> float:
    """User + system CPU seconds the processes have used so far (those still running)."""
    ticks = 0
    for fields in filter(None, map(stat_fields, pids)):
        ticks += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return ticks / CLOCK_TICKS


def nice(pid: int) -> int:
    fields = stat_fields(pid)
    return int(fields[16]) if fields else 0  # field 19


def comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def machine_busy_s() -> float:
    """CPU seconds the machine's cores have spent working (/proc/stat: user, nice, system, irq,
    softirq), whoever for; not idle, I/O wait or time the hypervisor gave to other guests."""
    ticks = [int(n) for n in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:8]]
    user, niced, system, irq, softirq = ticks[0], ticks[1], ticks[2], ticks[5], ticks[6]
    return (user + niced + system + irq + softirq) / CLOCK_TICKS


def children_cpu_s() -> float:
    """CPU seconds of this process's finished children (the load client runs as one)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class CpuMeter:
    """What one closed-loop run cost in CPU, per remittance paid out, and who spent it: with
    a machine of `cpus` cores, cpus x 1000 / (ms per remittance) is the most it can pay out
    per second at that cost, however the work is scheduled."""

    def __init__(self, gateway: int, simulator: int) -> None:
        self.gateway, self.simulator = gateway, simulator
        self.start = self._read()

    def _read(self) -> dict[str, float]:
        gateway = tree_pids(self.gateway)
        # The supervisor names its children (remit-serve-N, remit-pipe-N, remit-chain).
        names = {pid: comm(pid) for pid in gateway}
        return {
            "machine": machine_busy_s(),
            "gateway": cpu_s(gateway),
            "gateway_pipeline": cpu_s([p for p, n in names.items() if n.startswith("remit-pipe")]),
            "gateway_chain": cpu_s([p for p, n in names.items() if n == "remit-chain"]),
            "simulator": cpu_s([self.simulator]),
            "load_client": children_cpu_s(),
        }

    def per_remittance(self, paid_out: int) -> dict:
        end = self._read()
        ms = {k: 1000 * (end[k] - self.start[k]) / max(paid_out, 1) for k in end}
        ms["postgres_and_rest"] = ms["machine"] - ms["gateway"] - ms["simulator"]
        ms["postgres_and_rest"] -= ms["load_client"]
        cpus = os.cpu_count() or 1
        return {
            "cpu_ms_per_remittance": {k: round(v, 2) for k, v in ms.items()},
            "cpu_bound_ceiling_per_s": round(cpus * 1000 / ms["machine"], 1)
            if ms["machine"] > 0
            else None,
        }


def metric_totals(text: str, names: tuple[str, ...]) -> dict[str, float]:
    """The named counters' values in a Prometheus exposition, each summed over its samples
    (labels, processes)."""
    totals = dict.fromkeys(names, 0.0)
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        sample, _, value = line.rpartition(" ")
        name = sample.split("{", 1)[0]
        if name in totals:
            totals[name] += float(value)
    return totals


DB_COUNTERS = ("remit_db_statements_total", "remit_db_commits_total")


def db_counts(base: str, operator_key: str) -> dict[str, float]:
    """The gateway's own count of SQL statements and commits so far (all its processes)."""
    import urllib.request

    req = urllib.request.Request(
        base + "/metrics", headers={"Authorization": f"Bearer {operator_key}"}
    )
    with urllib.request.urlopen(req, timeout=30) as resp:
        totals = metric_totals(resp.read().decode(), DB_COUNTERS)
    return {"statements": totals[DB_COUNTERS[0]], "commits": totals[DB_COUNTERS[1]]}


def per_remittance(start: dict[str, float], end: dict[str, float], paid_out: int) -> dict:
    """Each count's growth between two readings, per remittance paid out (2 decimals)."""
    if not paid_out:
        return dict.fromkeys(end)
    return {k: round((end[k] - start[k]) / paid_out, 2) for k in end}


def pg_transactions(url: str) -> float:
    """Transactions PostgreSQL has counted in this database (pg_stat_database: commits and
    rollbacks, reads included), once its backends have reported: the statistics reach the
    view when a backend goes idle, at most about every ten seconds, so this reads until two
    readings a second apart agree (at most 15 s)."""

    async def read() -> float:
        from sqlalchemy.ext.asyncio import create_async_engine

        engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
        query = sa.text(
            "SELECT xact_commit + xact_rollback FROM pg_stat_database "
            "WHERE datname = current_database()"
        )
        try:
            async with engine.connect() as conn:
                last, deadline = None, time.monotonic() + 15
                while True:
                    await conn.execute(sa.text("SELECT pg_stat_clear_snapshot()"))
                    now = float((await conn.execute(query)).scalar_one())
                    if now == last or time.monotonic() > deadline:
                        return now
                    last = now
                    await asyncio.sleep(1.0)
        finally:
            await engine.dispose()

    return asyncio.run(read())


def load(mode: str, *args: str, timeout: float = 600) -> dict:
    out = subprocess.run(
        [PY, "-m", "bench.load", mode, *args],
        cwd=ROOT,
        env=env_with(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if out.returncode != 0:
        raise RuntimeError(f"load {mode} failed: {out.stderr[-2000:]}")
    return json.loads(out.stdout)


# --- databases ---------------------------------------------------------------------------------


def pg_admin(server: str, statement: str) -> None:
    async def run() -> None:
        from sqlalchemy.ext.asyncio import create_async_engine

        engine = create_async_engine(server, isolation_level="AUTOCOMMIT")
        try:
            async with engine.connect() as conn:
                await conn.execute(sa.text(statement))
        finally:
            await engine.dispose()

    asyncio.run(run())


@contextmanager
def pg_database(server: str, prefix: str) -> Iterator[str]:
    """A database of our own on the benchmark server, dropped afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    pg_admin(server, f'CREATE DATABASE "{name}"')
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        pg_admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def pg_setting(server: str, name: str) -> str:
    async def read() -> str:
        from sqlalchemy.ext.asyncio import create_async_engine

        engine = create_async_engine(server)
        try:
            async with engine.connect() as conn:
                return (await conn.execute(sa.text(f"SHOW {name}"))).scalar_one()
        finally:
            await engine.dispose()

    return asyncio.run(read())


# --- the gateway under test --------------------------------------------------------------------


async def seed(url: str, sim_url: str, chain_address: str | None = None) -> dict[str, str]:
    from corridors.simulator import DEV_SECRET
    from gateway.services import utc_now
    from gateway.storage.engine import create_engine
    from gateway.storage.keys import create_key
    from gateway.storage.migrate import upgrade_async
    from gateway.storage.partners import upsert_partner

    await upgrade_async(url)
    engine = create_engine(url)
    keys = {}
    try:
        async with engine.begin() as conn:
            await upsert_partner(
                conn,
                "sim-ph-wallet",
                name="simulator",
                base_url=sim_url,
                secret=DEV_SECRET.decode(),
                now=utc_now(),
                chain_address=chain_address,
            )
            for role in ("sender-app", "operator"):
                keys[role], _ = await create_key(conn, f"bench-{role}", role, None, utc_now())
    finally:
        await engine.dispose()
    return keys


async def settle(url: str, ids: list[str], timeout: float) -> dict:
    """Wait until the given remittances are terminal (or time runs out); then the figures."""
    from gateway.domain.states import TERMINAL
    from gateway.storage.engine import create_engine
    from gateway.storage.tables import remittance_history, remittances

    engine = create_engine(url)
    terminal = [s.value for s in TERMINAL]
    wanted = set(ids)
    deadline = time.monotonic() + timeout
    try:
        while True:
            async with engine.connect() as conn:
                rows = (await conn.execute(sa.select(remittances.c.id, remittances.c.status))).all()
            counts: dict[str, int] = {}
            for row in rows:
                if row.id in wanted:
                    counts[row.status] = counts.get(row.status, 0) + 1
            pending = sum(n for s, n in counts.items() if s not in terminal)
            if pending == 0 or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.5)
        query = (
            sa.select(remittances.c.id, remittances.c.created_at, remittance_history.c.at)
            .join(remittance_history, remittance_history.c.remittance_id == remittances.c.id)
            .where(remittance_history.c.to_status == "paid_out")
        )
        async with engine.connect() as conn:
            paid = [r for r in (await conn.execute(query)).all() if r.id in wanted]
    finally:
        await engine.dispose()
    result: dict = {"states": counts, "unsettled": pending, "paid_out": len(paid)}
    if paid:
        first = min(r.created_at for r in paid)
        last = max(r.at for r in paid)
        window = (last - first).total_seconds()
        to_paid = sorted((r.at - r.created_at).total_seconds() for r in paid)
        result["window_s"] = round(window, 2)
        result["e2e_per_s"] = round(len(paid) / window, 1) if window > 0 else None
        result["to_paid_out_p50_s"] = round(to_paid[len(to_paid) // 2], 3)
        result["to_paid_out_p99_s"] = round(
            to_paid[min(len(to_paid) - 1, int(0.99 * len(to_paid)))], 3
        )
    return result


async def chain_figures(url: str, window_s: float | None) -> dict:
    """What the chain did: transactions mined (by purpose), remittances settled on chain, how
    many each settle() carried, and on-chain transactions per second of the run's window."""
    from gateway.storage.engine import create_engine
    from ledger_adapter.evm.items import ITEMS, TXS

    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            txs = (
                await conn.execute(
                    sa.select(TXS.c.purpose, sa.func.count())
                    .where(TXS.c.status == "mined")
                    .group_by(TXS.c.purpose)
                )
            ).all()
            settled = (
                await conn.execute(
                    sa.select(sa.func.count()).where(ITEMS.c.status.in_(("settled", "returned")))
                )
            ).scalar_one()
            waiting = (
                await conn.execute(
                    sa.select(sa.func.count()).where(ITEMS.c.status.in_(("queued", "batched")))
                )
            ).scalar_one()
    finally:
        await engine.dispose()
    by_purpose = {p: n for p, n in txs}
    mined = sum(by_purpose.values())
    settles = by_purpose.get("settle", 0)
    return {
        "transactions_mined": by_purpose,
        "remittances_settled_on_chain": settled,
        "remittances_waiting_for_chain": waiting,
        "remittances_per_settle_tx": round(settled / settles, 1) if settles else None,
        "chain_tx_per_s": round(mined / window_s, 2) if window_s else None,
    }


def run_gateway(kind: str, url: str, opts: Options, workdir: Path, variant: Variant = BASE) -> dict:
    """One database: start simulator and gateway, create senders, a closed-loop run for
    throughput, then a paced run at `opts.rate` for accept latency; every figure from them.
    With the chain on, the partner has a chain address: every remittance is minted and paid to
    it on the embedded chain (batched) before its payout instruction."""
    sim_port, port = free_port(), free_port()
    sim_url, base = f"http://127.0.0.1:{sim_port}", f"http://127.0.0.1:{port}"
    address = f"0x{uuid.uuid4().hex}{uuid.uuid4().hex[:8]}" if variant.chain else None
    keys = asyncio.run(seed(url, sim_url, address))
    gw_env = env_with(
        REMIT_DATABASE_URL=url,
        REMIT_PORT=str(port),
        REMIT_WORKERS=str(opts.workers),
        REMIT_WORKER_BATCH=str(opts.batch),
        REMIT_PROCESSES=str(opts.processes),
        REMIT_PIPELINE_PROCESSES=str(opts.pipeline_processes),
        REMIT_DATA_ENCRYPTION="on" if variant.encrypt else "off",
        REMIT_CHAIN="embedded" if variant.chain else "off",
    )
    if opts.worker_processes is not None:
        gw_env["REMIT_WORKER_PROCESSES"] = str(opts.worker_processes)
    sim_cmd = [PY, "-m", "corridors.simulator", "--port", str(sim_port)]
    result: dict = {
        "processes": opts.processes,
        "workers": opts.workers,
        "worker_processes": opts.worker_processes,
        "pipeline_processes": opts.pipeline_processes,
        "worker_batch": opts.batch,
        "personal_data_encrypted": variant.encrypt,
        "chain": "embedded" if variant.chain else "off",
    }
    with (
        process(sim_cmd, env_with(), workdir / f"sim-{kind}.log") as sim,
        process([*REMIT, "serve"], gw_env, workdir / f"gateway-{kind}.log") as gw,
    ):
        wait_http(sim_url + "/_sim/payouts", sim)
        started = time.monotonic()
        wait_http(base + "/healthz", gw)
        result["startup_s"] = round(time.monotonic() - started, 1)
        common = ["--url", base, "--key", keys["sender-app"]]
        paced_senders = math.ceil(opts.rate * opts.duration * 1.2 / 5)
        paced = paced_names(opts.paced_runs)
        for prefix, count in (("closed", opts.senders), *((p, paced_senders) for p in paced)):
            load(
                "setup",
                *common,
                "--operator-key",
                keys["operator"],
                "--count",
                str(count),
                "--prefix",
                prefix,
                "--connections",
                "16",
                "--out",
                str(workdir / f"{prefix}-{kind}.json"),
            )
        counts = db_counts(base, keys["operator"])
        if not is_sqlite_url(url):
            counts["pg_transactions"] = pg_transactions(url)
        meter = CpuMeter(gateway=gw.pid, simulator=sim.pid)

        def run_load(name: str, *extra: str) -> dict:
            """One load run, settled: its figures (the ids it sent left out)."""
            sent = load(
                "remit",
                *common,
                "--senders",
                str(workdir / f"{name}-{kind}.json"),
                "--connections",
                str(opts.connections),
                "--duration",
                str(opts.duration),
                *extra,
            )
            figures = {k: v for k, v in sent.items() if k != "ids"}
            return figures | asyncio.run(settle(url, sent["ids"], opts.settle_s))

        result["closed_loop"] = run_load("closed")
        paid_out = result["closed_loop"]["paid_out"]
        result["closed_loop"].update(meter.per_remittance(paid_out))
        counted = db_counts(base, keys["operator"])
        if not is_sqlite_url(url):
            counted["pg_transactions"] = pg_transactions(url)
        result["closed_loop"]["per_remittance"] = per_remittance(counts, counted, paid_out)
        if variant.chain:
            window = result["closed_loop"].get("window_s")
            result["chain"] = asyncio.run(chain_figures(url, window))
        runs = [run_load(name, "--rate", str(opts.rate)) for name in paced]
        result["paced"] = runs[0]
        result["paced_runs"] = [
            {k: run.get(k) for k in ("accepted_per_s", "accept_p50_ms", "accept_p99_ms")}
            for run in runs
        ]
        result["gateway_peak_rss_mb"] = tree_peak_rss_mb(gw.pid)
        result["simulator_peak_rss_mb"] = peak_rss_mb(sim.pid)
    return result


def paced_names(runs: int) -> list[str]:
    """The senders' file prefix of each paced run: paced, paced-2, ..."""
    return ["paced", *(f"paced-{n}" for n in range(2, max(1, runs) + 1))]


def is_sqlite_url(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def run_sqlite(opts: Options, workdir: Path, variant: Variant = BASE) -> dict:
    kind = "sqlite" + variant.suffix
    path = workdir / f"{kind}.db"
    for n in range(2, 1000):  # a later round gets a fresh file
        if not path.exists():
            break
        path = workdir / f"{kind}-{n}.db"
    url = f"sqlite+aiosqlite:///{path}"
    layout = replace(
        opts, processes=opts.sqlite_processes, pipeline_processes=opts.sqlite_pipeline_processes
    )
    return {
        "database": "sqlite (WAL, synchronous=FULL)",
        **run_gateway(kind, url, layout, workdir, variant),
    }


def run_postgres(server: str, opts: Options, workdir: Path, variant: Variant = BASE) -> dict:
    fsync = pg_setting(server, "fsync")
    commit = pg_setting(server, "synchronous_commit")
    kind = "postgres" + variant.suffix
    with pg_database(server, "remit_bench") as url:
        figures = run_gateway(kind, url, opts, workdir, variant)
    return {"database": f"postgresql (fsync={fsync}, synchronous_commit={commit})", **figures}


def round_key(key: str, n: int) -> str:
    """The e2e column of round n (0-based): the first round's has no mark, later ones `#n`."""
    return key if n == 0 else f"{key}#{n + 1}"


def _rounds(e2e: dict, key: str) -> list[dict]:
    found, n = [], 0
    while round_key(key, n) in e2e:
        found.append(e2e[round_key(key, n)].get("closed_loop", {}))
        n += 1
    return found


def variant_cost(e2e: dict, suffix: str, on_key: str, off_key: str) -> dict:
    """Each database's e2e rate beside the same run with one thing off (column kind+suffix):
    how much of the rate that thing costs. With several rounds, the means, and each round's
    rates and gateway CPU per remittance (ms) in `rounds`."""
    cost = {}
    for kind in ("sqlite", "postgres"):
        pairs = [
            (a, b)
            for a, b in zip(_rounds(e2e, kind), _rounds(e2e, kind + suffix), strict=False)
            if a.get("e2e_per_s") and b.get("e2e_per_s")
        ]
        if not pairs:
            continue
        on = round(sum(a["e2e_per_s"] for a, _ in pairs) / len(pairs), 1)
        off = round(sum(b["e2e_per_s"] for _, b in pairs) / len(pairs), 1)
        cost[kind] = {on_key: on, off_key: off, "rate_cost_pct": round(100 * (off - on) / off, 1)}
        if len(pairs) > 1:
            cpu = lambda r: r.get("cpu_ms_per_remittance", {}).get("gateway")  # noqa: E731
            cost[kind]["rounds"] = [
                {
                    on_key: a["e2e_per_s"],
                    off_key: b["e2e_per_s"],
                    "rate_cost_pct": round(
                        100 * (b["e2e_per_s"] - a["e2e_per_s"]) / b["e2e_per_s"], 1
                    ),
                    "gateway_cpu_ms": [cpu(a), cpu(b)],
                }
                for a, b in pairs
            ]
    return cost


def encryption_cost(e2e: dict) -> dict:
    """Each database's e2e rate with personal data encrypted beside the same run without."""
    return variant_cost(e2e, "-plain", "encrypted_per_s", "plain_per_s")


def chain_cost(e2e: dict) -> dict:
    """Each database's e2e rate settling on the embedded chain beside the same run without,
    with the chain's own figures (transactions per second, remittances per settle())."""
    cost = variant_cost(e2e, "-nochain", "chain_per_s", "no_chain_per_s")
    for kind, figures in cost.items():
        figures.update(e2e[kind].get("chain", {}))
    return cost


# --- the goals (#28) ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Goal:
    """A figure of one e2e column (the shipped configuration, first round) and its bound."""

    name: str
    kind: str  # the e2e column: sqlite or postgres
    figure: tuple[str, ...]  # the path to it in that column
    op: str  # "<=", "<" or ">="
    bound: float
    rate: float | None = None  # a paced-run figure: only at this offered rate
    # A figure of every paced run (`paced_runs`): met when at least this share of them meet it.
    share_of_runs: float | None = None


GOALS = (
    Goal("CPU ms per remittance, whole machine", "postgres",
         ("closed_loop", "cpu_ms_per_remittance", "machine"), "<=", 7.0),
    Goal("CPU ms per remittance, whole machine", "sqlite",
         ("closed_loop", "cpu_ms_per_remittance", "machine"), "<=", 7.0),
    Goal("remittances/s end to end", "postgres", ("closed_loop", "e2e_per_s"), ">=", 200.0),
    Goal("accept p99 ms at 200/s offered", "postgres", ("accept_p99_ms",), "<", 50.0,
         rate=200.0, share_of_runs=0.8),
    Goal("remittances/s end to end", "sqlite", ("closed_loop", "e2e_per_s"), ">=", 60.0),
)  # fmt: skip


def goals(e2e: dict, offered_rate: float) -> list[dict]:
    """Each goal beside the figure this run measured: passed True or False, or None when the
    run did not measure it (that database not run, or a paced run at another rate)."""
    compare = {"<=": lambda a, b: a <= b, "<": lambda a, b: a < b, ">=": lambda a, b: a >= b}
    out = []
    for goal in GOALS:
        name = f"{goal.name} ({goal.kind}) {goal.op} {goal.bound:g}"
        column = e2e.get(goal.kind) or {}
        if goal.rate is not None and offered_rate != goal.rate:
            column = {}
        if goal.share_of_runs is None:
            value = _figure(column, goal.figure)
            passed = None if value is None else compare[goal.op](value, goal.bound)
            out.append({"goal": name, "measured": value, "passed": passed})
            continue
        values = [_figure(run, goal.figure) for run in column.get("paced_runs") or []]
        values = [v for v in values if v is not None]
        needed = math.ceil(goal.share_of_runs * len(values))
        met = sum(compare[goal.op](v, goal.bound) for v in values)
        out.append(
            {
                "goal": f"{name} in {needed} of {len(values)} runs" if values else name,
                "measured": values or None,
                "runs_met": met if values else None,
                "passed": None if not values else met >= needed,
            }
        )
    return out


def _figure(column: dict, path: tuple[str, ...]) -> float | None:
    value: object = column
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value if isinstance(value, int | float) else None


def per_core(e2e: dict, cpus: int) -> dict:
    """Each column's end-to-end rate per core of this machine."""
    rates = {k: v.get("closed_loop", {}).get("e2e_per_s") for k, v in e2e.items()}
    return {k: round(r / cpus, 1) if r else None for k, r in rates.items()}


# --- ceilings ----------------------------------------------------------------------------------

BARE_SERVER = """
import sys
from aiohttp import web
async def ok(request):
    return web.json_response({"status": "ok"})
app = web.Application()
app.router.add_get("/", ok)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None)
"""


def aiohttp_ceiling(opts: Options, workdir: Path) -> dict:
    port = free_port()
    with process([PY, "-c", BARE_SERVER, str(port)], env_with(), workdir / "bare.log") as proc:
        wait_http(f"http://127.0.0.1:{port}/", proc)
        figures = load(
            "bare",
            "--url",
            f"http://127.0.0.1:{port}",
            "--connections",
            str(opts.connections),
            "--duration",
            str(opts.duration),
        )
    return figures


def pgbench_ceiling(server: str, opts: Options) -> dict:
    exe = shutil.which("pgbench")
    if exe is None:
        return {"error": "pgbench not installed (Debian: postgresql-contrib / postgresql-client)"}
    u = make_url(server)
    with pg_database(server, "remit_pgbench") as url:
        name = make_url(url).database
        env = {**os.environ, "PGPASSWORD": u.password or ""}
        conn = [
            "-h",
            u.host or "127.0.0.1",
            "-p",
            str(u.port or 5432),
            "-U",
            u.username or "postgres",
        ]
        subprocess.run(
            [exe, "-i", "-q", "-s", "10", *conn, name], env=env, check=True, capture_output=True
        )
        clients = str(min(opts.connections, 32))
        out = subprocess.run(
            [exe, "-c", clients, "-j", "2", "-T", str(int(opts.duration)), *conn, name],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    tps = re.search(r"tps = ([\d.]+)", out)
    return {
        "tps": float(tps.group(1)) if tps else None,
        "clients": int(clients),
        "script": "tpcb-like",
    }


# --- the other areas' benchmarks ----------------------------------------------------------------

COMPONENTS = {
    "fx": ["--seconds", "0.5"],
    "screening": ["--recall", "300", "--ordinary", "800", "--baseline", "300"],
    "ledger": ["--single", "500", "--batches", "300"],
}


def components(server: str | None) -> dict:
    """Run bench/fx.py, bench/screening.py and bench/ledger.py as they are; tolerate any that is
    missing or fails (its error is reported instead)."""
    out: dict = {}
    for name, args in COMPONENTS.items():
        if not (ROOT / "bench" / f"{name}.py").exists():
            out[name] = {"error": "missing"}
            continue
        env = env_with()
        if server:
            env["REMIT_BENCH_DATABASE_URL"] = server
        elif name == "ledger":
            args = [*args, "--sqlite-only"]
        try:
            done = subprocess.run(
                [PY, "-m", f"bench.{name}", *args],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=600,
            )
        except subprocess.TimeoutExpired:
            out[name] = {"error": "timed out"}
            continue
        text = done.stdout.strip()
        out[name] = {"ok": done.returncode == 0, "output": text.splitlines()[-30:]}
        if done.returncode != 0:
            out[name]["error"] = done.stderr.strip().splitlines()[-3:]
    return out


def run_all(opts: Options, *, sqlite: bool, postgres: bool, ceilings: bool, others: bool) -> dict:
    server = os.environ.get("REMIT_BENCH_DATABASE_URL") or DEFAULT_PG
    # PostgreSQL refuses to start without personal-data keys: the bench brings its own.
    from gateway.storage.datakeys import KEYS_ENV, new_key_line

    os.environ.setdefault(KEYS_ENV, new_key_line("bench"))
    report: dict = {
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
        "load": {
            "process": "bench/load.py (aiohttp client, own process), closed loop",
            "connections": opts.connections,
            "duration_s": opts.duration,
            "offered_rate_paced_run": opts.rate,
        },
        "e2e": {},
    }
    with tempfile.TemporaryDirectory(prefix="remit-bench-") as tmp:
        workdir = Path(tmp)
        variants = [BASE] + [v for flag, v in VARIANTS.items() if getattr(opts, flag)]
        if opts.no_chain:
            variants = [replace(v, chain=False) for v in variants if v.chain]
        rounds = max(1, opts.rounds) if len(variants) > 1 else 1
        for kind, run in (("sqlite", sqlite), ("postgres", postgres)):
            for n in range(rounds):
                for v in variants if n % 2 == 0 else variants[::-1]:  # A B, B A, A B ...
                    key = round_key(kind + v.suffix, n)
                    if run and kind == "sqlite":
                        report["e2e"][key] = run_sqlite(opts, workdir, v)
                    elif run:
                        report["e2e"][key] = run_postgres(server, opts, workdir, v)
        if ceilings:
            report["ceilings"] = {"aiohttp": aiohttp_ceiling(opts, workdir)}
            if postgres:
                report["ceilings"]["pgbench"] = pgbench_ceiling(server, opts)
        if others:
            report["components"] = components(server if postgres else None)
    e2e = report["e2e"]
    report["e2e_remittances_per_s"] = {k: v["closed_loop"].get("e2e_per_s") for k, v in e2e.items()}
    report["accept_p99_ms"] = {k: v["paced"].get("accept_p99_ms") for k, v in e2e.items()}
    report["accept_p99_ms_closed_loop"] = {
        k: v["closed_loop"].get("accept_p99_ms") for k, v in e2e.items()
    }
    report["peak_rss_mb"] = {k: v.get("gateway_peak_rss_mb") for k, v in e2e.items()}
    report["e2e_per_s_per_core"] = per_core(e2e, report["machine"]["cpus"] or 1)
    report["per_remittance"] = {k: v["closed_loop"].get("per_remittance") for k, v in e2e.items()}
    report["goals"] = goals(e2e, opts.rate)
    if opts.compare_encryption:
        report["encryption_cost"] = encryption_cost(e2e)
    if opts.compare_chain:
        report["chain_cost"] = chain_cost(e2e)
    c = report.get("ceilings", {})
    report["ceilings_summary"] = {
        "aiohttp_rps": c.get("aiohttp", {}).get("rps"),
        "pgbench_tps": c.get("pgbench", {}).get("tps"),
    }
    return report

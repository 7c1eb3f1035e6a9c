"""`remit serve --processes N`: N gateway processes on one port under one supervisor."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import time
import urllib.request
import uuid
from pathlib import Path

import pytest
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.parser import text_string_to_metric_families

from bench.e2e import REMIT, comm, free_port, nice, process, stat_fields, wait_http
from gateway.domain.states import Status

START_TIMEOUT_S = 120


def _children(pid: int) -> set[int]:
    """The gateway processes under `pid` (not multiprocessing's resource tracker)."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            try:
                cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
            except OSError:
                continue
            if b"spawn_main" in cmdline:
                found.add(int(child))
    return found


def _alive(pid: int) -> bool:
    fields = stat_fields(pid)
    return fields is not None and fields[0] != "Z"


def _metrics_dir(pid: int) -> Path:
    """Where a gateway process writes its metrics (its supervisor made the directory)."""
    environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    found = [v.split(b"=", 1)[1] for v in environ if v.startswith(b"PROMETHEUS_MULTIPROC_DIR=")]
    assert found, "the gateway process has no PROMETHEUS_MULTIPROC_DIR"
    return Path(found[0].decode())


def _rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(status.split("VmRSS:", 1)[1].split()[0]) / 1024


def _listens(pid: int) -> bool:
    """Whether the process holds a listening TCP socket (its socket inodes in /proc/net/tcp*)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):
            target = os.readlink(fd)
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    listening = set()
    for table in ("tcp", "tcp6"):
        for line in Path(f"/proc/net/{table}").read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A":  # TCP_LISTEN
                listening.add(fields[9])
    return bool(inodes & listening)


@contextlib.contextmanager
def _serving(database_url: str, tmp_path: Path, children: int = 3, **extra_env: str):
    """`remit serve --processes 2`: two serve processes and, the chain being on by default,
    the chain's owner."""
    port = free_port()
    env = {
        **os.environ,
        "REMIT_DATABASE_URL": database_url,
        "REMIT_PORT": str(port),
        "REMIT_LOG_LEVEL": "warning",
        "TMPDIR": str(tmp_path),  # the metrics directory too, even if a test kills the supervisor
        **extra_env,
    }
    with process([*REMIT, "serve", "--processes", "2"], env, tmp_path / "serve.log") as proc:
        wait_http(f"http://127.0.0.1:{port}/readyz", proc, START_TIMEOUT_S)
        deadline = time.monotonic() + START_TIMEOUT_S
        named = lambda: [p for p in _children(proc.pid) if comm(p).startswith("remit-")]  # noqa: E731
        while len(named()) < children and time.monotonic() < deadline:
            time.sleep(0.2)  # started, and named (each child names itself as it starts)
        yield proc, port


@pytest.fixture
def serve(migrated_database_url: str, tmp_path: Path):
    with _serving(migrated_database_url, tmp_path) as served:
        yield served


def test_two_processes_answer_and_stop_together(serve) -> None:
    proc, port = serve
    children = _children(proc.pid)
    assert sorted(map(comm, children)) == ["remit-chain", "remit-serve-0", "remit-serve-1"]
    metrics_dir = _metrics_dir(min(children))
    assert {_metrics_dir(pid) for pid in children} == {metrics_dir} and metrics_dir.is_dir()
    for _ in range(20):
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as resp:
            assert resp.status == 200
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(60) == 0
    assert not any(_alive(pid) for pid in children)
    assert not metrics_dir.exists()  # the next run starts from zero, not from these counts


def test_a_dying_process_takes_the_others_down(serve) -> None:
    proc, _ = serve
    children = sorted(_children(proc.pid))
    os.kill(children[0], signal.SIGKILL)
    assert proc.wait(60) != 0  # a process manager sees the failure and restarts the whole
    assert not any(_alive(pid) for pid in children)


def test_processes_stop_when_the_supervisor_is_killed(serve) -> None:
    proc, _ = serve
    children = _children(proc.pid)
    proc.kill()  # SIGKILL: the supervisor cannot forward anything
    proc.wait(30)
    deadline = time.monotonic() + 60
    while any(_alive(pid) for pid in children) and time.monotonic() < deadline:
        time.sleep(0.2)  # polling for exits, not racing a result
    assert not any(_alive(pid) for pid in children)


# --- /metrics over several processes ------------------------------------------------------------

ROUND = 8  # remittances sent at a time, until both processes have screened some
MAX_ROUNDS = 8
SCRAPES = 30  # each on a new connection, so both processes answer some


@pytest.fixture
async def keys(migrated_database_url: str) -> dict[str, str]:
    from gateway.services import utc_now
    from gateway.storage.engine import create_engine
    from gateway.storage.keys import create_key

    engine = create_engine(migrated_database_url)
    try:
        async with engine.begin() as conn:
            return {
                role: (await create_key(conn, f"test-{role}", role, None, utc_now()))[0]
                for role in ("sender-app", "operator")
            }
    finally:
        await engine.dispose()


def _call(port: int, method: str, path: str, key: str, body: dict | None = None) -> bytes:
    """One request on a new connection (urllib does not keep connections alive)."""
    headers = {"Authorization": f"Bearer {key}"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers |= {"Content-Type": "application/json", "Idempotency-Key": str(uuid.uuid4())}
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", data=data, headers=headers, method=method
    )
    with urllib.request.urlopen(req, timeout=10) as resp:
        assert resp.status in (200, 201), resp.status
        return resp.read()


def _send_held(port: int, key: str, n: int) -> None:
    """A remittance from a sanctioned sender: created -> screening -> on_hold, no partner."""
    sender = json.loads(
        _call(
            port,
            "PUT",
            "/v1/customers",
            key,
            {
                "external_id": f"held-{n}",
                "name": "Vladimir Vladimirovich Putin",
                "country": "US",
                "mobile_number": "+14155550100",
                "mobile_number_verified": True,
            },
        )
    )
    quote = json.loads(
        _call(
            port,
            "POST",
            "/v1/quotes",
            key,
            {"send_currency": "USD", "receive_currency": "PHP", "send_amount": "20.00"},
        )
    )
    recipient = {"name": "Maria Dela Cruz", "phone": "+639171234567"}
    body = {"quote_id": quote["id"], "sender_id": sender["id"], "recipient": recipient}
    _call(port, "POST", "/v1/remittances", key, body)


def _scrape(port: int, key: str) -> tuple[list[str], dict[tuple[str, tuple], float]]:
    """Family names in order, and every sample by (name, labels)."""
    text = _call(port, "GET", "/metrics", key).decode()
    families = list(text_string_to_metric_families(text))
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value for f in families for s in f.samples
    }
    return [f.name for f in families], samples


def _total(samples: dict[tuple[str, tuple], float], name: str) -> float:
    return sum(v for (n, _), v in samples.items() if n == name)


def _on_hold(samples: dict[tuple[str, tuple], float]) -> float | None:
    return samples.get(("remit_remittances", (("status", Status.ON_HOLD.value),)))


def _until(probe, expected: float, what: str, timeout: float = 60) -> None:
    """Poll until probe() == expected, with a deadline (waiting for workers, not racing them)."""
    deadline = time.monotonic() + timeout
    seen = set()
    while (value := probe()) != expected:
        seen.add(value)
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}; seen: {sorted(seen, key=str)}")
        time.sleep(0.1)


def _held_by(metrics_dir: Path, pid: int) -> float:
    """Screening holds one process counted, read from its own file alone (none: no file)."""
    path = metrics_dir / f"counter_{pid}.db"
    if not path.exists():
        return 0.0
    merged = MultiProcessCollector.merge([str(path)])
    return sum(
        s.value for m in merged for s in m.samples if s.name == "remit_screening_holds_total"
    )


def test_metrics_sum_over_processes(serve, keys) -> None:
    """Whichever process answers, /metrics counts the work of both, and the database's count of
    remittances by state appears once per state."""
    proc, port = serve
    sender_key, operator_key = keys["sender-app"], keys["operator"]
    children = {pid for pid in _children(proc.pid) if comm(pid).startswith("remit-serve")}
    metrics_dir = _metrics_dir(min(children))
    sent = 0
    for _ in range(MAX_ROUNDS):  # the kernel picks who takes each POST: maybe one, repeatedly
        for _ in range(ROUND):
            _send_held(port, sender_key, sent)
            sent += 1
        _until(lambda: _on_hold(_scrape(port, operator_key)[1]), sent, "remittances held")
        if all(_held_by(metrics_dir, pid) for pid in children):
            break
    else:
        pytest.fail(f"one process screened all {sent} remittances")

    def counted() -> float:  # the counters move just after the commit that the gauge shows
        return _total(_scrape(port, operator_key)[1], "remit_screening_holds_total")

    _until(counted, sent, "a scrape counting every hold")
    holds, transitions = set(), set()
    for _ in range(SCRAPES):
        names, samples = _scrape(port, operator_key)
        assert len(names) == len(set(names)), names  # every family once
        holds.add(_total(samples, "remit_screening_holds_total"))
        transitions.add(_total(samples, "remit_transitions_total"))
        states = {k: v for k, v in samples.items() if k[0] == "remit_remittances"}
        assert states == {
            ("remit_remittances", (("status", status.value),)): sent
            if status is Status.ON_HOLD
            else 0
            for status in Status
        }
    assert holds == {sent}, f"scrapes disagree: {sorted(holds)}"
    # Each: created -> screening -> on_hold.
    assert transitions == {2 * sent}, f"scrapes disagree: {sorted(transitions)}"
    shares = {pid: _held_by(metrics_dir, pid) for pid in children}
    assert sum(shares.values()) == sent and all(shares.values()), shares


def test_metric_directories_of_killed_supervisors_are_swept(tmp_path: Path) -> None:
    """SIGKILL skips the supervisor's cleanup; the next start removes what it left, and only
    that: a directory some live process still writes to stays."""
    import subprocess

    from gateway.commands.server import METRICS_DIR_PREFIX, sweep_stale_metrics_dirs

    gone = subprocess.Popen(["true"])
    gone.wait()
    dead, alive = gone.pid, os.getpid()

    def made(supervisor: int, writers: list[int]) -> Path:
        path = tmp_path / f"{METRICS_DIR_PREFIX}{supervisor}-{uuid.uuid4().hex[:8]}"
        path.mkdir()
        for pid in writers:
            (path / f"counter_{pid}.db").write_bytes(b"")
        return path

    left = made(dead, [dead])
    still_written = made(dead, [dead, alive])
    running = made(alive, [])
    unrelated = tmp_path / "remit-metrics-notours"
    unrelated.mkdir()

    assert sweep_stale_metrics_dirs(str(tmp_path)) == [str(left)]
    assert not left.exists()
    assert still_written.is_dir() and running.is_dir() and unrelated.is_dir()


def test_only_the_first_worker_processes_run_the_pipeline(
    migrated_database_url: str, tmp_path: Path, keys
) -> None:
    """REMIT_WORKER_PROCESSES=1: both processes take requests, the first alone screens."""
    with _serving(migrated_database_url, tmp_path, REMIT_WORKER_PROCESSES="1") as (proc, port):
        children = sorted(_children(proc.pid))  # started in order: the first has the lower pid
        metrics_dir = _metrics_dir(children[0])
        sent = 2 * ROUND
        for n in range(sent):  # each on a new connection: the kernel spreads them
            _send_held(port, keys["sender-app"], n)
        _until(lambda: _on_hold(_scrape(port, keys["operator"])[1]), sent, "remittances held")
        assert {pid: _held_by(metrics_dir, pid) for pid in children} == {
            children[0]: sent,
            children[1]: 0,
            children[2]: 0,  # the chain's owner
        }


def test_a_pipeline_process_runs_the_pipeline_niced_and_serves_no_http(
    migrated_database_url: str, tmp_path: Path, keys
) -> None:
    """REMIT_PIPELINE_PROCESSES=1 beside 2 serve processes: the serve processes take every
    request and screen nothing; the pipeline process listens on no port, runs at nice 10 and
    screens everything; the chain's owner is a fourth process, niced too, that serves nothing
    and alone loads the chain's code; SIGTERM stops all four cleanly."""
    with _serving(migrated_database_url, tmp_path, children=4, REMIT_PIPELINE_PROCESSES="1") as (
        proc,
        port,
    ):
        children = sorted(_children(proc.pid))
        names = {pid: comm(pid) for pid in children}
        assert sorted(names.values()) == [
            "remit-chain",
            "remit-pipe-0",
            "remit-serve-0",
            "remit-serve-1",
        ]
        by_name = {name: pid for pid, name in names.items()}
        pipeline, chain = by_name["remit-pipe-0"], by_name["remit-chain"]
        serving = [by_name["remit-serve-0"], by_name["remit-serve-1"]]
        base = nice(proc.pid)  # the supervisor's: a test run may itself be niced
        assert all(nice(pid) == base for pid in serving)
        assert nice(pipeline) == nice(chain) == min(base + 10, 19)  # 19 is the floor
        _until(lambda: sum(map(_listens, serving)), 2, "both serve processes listening")
        assert not _listens(pipeline) and not _listens(chain)
        metrics_dir = _metrics_dir(pipeline)
        sent = 2 * ROUND
        for n in range(sent):
            _send_held(port, keys["sender-app"], n)
        _until(lambda: _on_hold(_scrape(port, keys["operator"])[1]), sent, "remittances held")
        assert {pid: _held_by(metrics_dir, pid) for pid in children} == {
            pipeline: sent,
            chain: 0,
            serving[0]: 0,
            serving[1]: 0,
        }
        # Only the pipeline screens, so only it holds the sanctions lists' index.
        assert max(map(_rss_mb, serving)) + 150 < _rss_mb(pipeline)
        # Only the chain's owner runs an EVM and signs: it alone loaded libsecp256k1.
        _until(lambda: _loaded(chain, "coincurve"), True, "the chain's owner started")
        assert not any(_loaded(pid, "coincurve") for pid in (pipeline, *serving))
    assert proc.returncode == 0  # every child, the chain's owner too, stopped on its own


def _loaded(pid: int, library: str) -> bool:
    return library in Path(f"/proc/{pid}/maps").read_text()

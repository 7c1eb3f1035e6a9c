"""`remit serve --processes N`: N gateway processes on one port under one supervisor."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from bench.e2e import free_port, wait_http

ROOT = Path(__file__).resolve().parents[1]
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
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.fixture
def serve(migrated_database_url: str, tmp_path: Path):
    port = free_port()
    env = {
        **os.environ,
        "REMIT_DATABASE_URL": migrated_database_url,
        "REMIT_PORT": str(port),
        "REMIT_LOG_LEVEL": "warning",
    }
    log = (tmp_path / "serve.log").open("wb")
    cmd = [sys.executable, "-c", "from gateway.commands import main; raise SystemExit(main())"]
    proc = subprocess.Popen(
        [*cmd, "serve", "--processes", "2"], env=env, cwd=ROOT, stdout=log, stderr=log
    )
    try:
        wait_http(f"http://127.0.0.1:{port}/readyz", proc, START_TIMEOUT_S)
        deadline = time.monotonic() + START_TIMEOUT_S
        while len(_children(proc.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        yield proc, port
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(30)
        log.close()


def test_two_processes_answer_and_stop_together(serve) -> None:
    proc, port = serve
    children = _children(proc.pid)
    assert len(children) == 2
    for _ in range(20):
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as resp:
            assert resp.status == 200
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(60) == 0
    assert not any(_alive(pid) for pid in children)


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

"""The benchmark's CPU meter: it charges a process tree the CPU its members burn, per
remittance, and never charges the gateway for CPU the rest of the machine spent."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from bench.e2e import CpuMeter, comm, cpu_s, tree_pids

# A parent that starts two children named as the supervisor names its pipeline and chain
# processes; all burn CPU until told to stop (a line on stdin).
CHILD = """
import sys
from gateway.commands.server import name_process
name_process(sys.argv[1])
while True:
    pass
"""
BURN = f"""
import os, subprocess, sys, threading
children = [
    subprocess.Popen([sys.executable, "-c", {CHILD!r}, name]) for name in sys.argv[1:]
]
def burn():
    while True:
        pass
threading.Thread(target=burn, daemon=True).start()
print("ready", flush=True)
sys.stdin.readline()
for child in children:
    child.kill()
    child.wait()
"""


def _spin(*args: str) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-c", BURN, *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdout.readline().startswith("ready")
    return proc


def _stop(proc: subprocess.Popen) -> None:
    assert proc.stdin is not None
    proc.stdin.write("\n")
    proc.stdin.flush()
    proc.wait(10)


def _named(pid: int) -> set[str]:
    return {comm(p) for p in tree_pids(pid)} & {"remit-pipe-0", "remit-chain"}


def test_the_meter_charges_a_tree_its_own_cpu_per_remittance() -> None:
    gateway, simulator = _spin("remit-pipe-0", "remit-chain"), _spin()
    try:
        give_up = time.monotonic() + 30
        while len(_named(gateway.pid)) < 2 and time.monotonic() < give_up:
            time.sleep(0.05)  # the children are starting
        pids = tree_pids(gateway.pid)
        assert len(pids) == 3  # the parent and its children, found through /proc
        meter = CpuMeter(gateway=gateway.pid, simulator=simulator.pid)
        before = cpu_s(pids)
        while cpu_s(pids) - before < 0.6 and time.monotonic() < give_up:
            time.sleep(0.05)  # let both burn a measurable amount
        figures = meter.per_remittance(paid_out=10)
    finally:
        _stop(gateway)
        _stop(simulator)
    ms = figures["cpu_ms_per_remittance"]
    # 0.4 s or more over 10 remittances: 40 ms each at least, all of it the gateway tree's.
    assert ms["gateway"] >= 40
    # Each named child is its share: some of the tree's CPU, neither all of it.
    assert 0 < ms["gateway_pipeline"] < ms["gateway"]
    assert 0 < ms["gateway_chain"] < ms["gateway"]
    assert ms["gateway_pipeline"] + ms["gateway_chain"] < ms["gateway"]
    assert ms["simulator"] > 0
    assert ms["machine"] >= ms["gateway"] + ms["simulator"] - 1  # 1 ms: clock tick rounding
    cores = os.cpu_count()
    # The ceiling is rounded to 0.1/s: on a loaded machine (a small ceiling) that is more than 1%.
    ceiling = cores * 1000 / ms["machine"]
    assert figures["cpu_bound_ceiling_per_s"] == pytest.approx(ceiling, rel=0.01, abs=0.05)

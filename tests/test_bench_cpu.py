"""The benchmark's CPU meter: it charges a process tree the CPU its members burn, per
remittance, and never charges the gateway for CPU the rest of the machine spent."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from bench.e2e import CpuMeter, cpu_s, tree_pids

# A parent that starts a niced child (as a pipeline process is); both burn CPU until told to
# stop (a line on stdin).
BURN = """
import os, subprocess, sys, threading
child = subprocess.Popen(
    [sys.executable, "-c", "while True: pass"], preexec_fn=lambda: os.nice(10)
) if len(sys.argv) > 1 else None
def burn():
    while True:
        pass
threading.Thread(target=burn, daemon=True).start()
print("ready", child.pid if child else "", flush=True)
sys.stdin.readline()
if child:
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


def test_the_meter_charges_a_tree_its_own_cpu_per_remittance() -> None:
    gateway, simulator = _spin("with-child"), _spin()
    try:
        pids = tree_pids(gateway.pid)
        assert len(pids) == 2  # the parent and its child, found through /proc
        meter = CpuMeter(gateway=gateway.pid, simulator=simulator.pid)
        before, give_up = cpu_s(pids), time.monotonic() + 30
        while cpu_s(pids) - before < 0.4 and time.monotonic() < give_up:
            time.sleep(0.05)  # let both burn a measurable amount
        figures = meter.per_remittance(paid_out=10)
    finally:
        _stop(gateway)
        _stop(simulator)
    ms = figures["cpu_ms_per_remittance"]
    # 0.4 s or more over 10 remittances: 40 ms each at least, all of it the gateway tree's.
    assert ms["gateway"] >= 40
    # The niced child is the pipeline's share: some of the tree's CPU, not all of it.
    assert 0 < ms["gateway_pipeline"] < ms["gateway"]
    assert ms["simulator"] > 0
    assert ms["machine"] >= ms["gateway"] + ms["simulator"] - 1  # 1 ms: clock tick rounding
    cores = os.cpu_count()
    assert figures["cpu_bound_ceiling_per_s"] == pytest.approx(cores * 1000 / ms["machine"], 0.01)

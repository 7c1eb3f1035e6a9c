"""Our Vyper contracts and their committed build output (ABI and bytecode).

`python -m ledger_adapter.contracts.rebuild` recompiles them with the pinned `vyper`; a test does
the same and compares, so the committed output cannot drift from the source. At run time only
the JSON is read: the gateway needs no compiler."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

HERE = Path(__file__).parent
BUILD = HERE / "build"
CONTRACTS = ("Stablecoin", "Settlement")


@dataclass(frozen=True)
class Artifact:
    name: str
    abi: list[dict]
    bytecode: str  # 0x-prefixed creation code
    compiler: str


@cache
def artifact(name: str) -> Artifact:
    data = json.loads((BUILD / f"{name}.json").read_text())
    return Artifact(name, data["abi"], data["bytecode"], data["compiler"])

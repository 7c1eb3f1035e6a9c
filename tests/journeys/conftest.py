"""Journeys reuse the areas' fixtures: officers (with API tokens) from the compliance tests; the
chain engine the chain journeys run on; the two sanctions list versions of the re-screening
journeys."""

import pytest

from tests.conftest import ANVIL_KEY
from tests.integration.console.conftest import officers  # noqa: F401
from tests.rescreening_support import two_versions


def run_demo(monkeypatch, capsys, partner: str) -> tuple[str, dict]:
    """`remit demo --partner PARTNER` as an operator runs it (a temporary database, the shipped
    rates): what it printed, and its summary (the last line)."""
    import json

    from gateway.commands import main

    monkeypatch.delenv("REMIT_DATABASE_URL", raising=False)
    monkeypatch.delenv("REMIT_RATES_MODE", raising=False)
    assert main(["demo", "--partner", partner]) == 0
    out = capsys.readouterr().out
    return out, json.loads(out.strip().splitlines()[-1])


@pytest.fixture(params=["embedded", "anvil"])
def engine_env(request, monkeypatch) -> dict:
    """The chain engine the settler and the CLI use: embedded, or JSON-RPC against anvil."""
    if request.param == "embedded":
        return {"chain": "embedded"}
    node = request.getfixturevalue("anvil")
    monkeypatch.setenv("REMIT_CHAIN_RPC_URL", node.url)
    monkeypatch.setenv("REMIT_CHAIN_KEY", ANVIL_KEY)
    return {"chain": "rpc", "chain_rpc_url": node.url, "chain_key": ANVIL_KEY}


@pytest.fixture
def lists(tmp_path):
    """The sanctions list before and after Putin's entry (a module may define its own)."""
    return two_versions(tmp_path)

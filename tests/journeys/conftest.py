"""Journeys reuse the areas' fixtures: officers (with API tokens) from the compliance tests; the
chain engine the chain journeys run on; the two sanctions list versions of the re-screening
journeys."""

import pytest

from tests.conftest import ANVIL_KEY
from tests.integration.console.conftest import officers  # noqa: F401
from tests.rescreening_support import two_versions


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

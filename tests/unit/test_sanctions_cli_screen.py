"""`remit sanctions screen` prints its hits as JSON (the lists in the database:
tests/integration/test_sanctions_gateway_lists.py)."""

from __future__ import annotations

import json

from gateway.commands import main
from tests.kyc_gateway_support import default_logging  # noqa: F401


def _files(folder, *names):
    return [folder / n for n in names]


def test_cli_screen_prints_json_hits(small_lists, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("REMIT_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    files = [str(p) for p in _files(small_lists, "sdn.csv")]
    assert main(["sanctions", "screen", "--list", *files, "Vladimir Vladimirovich Putin"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["hits"][0]["list_name"] == "OFAC-SDN"
    assert "PUTIN" in result["hits"][0]["matched_name"].upper()
    assert result["list_version"].startswith("sha256:")

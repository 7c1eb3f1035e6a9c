"""The operators' commands on the gateway's database: `remit payins unmatched | resolve` and
`remit reconcile --payin`."""

from __future__ import annotations

import asyncio
import json

from corridors.payin import new_reference
from gateway.commands import main
from tests.funding_support import BANK, SECRET, add_payin_partner, available, callback


def _json_lines(out: str) -> list:
    """The command's JSON output (test runs log to stdout too)."""
    return [json.loads(line) for line in out.splitlines() if line.startswith(("{", "["))]


def _report(out: str) -> dict:
    return json.loads(out[out.index("{\n") :])


async def test_operator_works_suspense_and_reconciles_from_the_cli(
    gateway, migrated_database_url, monkeypatch, capsys, tmp_path
) -> None:
    gw = gateway
    monkeypatch.setenv("REMIT_DATABASE_URL", migrated_database_url)
    await add_payin_partner(gw)
    sender = await gw.customer()
    unknown = new_reference()
    await callback(gw, unknown, "25.00", payin_id="cli-1")
    capsys.readouterr()

    assert await asyncio.to_thread(main, ["payins", "unmatched"]) == 0
    listed = _json_lines(capsys.readouterr().out)
    assert [(p["id"], p["amount"], p["reason"]) for p in listed] == [
        (f"{BANK}:cli-1", "25.00", "unknown reference")
    ]
    args = ["payins", "resolve", f"{BANK}:cli-1", "--customer", sender["id"]]
    assert await asyncio.to_thread(main, args) == 0
    assert _json_lines(capsys.readouterr().out)[-1]["status"] == "resolved"
    assert await available(gw, sender["id"]) == "25.00"
    assert await asyncio.to_thread(main, ["payins", "unmatched"]) == 0
    assert _json_lines(capsys.readouterr().out) == []

    good = tmp_path / "good.csv"
    good.write_text(f"payin_id,reference,amount,currency\ncli-1,{unknown},25.00,USD\n")
    assert await asyncio.to_thread(main, ["reconcile", "--payin", BANK, str(good)]) == 0
    assert _report(capsys.readouterr().out)["clean"] is True
    bad = tmp_path / "bad.csv"
    bad.write_text("payin_id,reference,amount,currency\ncli-1,RF1,25.00,USD\ncli-2,,9.00,USD\n")
    assert await asyncio.to_thread(main, ["reconcile", "--payin", BANK, str(bad)]) == 1
    report = _report(capsys.readouterr().out)
    assert [r["key"] for r in report["extra"]] == ["cli-2"]
    assert [m["field"] for m in report["mismatched"]] == ["reference"]
    # an operator registers a pay-in partner; its signed callbacks are then accepted
    args = ["partners", "add", "cli-bank", "--url", "http://127.0.0.1:9", "--payin"]
    assert await asyncio.to_thread(main, [*args, "--secret", SECRET]) == 0
    status, body = await callback(gw, unknown, "5.00", partner_id="cli-bank")
    assert status == 201 and body["status"] == "suspense"
    broken = tmp_path / "broken.csv"
    broken.write_text("payin_id,currency\ncli-1,USD\n")
    assert await asyncio.to_thread(main, ["reconcile", "--payin", BANK, str(broken)]) == 2

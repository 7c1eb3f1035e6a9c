"""`remit reconcile --partner` against the simulator's statement (clean, then tampered: exit code
1); the matcher and the statement reader: tests/unit/test_reconcile_payouts.py."""

import asyncio
import json

import pytest

from gateway.commands import main
from gateway.usecases.reconcile import reconcile_payouts
from tests.partners_support import PARTNER, send_distinct


@pytest.fixture
async def paid_two(gateway):
    ids = []
    for i in range(2):
        sender = await gateway.customer(external_id=f"r-{i}")
        await gateway.top_up(sender["id"], "100.00")
        ids.append((await send_distinct(gateway, sender, i))["id"])
    await gateway.drain()
    for i in ids:
        assert (await gateway.get(i))["status"] == "paid_out"
    return ids


async def _sim_statement(gateway) -> str:
    resp = await gateway.sim.get("/_sim/statement.csv")
    assert resp.status == 200 and resp.content_type == "text/csv"
    return await resp.text()


async def test_simulator_statement_reconciles(gateway, paid_two) -> None:
    text = await _sim_statement(gateway)
    assert len(text.strip().splitlines()) == 3
    result = await reconcile_payouts(gateway.svc, PARTNER, text)
    assert result.clean and result.matched == 2

    first, second = text.strip().splitlines()[1:]
    header = text.splitlines()[0]
    bumped = first.replace(first.split(",")[2], "1.00")
    tampered = "\n".join([header, bumped, second, second, "rem_unknown,R,5.00,PHP,paid"]) + "\n"
    result = await reconcile_payouts(gateway.svc, PARTNER, tampered)
    assert [r.key for r in result.extra] == ["rem_unknown"]
    assert {m.field for m in result.mismatched} == {"amount", "count"}
    missing = await reconcile_payouts(gateway.svc, PARTNER, header + "\n" + first + "\n")
    assert [r.key for r in missing.missing] == [second.split(",")[0]]


async def test_cli_exit_codes(
    gateway, paid_two, migrated_database_url, tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv("REMIT_DATABASE_URL", migrated_database_url)
    text = await _sim_statement(gateway)
    good = tmp_path / "good.csv"
    good.write_text(text)
    bad = tmp_path / "bad.csv"
    bad.write_text(text.splitlines()[0] + "\n")
    args = ["reconcile", "--partner", PARTNER]
    assert await asyncio.to_thread(main, [*args, str(good)]) == 0
    assert json.loads(capsys.readouterr().out)["matched"] == 2
    assert await asyncio.to_thread(main, [*args, str(bad)]) == 1
    report = json.loads(capsys.readouterr().out)
    assert len(report["missing"]) == 2 and not report["clean"]
    assert await asyncio.to_thread(main, [*args, str(tmp_path / "none.csv")]) == 2

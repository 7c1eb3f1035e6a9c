"""Journey: the sender's money is in (funded), nothing has gone to the partner yet, when the
operator loads a list version that names the recipient. Re-screening holds the transfer with a
case that says it came from re-screening and where the money is; two officers approve (risk
>= 80: four eyes) and it resumes where it was, on its locked quote (no requote), and is paid
out exactly once; or an officer rejects and the sender gets every minor unit back (fee
included) through the ledger, whose check stays clean. Public interfaces: HTTP and the CLI;
the pipeline is driven step by step to stop where the hit finds the transfer."""

from __future__ import annotations

import asyncio
import json
from decimal import Decimal

from gateway.commands import main as remit
from tests.console_support import sign_in
from tests.rescreening_support import (
    LISTED,
    case_view,
    cases_of,
    cli,
    decide,
    load_lists,
    run_until,
    send_from_wallet,
    wallet,
)


async def _funded_then_listed(gateway, capsys, monkeypatch, lists, stop_at: str = "funded"):
    await load_lists(gateway, capsys, monkeypatch, lists)
    sender = await gateway.customer(external_id="s-funded")
    await gateway.top_up(sender["id"], "500.00")
    rem = await send_from_wallet(gateway, sender, LISTED)
    await run_until(gateway, rem["id"], stop_at)
    assert await wallet(gateway, sender["id"]) == Decimal("400.00")  # 100.00 taken
    code, _ = await cli(capsys, "sanctions", "load", str(lists[1]))
    assert code == 0
    code, finished = await cli(capsys, "sanctions", "rescreen")
    assert code == 0 and finished["phase"] == "done"
    held = await gateway.get(rem["id"])
    assert held["status"] == "on_hold"
    assert held["history"][-1]["from"] == stop_at
    [case] = await cases_of(gateway, rem["id"])
    return sender, rem, case


async def test_a_funded_transfer_held_on_rescreening_is_approved_and_paid_once(
    gateway, officers, lists, monkeypatch, capsys
) -> None:
    sender, rem, case = await _funded_then_listed(gateway, capsys, monkeypatch, lists)
    code, status = await cli(capsys, "sanctions", "status")
    [run, *_] = status["rescreening"]
    assert code == 0 and run["held"] == [rem["id"]] and run["too_late"] == []

    view = await case_view(gateway, officers, case.id)
    assert view["origin"] == "rescreening" and view["list_version"] == run["list_version"]
    assert view["money"]["state"] == "on_hold" and view["money"]["held_from"] == "funded"
    assert "money is in" in view["money"]["summary"]
    await sign_in(gateway.client, "analyst")
    page = await gateway.client.get(f"/console/cases/{case.id}")
    html = await page.text()
    assert page.status == 200 and "re-screening" in html and "money is in" in html

    assert case.risk_score >= gateway.svc.settings.four_eyes_risk
    # The first approval is not enough at this risk; the second (another officer) releases it.
    assert await decide(gateway, officers, case.id, "approve", ("analyst",)) == ["on_hold"]
    assert await decide(gateway, officers, case.id, "approve", ("supervisor",)) == ["approved"]
    gateway.clock.advance(minutes=20)  # the quote's own lifetime is long gone: no requote
    await gateway.drain()

    done = await gateway.get(rem["id"])
    assert done["status"] == "paid_out"
    path = [h["to"] for h in done["history"]]
    assert "requote" not in path and path.count("paid_out") == 1
    assert path[path.index("approved") + 1] == "funded"  # resumed where it was held
    assert done["receive_amount"] == rem["receive_amount"]  # the locked quote, honoured
    payouts = (await (await gateway.sim.get("/_sim/payouts")).json())["payouts"]
    assert payouts[rem["id"]]["payments"] == 1
    assert await wallet(gateway, sender["id"]) == Decimal("400.00")
    assert await gateway.ledger_findings() == []


async def test_a_converted_transfer_held_on_rescreening_is_rejected_and_refunded_in_full(
    gateway, officers, lists, monkeypatch, capsys
) -> None:
    sender, rem, case = await _funded_then_listed(
        gateway, capsys, monkeypatch, lists, stop_at="converted"
    )
    view = await case_view(gateway, officers, case.id)
    assert view["money"]["held_from"] == "converted"
    assert "converted" in view["money"]["summary"]

    # One officer may reject, whatever the risk.
    assert await decide(gateway, officers, case.id, "reject", ("analyst",)) == ["failed"]
    resp = await gateway.client.get("/v1/compliance/audit", headers=officers["admin"].auth())
    [audited] = [e for e in (await resp.json())["entries"] if e["action"] == "case.reject"]
    assert audited["after"]["remittance_status"] == "failed"  # what really happened to it
    await gateway.drain()
    done = await gateway.get(rem["id"])
    assert done["status"] == "refunded"
    assert [h["to"] for h in done["history"]][-3:] == ["on_hold", "failed", "refunded"]
    assert await wallet(gateway, sender["id"]) == Decimal("500.00")  # fee included
    payouts = (await (await gateway.sim.get("/_sim/payouts")).json())["payouts"]
    assert rem["id"] not in payouts  # the partner never heard of it
    assert await gateway.ledger_findings() == []
    capsys.readouterr()
    assert await asyncio.to_thread(remit, ["ledger", "check"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is True and report["findings"] == []

"""Refunds: to the wallet by default (nothing to do: matched pay-ins are already there), to the
original source when the sender asks and the method supports it; the pay-in simulator plays the
partner (callbacks, refunds, statement)."""

from __future__ import annotations

import pytest

from corridors.payin_simulator import STATE, create_payin_simulator_app
from gateway.usecases.payins import reconcile_payins
from tests.funding_support import (
    BANK,
    SECRET,
    add_payin_partner,
    available,
    callback,
    expire_bank_window,
    send_by,
)


@pytest.fixture
async def sim(gateway, aiohttp_client):
    """The pay-in simulator as partner BANK, on the test clock, calling this gateway back."""
    url = str(gateway.client.make_url(f"/v1/payins/callbacks/{BANK}"))
    app = create_payin_simulator_app(
        SECRET.encode(), url, clock=lambda: gateway.clock().timestamp()
    )
    client = await aiohttp_client(app)
    await add_payin_partner(gateway, base_url=str(client.make_url("")).rstrip("/"))
    return client


async def _pay(sim, reference: str, amount: str, payin_id: str, method="bank_transfer") -> dict:
    body = {
        "payin_id": payin_id,
        "method": method,
        "event": "received",
        "reference": reference,
        "amount": amount,
        "currency": "USD",
    }
    resp = await sim.post("/sim/payins", json=body)
    assert resp.status == 200
    return await resp.json()


async def _expired_part_paid(gw, funding: str, paid: str, **paid_by) -> tuple[dict, dict]:
    """A sender's 100.00 USD remittance funded by `funding`, `paid` of it paid in (a callback
    with `paid_by`), then expired and driven on: (the sender, the remittance)."""
    await add_payin_partner(gw)
    sender = await gw.customer()
    rem, pay = await send_by(gw, funding, "100.00", sender)
    await callback(gw, pay["reference"], paid, **paid_by)
    expire_bank_window(gw)
    await gw.drain()
    return sender, rem


async def _refund(gw, remittance_id: str):
    resp = await gw.client.post(
        f"/v1/remittances/{remittance_id}/refund-to-source", headers=gw.auth()
    )
    return resp.status, await resp.json()


async def test_expired_with_money_refunds_to_source_on_request(gateway, sim) -> None:
    gw = gateway
    sender = await gw.customer()
    rem, pay = await send_by(gw, "bank_transfer", "100.00", sender)
    answer = await _pay(sim, pay["reference"], "60.00", "bt-9")
    assert answer["gateway_status"] == 201 and answer["gateway"]["status"] == "credited"
    status, _problem = await _refund(gw, rem["id"])
    assert status == 409  # still awaiting funds: nothing to refund yet
    expire_bank_window(gw)
    await gw.drain()
    assert await available(gw, sender["id"]) == "60.00"  # the default: the wallet

    status, body = await _refund(gw, rem["id"])
    assert status == 200, body
    assert [p["status"] for p in body["payins"]] == ["refunded"]
    assert await available(gw, sender["id"]) == "0.00"
    refunds = sim.server.app[STATE]["refunds"]
    assert (
        list(refunds) == [f"refund:{BANK}:bt-9"]
        and refunds[f"refund:{BANK}:bt-9"]["amount"] == "60.00"
    )
    # asking again is harmless
    status, body = await _refund(gw, rem["id"])
    assert status == 200 and body["payins"][0]["duplicate"] is True
    assert len(refunds) == 1 and await available(gw, sender["id"]) == "0.00"


async def test_refund_to_source_waits_for_an_unreachable_partner(gateway) -> None:
    gw = gateway
    await add_payin_partner(gw, base_url="http://127.0.0.1:9")  # nothing listens there
    sender = await gw.customer()
    rem, pay = await send_by(gw, "bank_transfer", "100.00", sender)
    await callback(gw, pay["reference"], "30.00", payin_id="q1")
    expire_bank_window(gw)
    await gw.drain()
    status, body = await _refund(gw, rem["id"])
    assert status == 200 and body["payins"][0]["status"] == "refund_pending"
    assert await available(gw, sender["id"]) == "0.00"  # the money is on its way back
    status, body = await _refund(gw, rem["id"])  # retried later: the ledger moves nothing twice
    assert body["payins"][0]["status"] == "refund_pending"
    assert (await gw.svc.ledger.balance(f"payin:{BANK}:USD")).debit_balance == 0


async def test_cash_in_cannot_go_back_to_source(gateway) -> None:
    gw = gateway
    sender, rem = await _expired_part_paid(gw, "cash_agent", "40.00", method="cash_agent")
    status, problem = await _refund(gw, rem["id"])
    assert status == 409 and "cash_agent" in problem["detail"]
    assert await available(gw, sender["id"]) == "40.00"


async def test_refund_to_source_needs_the_money_still_in_the_wallet(gateway) -> None:
    gw = gateway
    sender, rem = await _expired_part_paid(gw, "bank_transfer", "50.00", payin_id="s1")
    spend = await gw.send("45.00", sender=sender)  # the sender spends it from the wallet
    await gw.drain()
    assert (await gw.get(spend["id"]))["status"] == "paid_out"
    status, problem = await _refund(gw, rem["id"])
    assert status == 409 and problem["type"].endswith("insufficient-wallet-balance")
    resp = await gw.client.get(f"/v1/remittances/{rem['id']}/payin", headers=gw.auth())
    assert [p["status"] for p in (await resp.json())["payins"]] == ["credited"]
    assert await available(gw, sender["id"]) == "5.00"


async def test_statement_reconciles_against_recorded_pay_ins(gateway, sim) -> None:
    gw = gateway
    rem, pay = await send_by(gw, "bank_transfer", "100.00")
    await _pay(sim, pay["reference"], "100.00", "st-1")
    await _pay(sim, "RF00NOTAREFERENCE", "12.00", "st-2")  # parked in suspense, still ours
    await gw.drain()
    assert (await gw.get(rem["id"]))["status"] == "paid_out"
    text = await (await sim.get("/payins/statement.csv")).text()
    report = (await reconcile_payins(gw.svc, BANK, text)).to_json()
    assert report["clean"] and report["matched"] == 2, report

    tampered = text.replace("100.00", "101.00") + "st-3,RF1,5.00,USD,bank_transfer\n"
    report = (await reconcile_payins(gw.svc, BANK, tampered)).to_json()
    assert [(m["key"], m["field"]) for m in report["mismatched"]] == [("st-1", "amount")]
    assert [r["key"] for r in report["extra"]] == ["st-3"]
    report = (
        await reconcile_payins(gw.svc, BANK, "payin_id,reference,amount,currency\n")
    ).to_json()
    assert sorted(r["key"] for r in report["missing"]) == ["st-1", "st-2"]


async def test_failed_payout_refunds_to_wallet_then_to_source_on_request(gateway, sim) -> None:
    from corridors.fake import InMemoryPayoutPartner

    gw = gateway
    partner = InMemoryPayoutPartner()
    partner.script("failed")
    gw.svc.partners.install("sim-ph-wallet", partner)
    sender = await gw.customer()
    rem, pay = await send_by(gw, "bank_transfer", "100.00", sender)
    await _pay(sim, pay["reference"], "100.00", "f-1")
    await gw.drain()
    assert (await gw.get(rem["id"]))["status"] == "refunded"
    assert await available(gw, sender["id"]) == "100.00"  # the default: back to the wallet
    status, body = await _refund(gw, rem["id"])
    assert status == 200 and body["payins"][0]["status"] == "refunded"
    assert await available(gw, sender["id"]) == "0.00"
    assert list(sim.server.app[STATE]["refunds"]) == [f"refund:{BANK}:f-1"]


async def test_concurrent_duplicate_callbacks_credit_once(gateway) -> None:
    import asyncio

    gw = gateway
    await add_payin_partner(gw)
    sender = await gw.customer()
    rem, pay = await send_by(gw, "bank_transfer", "100.00", sender)
    results = await asyncio.gather(
        *(callback(gw, pay["reference"], "100.00", payin_id="race-1") for _ in range(5))
    )
    statuses = sorted(status for status, _ in results)
    assert statuses == [200, 200, 200, 200, 201]  # one recorded it; the others saw a duplicate
    assert all(body["status"] == "credited" for _, body in results)
    await gw.drain()
    assert (await gw.get(rem["id"]))["status"] == "paid_out"
    assert await available(gw, sender["id"]) == "0.00"
    transfers = await gw.svc.ledger.history(f"payin:{BANK}:USD")
    assert [t.id for t in transfers] == [f"payin:{BANK}:race-1"]

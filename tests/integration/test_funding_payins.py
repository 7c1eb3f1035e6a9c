"""Pay-in funding through the API: pay by reference (exact, over, under, late), duplicate and
out-of-order callbacks, the ledger check after each (the gateway fixture asserts it)."""

from __future__ import annotations

import pytest

from corridors.payin import parse_reference
from tests.funding_support import (
    add_payin_partner,
    available,
    callback,
    expire_bank_window,
    payin_rows,
    send_by,
)


@pytest.fixture
async def gw(gateway):
    await add_payin_partner(gateway)
    return gateway


async def test_wallet_top_up_then_instant_remittance(gw) -> None:
    sender = await gw.customer()
    await gw.top_up(sender["id"], "250.00")
    rem = await gw.send("100.00", sender=sender)
    await gw.drain()
    assert (await gw.get(rem["id"]))["status"] == "paid_out"
    assert await available(gw, sender["id"]) == "150.00"


async def test_wallet_remittance_without_balance_expires_cleanly(gw) -> None:
    sender = await gw.customer()
    rem = await gw.send("100.00", sender=sender)
    await gw.drain()
    assert (await gw.get(rem["id"]))["status"] == "awaiting_funds"
    gw.clock.advance(minutes=5)
    await gw.drain()
    final = await gw.get(rem["id"])
    assert final["status"] == "expired"
    assert await available(gw, sender["id"]) == "0.00"


async def test_exact_payment_by_reference_funds_and_pays_out(gw) -> None:
    sender = await gw.customer()
    rem, pay = await send_by(gw, "bank_transfer", "100.00", sender)
    assert rem["status"] == "awaiting_funds"
    assert parse_reference(pay["reference_display"]) == pay["reference"]
    assert pay["amount"] == "100.00" and pay["received"] == "0.00"
    # the bank window, not the 60 s quote: still awaiting after ten minutes
    gw.clock.advance(minutes=10)
    await gw.drain()
    assert (await gw.get(rem["id"]))["status"] == "awaiting_funds"

    status, body = await callback(gw, pay["reference"], "100.00", payin_id="bt-1")
    assert status == 201 and body["status"] == "credited"
    assert body["remittance_id"] == rem["id"]
    await gw.drain()
    assert (await gw.get(rem["id"]))["status"] == "paid_out"
    assert await available(gw, sender["id"]) == "0.00"


async def test_over_payment_excess_stays_in_wallet(gw) -> None:
    sender = await gw.customer()
    rem, pay = await send_by(gw, "bank_transfer", "100.00", sender)
    status, _ = await callback(gw, pay["reference"], "150.00")
    assert status == 201
    await gw.drain()
    assert (await gw.get(rem["id"]))["status"] == "paid_out"
    assert await available(gw, sender["id"]) == "50.00"


async def test_under_payment_waits_then_expires_with_money_in_wallet(gw) -> None:
    sender = await gw.customer()
    await gw.top_up(sender["id"], "500.00")  # other wallet money never completes a pay-in
    rem, pay = await send_by(gw, "bank_transfer", "100.00", sender)
    await callback(gw, pay["reference"], "60.00")
    await gw.drain()
    assert (await gw.get(rem["id"]))["status"] == "awaiting_funds"
    resp = await gw.client.get(f"/v1/remittances/{rem['id']}/payin", headers=gw.auth())
    assert (await resp.json())["received"] == "60.00"

    expire_bank_window(gw)
    await gw.drain()
    final = await gw.get(rem["id"])
    assert final["status"] == "expired"
    assert "60.00 USD received stays in the wallet" in final["history"][-1]["reason"]
    assert await available(gw, sender["id"]) == "560.00"


async def test_late_payment_goes_to_wallet_and_sender_is_told(gw) -> None:
    sender = await gw.customer()
    rem, pay = await send_by(gw, "bank_transfer", "100.00", sender)
    expire_bank_window(gw)
    await gw.drain()
    assert (await gw.get(rem["id"]))["status"] == "expired"

    status, body = await callback(gw, pay["reference"], "100.00")
    assert status == 201 and body["status"] == "credited"
    assert "arrived when the remittance was expired" in body["reason"]
    await gw.drain()
    final = await gw.get(rem["id"])
    assert final["status"] == "expired"
    note = final["history"][-1]
    assert (note["from"], note["to"]) == ("expired", "expired")
    assert "late pay-in of 100.00 USD" in note["reason"]
    assert await available(gw, sender["id"]) == "100.00"


async def test_duplicate_callbacks_credit_once(gw) -> None:
    sender = await gw.customer()
    _rem, pay = await send_by(gw, "bank_transfer", "100.00", sender)
    first = await callback(gw, pay["reference"], "40.00", payin_id="dup-1")
    again = await callback(gw, pay["reference"], "40.00", payin_id="dup-1")
    assert first[0] == 201 and first[1]["duplicate"] is False
    assert again[0] == 200 and again[1]["duplicate"] is True
    # the same pay-in id with another amount is refused and moves nothing
    status, problem = await callback(gw, pay["reference"], "90.00", payin_id="dup-1")
    assert status == 409 and problem["type"].endswith("payin-conflict")
    assert await available(gw, sender["id"]) == "40.00"
    assert len(await payin_rows(gw)) == 1


async def test_card_authorisation_then_capture_and_out_of_order(gw) -> None:
    sender = await gw.customer()
    rem, pay = await send_by(gw, "card", "100.00", sender)
    ref = pay["reference"]
    status, body = await callback(
        gw, ref, "100.00", method="card", event="authorized", payin_id="c1"
    )
    assert status == 201 and body["status"] == "authorized"
    assert await available(gw, sender["id"]) == "0.00"  # an authorisation moves no money
    status, body = await callback(gw, ref, "100.00", method="card", event="captured", payin_id="c1")
    assert status == 201 and body["status"] == "credited"
    await gw.drain()
    assert (await gw.get(rem["id"]))["status"] == "paid_out"

    # out of order: the capture first, then its late authorisation changes nothing
    rem2, pay2 = await send_by(gw, "card", "100.00", sender)
    ref2 = pay2["reference"]
    cap = await callback(gw, ref2, "100.00", method="card", event="captured", payin_id="c2")
    auth = await callback(gw, ref2, "100.00", method="card", event="authorized", payin_id="c2")
    assert cap[0] == 201 and auth[0] == 200 and auth[1]["status"] == "credited"
    await gw.drain()
    assert (await gw.get(rem2["id"]))["status"] == "paid_out"
    assert await available(gw, sender["id"]) == "0.00"


async def test_card_quote_window_is_the_quotes_own(gw) -> None:
    rem, _pay = await send_by(gw, "card", "100.00")
    gw.clock.advance(minutes=5)
    await gw.drain()
    assert (await gw.get(rem["id"]))["status"] == "expired"


async def test_top_up_reference_credits_the_wallet(gw) -> None:
    sender = await gw.customer()
    resp = await gw.client.post(
        f"/v1/customers/{sender['id']}/wallet/payin-references",
        json={"method": "cash_agent", "currency": "USD"},
        headers=gw.auth(),
    )
    assert resp.status == 201, await resp.text()
    ref = await resp.json()
    status, body = await callback(gw, ref["reference"], "75.50", method="cash_agent")
    assert status == 201 and body["reason"] == "wallet top-up"
    assert await available(gw, sender["id"]) == "75.50"

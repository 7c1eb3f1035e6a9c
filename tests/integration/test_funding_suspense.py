"""Unmatched pay-ins park in suspense with the reason and wait for an operator; bad callbacks
are refused before anything is written."""

from __future__ import annotations

import json

import pytest

from corridors.payin import new_reference
from tests.funding_support import BANK, add_payin_partner, available, callback, payin_rows, send_by


@pytest.fixture
async def gw(gateway):
    await add_payin_partner(gateway)
    return gateway


async def _suspense_balance(gw, currency: str = "USD") -> int:
    found = await gw.svc.ledger.balances(f"suspense:{currency}")
    return sum(bal.credit_balance for _asset, bal in found.values())


async def test_unmatched_pay_ins_park_in_suspense_for_operators(gw) -> None:
    rem, pay = await send_by(gw, "bank_transfer", "100.00")
    ref = pay["reference"]
    typo = ref[:-1] + ("7" if ref[-1] != "7" else "8")  # check digits no longer match
    cases = {
        "unknown": (new_reference(), "20.00", "USD", "unknown reference"),
        "typo": (typo, "30.00", "USD", "unknown reference"),
        "currency": (ref, "100.00", "EUR", "paid in EUR, reference is for USD"),
    }
    for payin_id, (reference, amount, currency, reason) in cases.items():
        status, body = await callback(gw, reference, amount, currency=currency, payin_id=payin_id)
        assert status == 201 and body["status"] == "suspense", body
        assert body["reason"] == reason
    assert await _suspense_balance(gw) == 5000
    assert await _suspense_balance(gw, "EUR") == 10000
    await gw.drain()
    assert (await gw.get(rem["id"]))["status"] == "awaiting_funds"  # EUR did not fund it

    resp = await gw.client.get("/v1/payins/unmatched", headers=gw.auth("operator"))
    listed = (await resp.json())["payins"]
    assert sorted(p["payin_id"] for p in listed) == ["currency", "typo", "unknown"]
    resp = await gw.client.get("/v1/payins/unmatched", headers=gw.auth())
    assert resp.status == 403


async def test_operator_credits_or_returns_a_suspense_pay_in(gw) -> None:
    sender = await gw.customer()
    await callback(gw, new_reference(), "20.00", payin_id="u1")
    await callback(gw, new_reference(), "30.00", payin_id="u2")
    ops = gw.auth("operator")
    credit = {"customer_id": sender["id"], "action": "credit"}
    resp = await gw.client.post(f"/v1/payins/{BANK}:u1/resolve", json=credit, headers=ops)
    assert resp.status == 200 and (await resp.json())["status"] == "resolved"
    # repeating the same resolution finishes nothing twice
    resp = await gw.client.post(f"/v1/payins/{BANK}:u1/resolve", json=credit, headers=ops)
    assert resp.status == 200
    assert await available(gw, sender["id"]) == "20.00"
    # a different action on a resolved pay-in is refused
    back = {"action": "return"}
    resp = await gw.client.post(f"/v1/payins/{BANK}:u1/resolve", json=back, headers=ops)
    assert resp.status == 409
    # A partner that cannot be told (no URL): the return is requested, not done; the money
    # stays in suspense and the pay-in leaves the unmatched list as `returning`.
    resp = await gw.client.post(f"/v1/payins/{BANK}:u2/resolve", json=back, headers=ops)
    assert resp.status == 202 and (await resp.json())["status"] == "returning"
    assert await _suspense_balance(gw) == 3000
    resp = await gw.client.get("/v1/payins/unmatched", headers=ops)
    assert (await resp.json())["payins"] == []


async def test_resolve_refuses_bad_input_and_writes_nothing(gw) -> None:
    await callback(gw, new_reference(), "20.00", payin_id="u1")
    ops = gw.auth("operator")
    url = f"/v1/payins/{BANK}:u1/resolve"
    resp = await gw.client.post(url, json={"action": "credit"}, headers=ops)
    assert resp.status == 422 and (await resp.json())["errors"][0]["field"] == "customer_id"
    resp = await gw.client.post(url, json={"customer_id": "cus_nope"}, headers=ops)
    assert resp.status == 422 and (await resp.json())["errors"][0]["field"] == "customer_id"
    resp = await gw.client.post(
        f"/v1/payins/{BANK}:zz/resolve", json={"action": "return"}, headers=ops
    )
    assert resp.status == 404
    assert [r.status for r in await payin_rows(gw)] == ["suspense"]
    assert await _suspense_balance(gw) == 2000


BAD_BODIES = {
    "negative": ({"amount": "-5.00"}, "amount"),
    "zero": ({"amount": "0.00"}, "amount"),
    "over-precise": ({"amount": "10.001"}, "amount"),
    "number": ({"amount": 10}, "amount"),
    "currency": ({"currency": "XXY"}, "currency"),
    "event": ({"event": "captured"}, "event"),  # a bank transfer has no capture
    "payin_id": ({"payin_id": ""}, "payin_id"),
    "extra": ({"iban": "x"}, "iban"),
}


async def test_bad_callback_bodies_are_refused_naming_the_field(gw) -> None:
    """One gateway for all cases (fixture setup dominates on PostgreSQL)."""
    for case, (patch, field) in BAD_BODIES.items():
        body = {
            "payin_id": "b1",
            "method": "bank_transfer",
            "event": "received",
            "reference": new_reference(),
            "amount": "10.00",
            "currency": "USD",
            **patch,
        }
        status, problem = await callback(gw, "", "", body=body)
        assert status == 422, (case, problem)
        assert problem["errors"][0]["field"] == field, case
    assert await payin_rows(gw) == []
    assert await _suspense_balance(gw) == 0


async def test_bad_signatures_are_refused(gw) -> None:
    ref = new_reference()
    for kwargs, reason in (
        ({"secret": "wrong-secret"}, "signature_mismatch"),
        ({"skew_s": -301}, "stale_timestamp"),
        ({"skew_s": 301}, "stale_timestamp"),
        ({"partner_id": "sim-ph-wallet"}, "unknown_partner"),  # a payout-only partner
        ({"partner_id": "nobody"}, "unknown_partner"),
    ):
        status, problem = await callback(gw, ref, "10.00", **kwargs)
        assert status == 401 and reason in problem["detail"], (kwargs, problem)
    raw = json.dumps({"payin_id": "x"}).encode()
    resp = await gw.client.post(
        f"/v1/payins/callbacks/{BANK}", data=raw, headers={"Content-Type": "application/json"}
    )
    assert resp.status == 401
    assert await payin_rows(gw) == []
    assert await _suspense_balance(gw) == 0

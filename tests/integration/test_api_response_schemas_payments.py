"""Every documented response of the money's ways in and out against a real one
(tests/api_schemas_support): pay-ins (references, callbacks new and repeated, instructions,
suspense credited and returned, a refund to source) and payout partners (pull mode, a signed
callback, the FSPIOP callbacks of a Mojaloop switch)."""

from __future__ import annotations

import json

from corridors.payin import new_reference
from tests.api_schemas_support import Recorder, check
from tests.funding_support import BANK, add_payin_partner, callback, expire_bank_window, send_by
from tests.integration.test_mojaloop_gateway import PARTNER as SWITCH
from tests.integration.test_mojaloop_gateway import put
from tests.partners_support import PARTNER, post_callback, register, send_distinct

PAYOUTS = "/v1/partner/payouts"


async def _payins(rec: Recorder, gateway) -> None:
    await add_payin_partner(gateway, base_url="http://127.0.0.1:9")  # nothing listens there
    sender = await gateway.customer()
    await rec.call(
        "POST",
        f"/v1/customers/{sender['id']}/wallet/payin-references",
        json={"method": "bank_transfer", "currency": "USD"},
    )
    rem, pay = await send_by(gateway, "bank_transfer", "100.00", sender)
    await rec.call("GET", f"/v1/remittances/{rem['id']}/payin")
    path = f"/v1/payins/callbacks/{BANK}"
    for _ in range(2):  # the second is the same pay-in again
        rec.keep("POST", path, *await callback(gateway, pay["reference"], "30.00", payin_id="q1"))
    expire_bank_window(gateway)
    await gateway.drain()
    await rec.call("POST", f"/v1/remittances/{rem['id']}/refund-to-source")
    for payin_id in ("u1", "u2"):
        rec.keep(
            "POST", path, *await callback(gateway, new_reference(), "20.00", payin_id=payin_id)
        )
    await rec.call("GET", "/v1/payins/unmatched", role="operator")
    credit = {"customer_id": sender["id"], "action": "credit"}
    await rec.call("POST", f"/v1/payins/{BANK}:u1/resolve", role="operator", json=credit)
    await rec.call(
        "POST", f"/v1/payins/{BANK}:u2/resolve", role="operator", json={"action": "return"}
    )


async def _pull_partner(rec: Recorder, gateway) -> None:
    await register(gateway, PARTNER, base_url=None, kinds="payout,pull")
    ids = []
    for i in range(2):
        sender = await gateway.customer(external_id=f"p-{i}")
        await gateway.top_up(sender["id"], "100.00")
        ids.append((await send_distinct(gateway, sender, i))["id"])
    await gateway.drain()
    await rec.call("GET", PAYOUTS, role="partner")
    for rem_id in ids:
        await rec.call("GET", f"{PAYOUTS}/{rem_id}", role="partner")
        await rec.call("POST", f"{PAYOUTS}/{rem_id}/accept", role="partner")
    paid = {"status": "paid", "partner_reference": "PULL-77"}
    await rec.call("POST", f"{PAYOUTS}/{ids[0]}/status", role="partner", json=paid)
    doc = {"payout_id": ids[1], "status": "paid", "partner_reference": "P-REF-1"}
    await rec.record("POST", f"/v1/partner/callbacks/{PARTNER}", await post_callback(gateway, doc))
    await gateway.drain()


FSPIOP_BODIES = {
    "/parties/MSISDN/254700000000": {"party": {"partyIdInfo": {"partyIdentifier": "254700000000"}}},
    "/quotes/q-1": {"transferAmount": {}, "expiration": "x", "ilpPacket": "x", "condition": "x"},
    "/transfers/t-1": {"transferState": "ABORTED"},
}


async def _switch(rec: Recorder, gateway) -> None:
    await register(gateway, SWITCH, base_url="http://127.0.0.1:9", fspiop=True)
    error = {"errorInformation": {"errorCode": "5100", "errorDescription": "unknown"}}
    for resource, body in FSPIOP_BODIES.items():
        for path, data in ((resource, body), (f"{resource}/error", error)):
            resp = await put(gateway, path, json.dumps(data).encode())
            await rec.record("PUT", f"/v1/fspiop/{SWITCH}{path}", resp)


async def test_payins_and_payouts_answer_as_documented(gateway) -> None:
    doc = await (await gateway.client.get("/openapi.json")).json()
    rec = Recorder(gateway.client, doc, gateway.auth)
    await _payins(rec, gateway)
    await _pull_partner(rec, gateway)
    await _switch(rec, gateway)
    check(rec, "payments")

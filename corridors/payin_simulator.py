"""A pay-in partner simulator: it "collects" money from senders (a bank transfer to a reference,
a card authorisation and capture, cash at an agent) and reports each event to the gateway with a
signed callback; it accepts signed refund requests and serves a daily statement CSV.

Routes:
- POST /sim/payins {payin_id, method, event, reference, amount, currency}: sends the callback,
  answers with the gateway's status and body.
- POST /payins/refunds (signed, Idempotency-Key): records a refund once.
- POST /payins/returns (signed, Idempotency-Key): sends an unattributable pay-in back to its
  payer once (a repeat answers the first return); `returned` confirms it. `fail_returns` makes
  the next N return requests answer 503 (the gateway retries).
- GET /payins/statement.csv: every collected pay-in (payin_id,reference,amount,currency,method).
"""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Callable
from typing import Any

import aiohttp
from aiohttp import web

from corridors import signing

STATE = web.AppKey("payin_sim_state", dict)
CREDIT_EVENTS = frozenset({"received", "captured"})


def create_payin_simulator_app(
    secret: bytes,
    callback_url: str,
    *,
    clock: Callable[[], float] = time.time,
    fail_returns: int = 0,
) -> web.Application:
    """`callback_url` is the gateway's /v1/payins/callbacks/{partner_id} for this partner."""
    app = web.Application()
    app[STATE] = {"collected": {}, "refunds": {}, "returns": {}, "fail_returns": fail_returns}

    def unsigned(request: web.Request, raw: bytes) -> web.Response | None:
        """401 for a request not signed with the partner's secret."""
        try:
            signing.verify([secret], request.headers, raw, clock())
        except signing.SignatureError as exc:
            return web.json_response({"error": exc.reason}, status=401)
        return None

    async def collect(request: web.Request) -> web.Response:
        body = await request.json()
        raw = json.dumps(body).encode()
        headers = {
            "Content-Type": "application/json",
            **signing.signature_headers(secret, raw, clock()),
        }
        async with (
            aiohttp.ClientSession() as session,
            session.post(callback_url, data=raw, headers=headers) as resp,
        ):
            answer: Any = await resp.json(content_type=None)
            status = resp.status
        if status < 300 and body.get("event") in CREDIT_EVENTS:
            app[STATE]["collected"][body["payin_id"]] = body
        return web.json_response({"gateway_status": status, "gateway": answer})

    async def refund(request: web.Request) -> web.Response:
        raw = await request.read()
        if refusal := unsigned(request, raw):
            return refusal
        body = json.loads(raw)
        refunds = app[STATE]["refunds"]
        refunds.setdefault(body["refund_id"], body)
        return web.json_response({"status": "refunded", "refund_id": body["refund_id"]})

    async def give_back(request: web.Request) -> web.Response:
        raw = await request.read()
        if refusal := unsigned(request, raw):
            return refusal
        state = app[STATE]
        if state["fail_returns"] > 0:
            state["fail_returns"] -= 1
            return web.json_response({"error": "temporarily unavailable"}, status=503)
        body = json.loads(raw)
        key = request.headers.get("Idempotency-Key") or body["return_id"]
        first = state["returns"].setdefault(key, body)
        return web.json_response({"status": "returned", "return_id": first["return_id"]})

    async def statement(request: web.Request) -> web.Response:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["payin_id", "reference", "amount", "currency", "method"])
        for p in app[STATE]["collected"].values():
            writer.writerow(
                [p["payin_id"], p["reference"], p["amount"], p["currency"], p["method"]]
            )
        return web.Response(text=out.getvalue(), content_type="text/csv")

    app.router.add_post("/sim/payins", collect)
    app.router.add_post("/payins/refunds", refund)
    app.router.add_post("/payins/returns", give_back)
    app.router.add_get("/payins/statement.csv", statement)
    return app

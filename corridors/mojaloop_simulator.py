"""The partner simulator's Mojaloop switch mode (FSPIOP v2.0): every request is answered 202 and
its result is a JWS-signed PUT callback, with the faults of corridors/simulator.py (errors before
and after recording, hangs, rejects, duplicate, late and lost callbacks). It plays the switch and
the payee FSP together; its FSP id is whatever the payer names in FSPIOP-Destination.

- GET /parties/{Type}/{ID} -> PUT {cb}/parties/{Type}/{ID} (the payee and its fspId).
- POST /quotes -> PUT {cb}/quotes/{quoteId}: transferAmount, ilpPacket, the condition (SHA-256
  of a fulfilment only this payee can make) and expiration; the same quoteId and body again get
  the same quote, another body /error 3106.
- POST /transfers -> PUT {cb}/transfers/{transferId}: COMMITTED with the fulfilment, or
  /error with the reason's code (5400 closed, 3204 unknown account, 5200 limit ...). One payment
  per transferId; the same id with another body is 409. A repeat of a final transfer gets its
  callback again.
- GET /transfers/{ID} -> PUT {cb}/transfers/{ID} with its state, or /error 3208 (never seen).
- GET /_sim/fspiop/log (unsigned, test aid): every FSPIOP request received and callback sent.
Callbacks go to X-Callback-Url (remembered per FSPIOP-Source: the stand-in for a hub's endpoint
registry). A bad or missing JWS is 401 with FSPIOP errorInformation 3105; nothing is recorded.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

import aiohttp
from aiohttp import web

from corridors import fspiop
from corridors.mojaloop_partner import CALLBACK_HEADER
from corridors.signing import SignatureError
from corridors.simulator import STATE, _Payout, _State, admit
from fx.money import Money

ENDPOINTS = web.AppKey("mojaloop_endpoints", dict)
QUOTES = web.AppKey("mojaloop_quotes", dict)
LOG = web.AppKey("mojaloop_log", list)
LOG_LIMIT = 10_000


def _log(app_log: list, direction: str, method: str, path: str, headers, body: bytes) -> None:
    """Every FSPIOP message in and out, for GET /_sim/fspiop/log (tests validate them all)."""
    if len(app_log) < LOG_LIMIT:
        app_log.append(
            {
                "direction": direction,
                "method": method,
                "path": path,
                "headers": dict(headers),
                "body": json.loads(body) if body else None,
            }
        )


def _now(state: _State) -> datetime:
    return datetime.fromtimestamp(state.clock(), UTC)


def _fsp_error(status: int, code: str, description: str) -> web.Response:
    return web.json_response(fspiop.error_body(code, description), status=status)


async def _checked(request: web.Request) -> tuple[_State, bytes, str, str, str | None]:
    """(state, body, payer fsp, our fsp id, callback base) of a correctly signed request."""
    state = request.app[STATE]
    if state.faults.latency_ms:
        await asyncio.sleep(state.faults.latency_ms / 1000)
    body = await request.read()
    try:
        source = fspiop.verify(
            state.secrets,
            request.headers,
            body,
            method=request.method,
            uri=request.raw_path,
            now=_now(state),
        )
    except SignatureError as exc:
        raise web.HTTPUnauthorized(
            text=json.dumps(fspiop.error_body("3105", f"Invalid signature: {exc.reason}")),
            content_type="application/json",
        ) from exc
    _log(request.app[LOG], "request", request.method, request.raw_path, request.headers, body)
    endpoints = request.app[ENDPOINTS]
    if request.headers.get(CALLBACK_HEADER):
        endpoints[source] = request.headers[CALLBACK_HEADER].rstrip("/")
    me = request.headers.get("FSPIOP-Destination") or "simswitch"
    return state, body, source, me, endpoints.get(source)


async def _put(
    state: _State, url: str, path: str, body: dict[str, Any], source: str, destination: str
) -> bool:
    sent = False
    """One signed PUT callback, retried briefly on trouble; True when delivered (< 500)."""
    assert state.session is not None
    data = json.dumps(body, separators=(",", ":")).encode()
    resource = path.strip("/").split("/")[0]
    for attempt in range(3):
        headers = fspiop.headers(
            resource=resource,
            method="PUT",
            uri=path,
            source=source,
            destination=destination,
            body=data,
            secret=state.secrets[0],
            now=_now(state),
            request=False,
        )
        try:
            async with state.session.put(url + path, data=data, headers=headers) as response:
                if not sent:
                    _log(state.log, "callback", "PUT", path, headers, data)
                    sent = True
                if response.status < 500:
                    return True
        except (aiohttp.ClientError, TimeoutError):
            pass
        await asyncio.sleep(0.05 * 2**attempt)
    return False


def _later(state: _State, url: str | None, path: str, body: dict, source: str, dest: str) -> None:
    if url:
        state.spawn(_put(state, url, path, body, source, dest))


async def _parties(request: web.Request) -> web.Response:
    state, _, payer, me, url = await _checked(request)
    kind, ident = request.match_info["Type"], request.match_info["ID"]
    party = {
        "party": {
            "partyIdInfo": {"partyIdType": kind, "partyIdentifier": ident, "fspId": me},
            "name": "Simulated Payee",
        }
    }
    _later(state, url, f"/parties/{kind}/{ident}", party, me, payer)
    return web.Response(status=202)


def _json(body: bytes) -> dict[str, Any] | None:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


async def _quotes(request: web.Request) -> web.Response:
    state, body, payer, me, url = await _checked(request)
    ask = _json(body)
    if ask is None or not isinstance(ask.get("quoteId"), str) or "amount" not in ask:
        return _fsp_error(400, "3100", "Generic validation error")
    quote_id = ask["quoteId"]
    digest = hashlib.sha256(body).hexdigest()
    quotes = request.app[QUOTES]
    known = quotes.get(quote_id)
    if known is not None and known[0] != digest:
        error = fspiop.error_body(fspiop.MODIFIED_REQUEST, "Modified request")
        _later(state, url, f"/quotes/{quote_id}/error", error, me, payer)
        return web.Response(status=202)
    if known is None:
        fulfilment = fspiop.fulfilment_for(state.secrets[0], ask.get("transactionId", quote_id))
        answer = {
            "transferAmount": ask["amount"],
            "payeeReceiveAmount": ask["amount"],
            "expiration": fspiop.fsp_datetime(_now(state) + timedelta(hours=1)),
            "ilpPacket": fspiop.ilp_packet(
                {"transactionId": ask.get("transactionId"), "quoteId": quote_id, "to": me}
            ),
            "condition": fspiop.condition_of(fulfilment),
        }
        known = quotes[quote_id] = (digest, answer, fulfilment)
    _later(state, url, f"/quotes/{quote_id}", known[1], me, payer)
    return web.Response(status=202)


def _amount(money: Any) -> tuple[str, str] | None:
    try:
        currency = str(money["currency"])
        return str(Money(Decimal(str(money["amount"])), currency)), currency
    except (KeyError, TypeError, InvalidOperation, ValueError):
        return None


async def _transfers(request: web.Request) -> web.Response:
    state, body, payer, me, url = await _checked(request)
    ask = _json(body)
    money = _amount(ask.get("amount")) if ask else None
    if ask is None or money is None or not isinstance(ask.get("transferId"), str):
        return _fsp_error(400, "3100", "Generic validation error")
    fulfilment = next(
        (q[2] for q in request.app[QUOTES].values() if q[1]["condition"] == ask.get("condition")),
        None,
    )
    if fulfilment is None:
        return _fsp_error(400, "3100", "Generic validation error: unknown condition")
    transfer = ask["transferId"]
    key = fspiop.payout_id_of(transfer) or transfer
    instruction = {
        "payout_id": key,
        "amount": money[0],
        "currency": money[1],
        "transfer_id": transfer,
        "fulfilment": fulfilment,
        "payer": payer,
        "payee": me,
        "callback_url": url,
    }
    admitted = await admit(state, key, hashlib.sha256(body).hexdigest(), instruction, "mojaloop")
    if isinstance(admitted, web.Response):
        return admitted
    if admitted.requests > 1 and admitted.status in ("paid", "failed") and url:
        state.spawn(transfer_callback(state, admitted, url, 1))  # a resend learns the state
    return web.Response(status=202)


def transfer_state(state: _State, payout: _Payout) -> tuple[str, dict[str, Any]]:
    """(callback path, body) of a transfer's current state."""
    transfer = payout.instruction["transfer_id"]
    if payout.status == "failed":
        code = fspiop.ERROR_CODE.get(payout.reason or "", "5104")
        return f"/transfers/{transfer}/error", fspiop.error_body(code, payout.reason or "")
    states = {"paid": "COMMITTED", "cancelled": "ABORTED"}
    body: dict[str, Any] = {
        "transferState": states.get(payout.status, "RESERVED"),
        "extensionList": {
            "extension": [{"key": "payeeReference", "value": payout.partner_reference}]
        },
    }
    if payout.status == "paid":
        body["fulfilment"] = payout.instruction["fulfilment"]
        body["completedTimestamp"] = fspiop.fsp_datetime(_now(state))
    return f"/transfers/{transfer}", body


async def transfer_callback(state: _State, payout: _Payout, url: str, copies: int) -> None:
    """The transfer's PUT callback, `copies` times, after the late-callback delay."""
    if state.faults.late_callback_ms:
        await asyncio.sleep(state.faults.late_callback_ms / 1000)
    path, body = transfer_state(state, payout)
    for _ in range(copies):
        payee, payer = payout.instruction["payee"], payout.instruction["payer"]
        if await _put(state, url, path, body, payee, payer):
            payout.callbacks += 1


async def _transfer_status(request: web.Request) -> web.Response:
    state, _, payer, me, url = await _checked(request)
    transfer = request.match_info["ID"]
    payout = state.payouts.get(fspiop.payout_id_of(transfer) or transfer)
    if payout is None:
        error = fspiop.error_body(fspiop.TRANSFER_NOT_FOUND, "Transfer ID not found")
        _later(state, url, f"/transfers/{transfer}/error", error, me, payer)
    elif url:
        path, body = transfer_state(state, payout)
        _later(state, url, path, body, payout.instruction["payee"], payer)
    return web.Response(status=202)


async def _get_log(request: web.Request) -> web.Response:
    return web.json_response({"messages": request.app[LOG]})


def add_routes(app: web.Application) -> None:
    app[ENDPOINTS] = {}
    app[QUOTES] = {}
    app[LOG] = app[STATE].log
    app.router.add_get("/_sim/fspiop/log", _get_log)
    app.router.add_get("/parties/{Type}/{ID}", _parties)
    app.router.add_post("/quotes", _quotes)
    app.router.add_post("/transfers", _transfers)
    app.router.add_get("/transfers/{ID}", _transfer_status)

"""Views only translate HTTP to use cases and back."""

from __future__ import annotations

from aiohttp import web

from gateway.api import receipt_page
from gateway.api.appkeys import SERVICES
from gateway.api.http import about_id, caller, idempotency_key, read_json, reply
from gateway.errors import field_error
from gateway.usecases import quotes, receipts, remittances, requotes, wallets
from gateway.usecases.requests.base import parse
from gateway.usecases.requests.remittances import (
    AcceptQuoteRequest,
    QuoteRequest,
    RemittanceRequest,
    TopUpRequest,
)


async def get_prices(request: web.Request) -> web.Response:
    query = dict(request.query)
    if "send_amount" not in query and "receive_amount" not in query:
        raise field_error("send_amount", "give send_amount or receive_amount")
    req = parse(QuoteRequest, query)
    corridor, quote = await quotes.price_request(request.app[SERVICES], req)
    return reply(quotes.indicative_view(corridor, quote))


async def post_quote(request: web.Request) -> web.Response:
    req = parse(QuoteRequest, await read_json(request))
    return reply(await quotes.create_quote(request.app[SERVICES], caller(request), req), 201)


get_quote = about_id(quotes.get_quote)


get_wallet = about_id(wallets.wallet)


async def post_topup(request: web.Request) -> web.Response:
    key = idempotency_key(request)
    req = parse(TopUpRequest, await read_json(request))
    who = caller(request)
    transfer_id = f"topup:{who.key_id}:{key}"
    body = await wallets.top_up(
        request.app[SERVICES], who, request.match_info["id"], req, transfer_id
    )
    return reply(body, 201)


async def post_remittance(request: web.Request) -> web.Response:
    key = idempotency_key(request)
    raw = await read_json(request)
    req = parse(RemittanceRequest, raw)
    svc = request.app[SERVICES]
    # A key used before with another body is refused by the use case (409).
    status, body, replayed = await remittances.submit_remittance(
        svc, caller(request), req, key=key, raw=raw, path=request.path
    )
    if not replayed:
        svc.wake_workers()
    headers = {"Idempotent-Replayed": "true"} if replayed else None
    return reply(body, status, headers)


get_remittance = about_id(remittances.get_remittance)


async def cancel_remittance(request: web.Request) -> web.Response:
    svc = request.app[SERVICES]
    body = await remittances.cancel_remittance(svc, caller(request), request.match_info["id"])
    return reply(body)


async def post_requote(request: web.Request) -> web.Response:
    svc = request.app[SERVICES]
    body = await requotes.offer_quote(svc, caller(request), request.match_info["id"])
    return reply(body, 201)


async def accept_quote(request: web.Request) -> web.Response:
    req = parse(AcceptQuoteRequest, await read_json(request))
    svc = request.app[SERVICES]
    body = await requotes.accept_quote(svc, caller(request), request.match_info["id"], req)
    return reply(body)


async def get_receipt(request: web.Request) -> web.Response:
    svc = request.app[SERVICES]
    body = await receipts.receipt_view(svc, caller(request), request.match_info["id"])
    if receipt_page.wants_pdf(request):
        return await receipt_page.render_pdf(request, body)
    if "text/html" in request.headers.get("Accept", ""):
        return receipt_page.render(request, body)
    return reply(body)

"""Partner views: translate HTTP to gateway.usecases.partner_payouts and back."""

from __future__ import annotations

from aiohttp import web

from gateway.api.appkeys import SERVICES
from gateway.api.http import about_id, caller, read_json, reply
from gateway.api.schemas import query_int
from gateway.usecases import partner_payouts as payouts
from gateway.usecases.requests.base import parse
from gateway.usecases.requests.partners import PayoutStatusRequest


async def list_payouts(request: web.Request) -> web.Response:
    limit = query_int(request.query, "limit", 100, 1, 500)
    status = request.query.get("status", "pending")
    body = await payouts.list_payouts(request.app[SERVICES], caller(request), status, limit)
    return reply(body)


get_payout = about_id(payouts.get_payout)


accept_payout = about_id(payouts.accept_payout)


async def post_status(request: web.Request) -> web.Response:
    req = parse(PayoutStatusRequest, await read_json(request))
    svc = request.app[SERVICES]
    return reply(await payouts.report_status(svc, caller(request), request.match_info["id"], req))


async def post_callback(request: web.Request) -> web.Response:
    body = await request.read()
    svc = request.app[SERVICES]
    partner_id = request.match_info["partner_id"]
    return reply(await payouts.receive_callback(svc, partner_id, request.headers, body))

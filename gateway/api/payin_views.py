"""Pay-in views: HTTP in, use case, HTTP out."""

from __future__ import annotations

from aiohttp import web

from gateway.api.appkeys import SERVICES
from gateway.api.http import about_id, caller, read_json, reply
from gateway.usecases import operator_audit
from gateway.usecases.payins import callbacks, references, refunds, suspense
from gateway.usecases.requests.base import parse
from gateway.usecases.requests.payins import (
    PayinCallback,
    PayinReferenceRequest,
    ResolvePayinRequest,
)


async def post_callback(request: web.Request) -> web.Response:
    svc = request.app[SERVICES]
    partner_id = request.match_info["partner_id"]
    await callbacks.authenticate(svc, partner_id, request.headers, await request.read())
    req = parse(PayinCallback, await read_json(request))
    status, body = await callbacks.receive(svc, partner_id, req)
    return reply(body, status)


async def post_topup_reference(request: web.Request) -> web.Response:
    req = parse(PayinReferenceRequest, await read_json(request))
    svc = request.app[SERVICES]
    body = await references.topup_reference(svc, caller(request), request.match_info["id"], req)
    return reply(body, 201)


get_instructions = about_id(references.instructions)


async def post_refund_to_source(request: web.Request) -> web.Response:
    svc = request.app[SERVICES]
    remittance_id = request.match_info["id"]
    return reply(await refunds.refund_to_source(svc, caller(request), remittance_id))


async def get_unmatched(request: web.Request) -> web.Response:
    return reply({"payins": await suspense.unmatched(request.app[SERVICES])})


async def post_resolve(request: web.Request) -> web.Response:
    req = parse(ResolvePayinRequest, await read_json(request))
    actor = operator_audit.key_actor(caller(request).key_id)
    body = await suspense.resolve(request.app[SERVICES], request.match_info["id"], req, actor)
    # A return the partner has not confirmed yet is accepted, not done: ask again to retry.
    return reply(body, status=202 if body["status"] == "returning" else 200)

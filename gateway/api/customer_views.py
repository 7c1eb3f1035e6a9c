"""Customer views: HTTP in, use case, HTTP out."""

from __future__ import annotations

from aiohttp import web

from gateway.api.appkeys import SERVICES
from gateway.api.http import about_id, caller, read_json, reply
from gateway.errors import validation
from gateway.usecases import customers, erasure
from gateway.usecases.operator_audit import key_actor
from gateway.usecases.requests.base import parse
from gateway.usecases.requests.customers import CustomerRequest, ErasureRequest


async def put_customer(request: web.Request) -> web.Response:
    req = parse(CustomerRequest, await read_json(request))
    status, body = await customers.put_customer(request.app[SERVICES], caller(request), req)
    return reply(body, status)


get_customer = about_id(customers.get_customer)


async def erase_customer(request: web.Request) -> web.Response:
    req = parse(ErasureRequest, await read_json(request))
    who = caller(request)
    svc = request.app[SERVICES]
    return reply(
        await erasure.erase_customer(
            svc, key_actor(who.key_id), request.match_info["id"], req.reason
        )
    )


async def export_customer(request: web.Request) -> web.Response:
    reason = request.query.get("reason", "").strip()
    if not 3 <= len(reason) <= 300:
        raise validation([{"field": "reason", "message": "say why (3-300 characters)"}])
    who = caller(request)
    svc = request.app[SERVICES]
    return reply(
        await erasure.export_customer(svc, key_actor(who.key_id), request.match_info["id"], reason)
    )

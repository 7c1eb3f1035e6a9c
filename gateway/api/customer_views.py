"""Customer views: HTTP in, use case, HTTP out."""

from __future__ import annotations

from aiohttp import web

from gateway.api.appkeys import SERVICES
from gateway.api.customer_schemas import CustomerRequest
from gateway.api.http import caller, read_json, reply
from gateway.api.schemas import parse
from gateway.usecases import customers


async def put_customer(request: web.Request) -> web.Response:
    req = parse(CustomerRequest, await read_json(request))
    status, body = await customers.put_customer(request.app[SERVICES], caller(request), req)
    return reply(body, status)


async def get_customer(request: web.Request) -> web.Response:
    svc = request.app[SERVICES]
    return reply(await customers.get_customer(svc, caller(request), request.match_info["id"]))

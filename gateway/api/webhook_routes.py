"""Routes for sending apps' webhook endpoint."""

from __future__ import annotations

from aiohttp import web

from gateway.api.appkeys import SERVICES
from gateway.api.http import caller, read_json, reply
from gateway.api.routing import Route, roles
from gateway.usecases.requests.base import parse
from gateway.usecases.requests.partners import WebhookRequest
from gateway.usecases.schemas import STR
from gateway.webhooks import endpoints


async def put_webhook(request: web.Request) -> web.Response:
    req = parse(WebhookRequest, await read_json(request))
    return reply(await endpoints.put_endpoint(request.app[SERVICES], caller(request), req))


async def get_webhook(request: web.Request) -> web.Response:
    return reply(await endpoints.get_endpoint(request.app[SERVICES], caller(request)))


ENDPOINT = {
    "type": "object",
    "properties": {"url": STR, "updated_at": STR, "secret": STR},
}

ROUTES: list[Route] = [
    Route(
        "PUT",
        "/v1/webhooks",
        put_webhook,
        "Set where remittance events are POSTed (signed; secret returned once if generated)",
        roles=roles("sender-app"),
        tag="webhooks",
        body=WebhookRequest,
        response=ENDPOINT,
        errors=(400, 413, 415, 422),
    ),
    Route(
        "GET",
        "/v1/webhooks",
        get_webhook,
        "This app's webhook endpoint",
        roles=roles("sender-app"),
        tag="webhooks",
        response=ENDPOINT,
        errors=(404,),
    ),
]

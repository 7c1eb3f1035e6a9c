"""Our FSPIOP endpoint: the PUT callbacks a Mojaloop switch sends (public: the JWS in
FSPIOP-Signature authenticates). The switch is given `{base}/v1/fspiop/{partner_id}` as our
callback base; the path after it is the FSPIOP path it signed."""

from __future__ import annotations

from aiohttp import web

from gateway.api.appkeys import SERVICES
from gateway.api.http import reply
from gateway.api.routing import Route
from gateway.usecases import fspiop_callbacks

PREFIX = "/v1/fspiop/{partner_id}"
ACK = {
    "type": "object",
    "properties": {
        "resource": {"type": "string"},
        "delivered": {"type": "boolean"},
        "applied": {"type": "boolean"},
    },
}


async def put_callback(request: web.Request) -> web.Response:
    partner_id = request.match_info["partner_id"]
    prefix = f"/v1/fspiop/{partner_id}"
    path = request.raw_path.split("?", 1)[0]
    fspiop_path = path[len(prefix) :] if path.startswith(prefix) else path
    body = await request.read()
    svc = request.app[SERVICES]
    return reply(
        await fspiop_callbacks.receive(svc, partner_id, fspiop_path, request.headers, body)
    )


def _route(path: str, summary: str) -> Route:
    return Route(
        "PUT",
        PREFIX + path,
        put_callback,
        summary + " (Mojaloop FSPIOP v2.0 callback; JWS in FSPIOP-Signature)",
        tag="partners",
        response=ACK,
        errors=(401, 404, 413, 422),
    )


ROUTES: list[Route] = [
    _route("/parties/{Type}/{ID}", "Party lookup result"),
    _route("/parties/{Type}/{ID}/error", "Party lookup error"),
    _route("/quotes/{ID}", "Quote from the payee FSP"),
    _route("/quotes/{ID}/error", "Quote error"),
    _route("/transfers/{ID}", "Transfer state (COMMITTED with the fulfilment, ABORTED, ...)"),
    _route("/transfers/{ID}/error", "Transfer error"),
]

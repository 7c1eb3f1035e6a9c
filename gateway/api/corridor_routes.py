"""Routes for corridors: the list, and the recipient fields each one needs (like Wise's
account requirements), so apps build their forms from data instead of hard-coding them."""

from __future__ import annotations

from aiohttp import web

from gateway.api.appkeys import SERVICES
from gateway.api.http import reply
from gateway.api.routing import ANY_CALLER, Route
from gateway.api.schemas import list_of
from gateway.usecases import corridors


async def get_corridors(request: web.Request) -> web.Response:
    return reply(corridors.list_corridors(request.app[SERVICES]))


async def get_requirements(request: web.Request) -> web.Response:
    svc = request.app[SERVICES]
    return reply(corridors.corridor_requirements(svc, request.match_info["id"]))


_str = {"type": "string"}
CORRIDOR = corridors.CORRIDOR_SCHEMA  # derived from the fields corridor_view writes
FIELD = {
    "type": "object",
    "required": ["key", "field", "name", "type", "required", "example"],
    "properties": {
        "key": _str,
        "field": _str,
        "name": _str,
        "type": _str,
        "required": {"type": "boolean"},
        "example": _str,
        "pattern": _str,
        "values": {"type": "array", "items": _str},
        "min_length": {"type": "integer"},
        "max_length": {"type": "integer"},
    },
}
REQUIREMENTS = {
    "type": "object",
    "properties": {
        "corridor_id": _str,
        "receive_country": _str,
        "payout_method": _str,
        "account_scheme": _str,
        "fields": {"type": "array", "items": FIELD},
    },
}

ROUTES: list[Route] = [
    Route(
        "GET",
        "/v1/corridors",
        get_corridors,
        "Corridors served: currencies, payout method, limits, fees",
        roles=ANY_CALLER,
        tag="corridors",
        response=list_of("corridors", CORRIDOR),
    ),
    Route(
        "GET",
        "/v1/corridors/{id}/requirements",
        get_requirements,
        "Recipient fields a corridor needs, with types, patterns and examples",
        roles=ANY_CALLER,
        tag="corridors",
        response=REQUIREMENTS,
        errors=(404,),
    ),
]

"""Routes for corridors: the list, and the recipient fields each one needs (like Wise's
account requirements), so apps build their forms from data instead of hard-coding them."""

from __future__ import annotations

from aiohttp import web

from gateway.api.appkeys import SERVICES
from gateway.api.http import reply
from gateway.api.routing import ANY_CALLER, Route
from gateway.api.schemas import list_of
from gateway.usecases import corridors
from gateway.usecases.schemas import STR


async def get_corridors(request: web.Request) -> web.Response:
    return reply(corridors.list_corridors(request.app[SERVICES]))


async def get_requirements(request: web.Request) -> web.Response:
    svc = request.app[SERVICES]
    return reply(corridors.corridor_requirements(svc, request.match_info["id"]))


CORRIDOR = corridors.CORRIDOR_SCHEMA  # derived from the fields corridor_view writes
FIELD = {
    "type": "object",
    "required": ["key", "field", "name", "type", "required", "example"],
    "properties": {
        "key": STR,
        "field": STR,
        "name": STR,
        "type": STR,
        "required": {"type": "boolean"},
        "example": STR,
        "pattern": STR,
        "values": {"type": "array", "items": STR},
        "min_length": {"type": "integer"},
        "max_length": {"type": "integer"},
    },
}
REQUIREMENTS = {
    "type": "object",
    "properties": {
        "corridor_id": STR,
        "receive_country": STR,
        "payout_method": STR,
        "account_scheme": STR,
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

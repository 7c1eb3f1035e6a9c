"""Operational routes: liveness and the API description."""

from __future__ import annotations

from aiohttp import web

from gateway.api.http import reply
from gateway.api.openapi import openapi_view
from gateway.api.routing import Route


async def healthz(request: web.Request) -> web.Response:
    return reply({"status": "ok"})


_obj = {"type": "object"}

ROUTES: list[Route] = [
    Route("GET", "/healthz", healthz, "Liveness", tag="operations", response=_obj),
    Route("GET", "/openapi.json", openapi_view, "This document", tag="operations", response=_obj),
]

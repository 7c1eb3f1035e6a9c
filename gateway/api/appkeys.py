"""Typed keys for what the aiohttp app carries."""

from __future__ import annotations

from aiohttp import web

from gateway.api.routing import Route
from gateway.domain.callers import Caller
from gateway.services import Services

SERVICES = web.AppKey("services", Services)
ROUTES = web.AppKey("routes", dict[str, Route])
CALLER_CACHE = web.AppKey("caller_cache", dict[str, tuple[float, Caller | None]])

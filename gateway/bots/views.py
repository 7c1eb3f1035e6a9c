"""Bot webhooks: hand the request to the platform adapter, which checks its signature."""

from __future__ import annotations

from aiohttp import web

from gateway.bots.mount import BOTS
from gateway.errors import NotFound


def _bots(request: web.Request):
    bots = request.app.get(BOTS)
    if bots is None:
        raise NotFound(request.path)
    return bots


async def telegram_webhook(request: web.Request) -> web.Response:
    return await _bots(request).telegram.webhook(request)


async def whatsapp_verify(request: web.Request) -> web.Response:
    return await _bots(request).whatsapp.verify(request)


async def whatsapp_webhook(request: web.Request) -> web.Response:
    return await _bots(request).whatsapp.webhook(request)

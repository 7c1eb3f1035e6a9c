"""Webhooks of the messaging bots. Public (the platforms authenticate with their own secret
token or signature); mounted only for configured platforms."""

from __future__ import annotations

from gateway.api.routing import Handler, Route
from gateway.bots import views
from gateway.bots.mount import TELEGRAM_PATH, WHATSAPP_PATH

_ok = {"type": "object", "properties": {"ok": {"type": "boolean"}}}
_VERIFY_QUERY = [
    {"name": n, "in": "query", "required": True, "schema": {"type": "string"}}
    for n in ("hub.mode", "hub.verify_token", "hub.challenge")
]


def _webhook(path: str, handler: Handler, summary: str) -> Route:
    """A platform's update delivery: JSON in, {"ok": true} out, refused when unsigned."""
    return Route("POST", path, handler, summary, tag="bots", response=_ok, errors=(400, 401, 413))


ROUTES: list[Route] = [
    _webhook(
        TELEGRAM_PATH,
        views.telegram_webhook,
        "Telegram Bot API updates (checks X-Telegram-Bot-Api-Secret-Token)",
    ),
    Route(
        "GET",
        WHATSAPP_PATH,
        views.whatsapp_verify,
        "WhatsApp webhook verification handshake (echoes hub.challenge)",
        tag="bots",
        query=_VERIFY_QUERY,
        response={"type": "string", "description": "hub.challenge, echoed"},
        media="text/plain",
        errors=(403,),
    ),
    _webhook(
        WHATSAPP_PATH,
        views.whatsapp_webhook,
        "WhatsApp Cloud API notifications (checks X-Hub-Signature-256)",
    ),
]

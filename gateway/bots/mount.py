"""Wiring the bots into the aiohttp app: which webhook routes are mounted (a platform whose token
is unset is not), and a cleanup context that opens the platform clients and runs the notifier."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass

from aiohttp import web

from gateway.api.appkeys import SERVICES
from gateway.api.routing import Route
from gateway.bots.conversation.dispatch import Engine
from gateway.bots.notifier import Notifier
from gateway.bots.ratelimit import ChatLimiter
from gateway.bots.telegram import TelegramBot
from gateway.bots.whatsapp import WhatsAppBot
from gateway.config import Settings

TELEGRAM_PATH = "/bots/telegram"
WHATSAPP_PATH = "/bots/whatsapp"


@dataclass
class Bots:
    engine: Engine
    notifier: Notifier
    telegram: TelegramBot | None = None
    whatsapp: WhatsAppBot | None = None


BOTS = web.AppKey("bots", Bots)


def enabled(settings: Settings) -> bool:
    return settings.bots.telegram or settings.bots.whatsapp


def mounted_routes(settings: Settings, table: Sequence[Route]) -> list[Route]:
    """The route table without the webhooks of platforms that are not configured."""
    off = set()
    if not settings.bots.telegram:
        off.add(TELEGRAM_PATH)
    if not settings.bots.whatsapp:
        off.add(WHATSAPP_PATH)
    return [r for r in table if r.path not in off]


def bots_ctx(
    run_notifier: bool = True,
) -> Callable[[web.Application], AsyncIterator[None]]:
    """Runs after the services context: the bots need Services."""

    async def ctx(app: web.Application) -> AsyncIterator[None]:
        svc = app[SERVICES]
        config = svc.settings.bots
        engine = Engine(svc, ChatLimiter(config.rate_burst, config.rate_per_minute, svc.now))
        telegram = TelegramBot(config, engine) if config.telegram else None
        whatsapp = WhatsAppBot(config, engine) if config.whatsapp else None
        senders = {b.platform: b for b in (telegram, whatsapp) if b is not None}
        bots = Bots(engine, Notifier(svc, senders), telegram, whatsapp)
        app[BOTS] = bots
        stop = asyncio.Event()
        task = (
            asyncio.create_task(bots.notifier.run(stop), name="bot-notifier")
            if run_notifier
            else None
        )
        try:
            yield
        finally:
            stop.set()
            if task is not None:
                await asyncio.gather(task, return_exceptions=True)
            for bot in senders.values():
                await bot.close()

    return ctx

"""create_app(): the aiohttp application, its resources opened and closed with cleanup_ctx."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

from aiohttp import web

from compliance.sanctions.screener import Screener
from gateway.api import (
    compliance_routes,
    corridor_routes,
    customer_routes,
    fspiop_routes,
    kyc_routes,
    ledger_routes,
    ops_routes,
    partner_routes,
    payin_routes,
    protection_routes,
    sender_routes,
    webhook_routes,
)
from gateway.api.appkeys import CALLER_CACHE, ROUTES, SERVICES
from gateway.api.middleware import auth_middleware, problem_middleware
from gateway.api.receipt_page import setup_receipts
from gateway.api.routing import Route, add_routes
from gateway.bootstrap import open_services
from gateway.bots import mount as bots
from gateway.bots import routes as bot_routes
from gateway.chain import chain_ctx
from gateway.config import Settings
from gateway.console import routes as console_routes
from gateway.console import setup_console
from gateway.heap import freeze_long_lived
from gateway.pipeline.worker import Worker
from gateway.usecases import rescreening
from gateway.webhooks.dispatcher import webhooks_ctx

# Every HTTP route of the gateway: one table, assembled here from each entry point's own list
# (the API's areas, the console, the bots), so that none of them imports another.
ROUTE_TABLE: list[Route] = [
    *ops_routes.ROUTES,
    *customer_routes.ROUTES,
    *sender_routes.ROUTES,
    *ledger_routes.ROUTES,
    *corridor_routes.ROUTES,
    *partner_routes.ROUTES,
    *fspiop_routes.ROUTES,
    *webhook_routes.ROUTES,
    *payin_routes.ROUTES,
    *protection_routes.ROUTES,
    *compliance_routes.ROUTES,
    *kyc_routes.ROUTES,
    *console_routes.ROUTES,
    *bot_routes.ROUTES,
]


def create_app(
    settings: Settings | None = None,
    *,
    run_workers: bool = True,
    run_singletons: bool = True,
    run_chain: bool = True,
    freeze_heap: bool = False,
    **overrides: Any,
) -> web.Application:
    """`overrides` go to open_services (tests pass a screener, rates or a clock).

    `run_singletons`: the webhook dispatcher, the bot notifier and re-screening after a list
    load, which one process of several runs (each would deliver every event); with them the
    chain's settler, unless `run_chain` is false (a process of its own owns the chain). Without
    `run_workers` the process screens nothing, so it does not load the sanctions lists unless
    a test passes a screener.
    `freeze_heap`: once started, leave what the process keeps out of garbage collections
    (see gateway.heap); a serving process wants it, a test process that builds many apps not.
    """
    settings = settings or Settings.from_env()
    if not run_workers:  # only workers screen: a process without them skips the lists' index
        overrides.setdefault("screener", Screener.empty())  # (and screening fails closed)
    app = web.Application(
        middlewares=[problem_middleware, auth_middleware],
        client_max_size=settings.max_body_bytes,
    )
    app[ROUTES] = add_routes(app, bots.mounted_routes(settings, ROUTE_TABLE))
    setup_console(app)
    setup_receipts(app)
    app[CALLER_CACHE] = {}

    async def services_ctx(app: web.Application) -> AsyncIterator[None]:
        async with open_services(settings, **overrides) as svc:
            app[SERVICES] = svc
            yield

    app.cleanup_ctx.append(services_ctx)
    if run_workers:
        app.cleanup_ctx.append(workers_ctx)
    if run_workers and run_singletons:
        app.cleanup_ctx.append(webhooks_ctx(SERVICES))
        app.cleanup_ctx.append(rescreening_ctx)
        if run_chain:
            app.cleanup_ctx.append(chain_ctx(SERVICES))
    if bots.enabled(settings):
        app.cleanup_ctx.append(bots.bots_ctx(run_notifier=run_workers and run_singletons))
    if freeze_heap:
        app.on_startup.append(_freeze_heap)  # runs after every cleanup_ctx has started
    return app


async def _freeze_heap(_app: web.Application) -> None:
    freeze_long_lived()


async def workers_ctx(app: web.Application) -> AsyncIterator[None]:
    """Pipeline workers live as long as the app; on shutdown each finishes its step."""
    svc = app[SERVICES]
    stop = asyncio.Event()
    workers = [Worker(svc, i) for i in range(svc.settings.workers)]
    wakers: list[Callable[[], None]] = [w.wake for w in workers]
    svc.wake_workers = lambda: [wake() for wake in wakers] and None
    tasks = [asyncio.create_task(w.run(stop), name=f"worker-{i}") for i, w in enumerate(workers)]
    try:
        yield
    finally:
        stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)


async def rescreening_ctx(app: web.Application) -> AsyncIterator[None]:
    """Re-screening after `remit sanctions load`, in the background of one process."""
    svc = app[SERVICES]
    task = asyncio.create_task(
        rescreening.rescreen_forever(svc, svc.settings.sanctions_refresh_s), name="rescreening"
    )
    try:
        yield
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

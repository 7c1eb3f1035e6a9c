"""Shared helpers for `remit` commands."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable, Coroutine
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from gateway.config import Settings

if TYPE_CHECKING:
    from gateway.usecases.operator_audit import Operator


def settings_from(args: argparse.Namespace) -> Settings:
    settings = Settings.from_env()
    if getattr(args, "host", None):
        settings = replace(settings, host=args.host)
    if getattr(args, "port", None):
        settings = replace(settings, port=args.port)
    return settings


async def with_engine(fn: Callable[..., Coroutine[Any, Any, Any]], *a: Any) -> Any:
    """Run `fn(engine, *a)` against the upgraded database that REMIT_DATABASE_URL names."""
    from gateway.usecases.database import open_upgraded

    engine = await open_upgraded(Settings.from_env().database_url)
    try:
        return await fn(engine, *a)
    finally:
        await engine.dispose()


async def with_services(fn: Callable[[Any], Coroutine[Any, Any, Any]]) -> Any:
    """`fn(services)` on REMIT_DATABASE_URL, without sanctions lists (commands that do not
    screen); logs go to stderr, stdout is the command's JSON."""
    from compliance.sanctions import Screener
    from gateway.bootstrap import open_services
    from gateway.logs import configure_logging

    settings = Settings.from_env()
    configure_logging(settings.log_level, settings.json_logs)
    async with open_services(settings, screener=Screener.empty()) as svc:
        return await fn(svc)


def run(coro: Coroutine[Any, Any, Any]) -> Any:
    return asyncio.run(coro)


async def audit_cli_action(
    conn: Any, action: str, object_id: str, after: dict[str, Any] | None = None
) -> None:
    """Record an operator's command in the audit chain, in the command's own transaction."""
    from gateway.services import utc_now

    await cli_operator().record(conn, utc_now(), action, object_id, after)


def cli_operator() -> Operator:
    """The operator at the command line, with the key that seals the audit chain."""
    from gateway.usecases.operator_audit import Operator, cli_actor

    return Operator(cli_actor(), Settings.from_env().audit_hmac_key)

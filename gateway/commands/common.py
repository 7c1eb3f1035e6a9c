"""Shared helpers for `remit` commands."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable, Coroutine
from dataclasses import replace
from typing import Any

from gateway.config import Settings


def settings_from(args: argparse.Namespace) -> Settings:
    settings = Settings.from_env()
    if getattr(args, "host", None):
        settings = replace(settings, host=args.host)
    if getattr(args, "port", None):
        settings = replace(settings, port=args.port)
    return settings


async def with_engine(fn: Callable[..., Coroutine[Any, Any, Any]], *a: Any) -> Any:
    """Run `fn(engine, *a)` against the upgraded database that REMIT_DATABASE_URL names."""
    from gateway.storage.engine import create_engine
    from gateway.storage.migrate import upgrade_async

    settings = Settings.from_env()
    await upgrade_async(settings.database_url)
    engine = create_engine(settings.database_url)
    try:
        return await fn(engine, *a)
    finally:
        await engine.dispose()


def run(coro: Coroutine[Any, Any, Any]) -> Any:
    return asyncio.run(coro)


async def audit_cli_action(
    conn: Any, action: str, object_id: str, after: dict[str, Any] | None = None
) -> None:
    """Record an operator's command in the audit chain, in the command's own transaction."""
    from gateway.services import utc_now
    from gateway.usecases import operator_audit

    await operator_audit.record(
        conn,
        key=Settings.from_env().audit_hmac_key,
        at=utc_now(),
        actor=operator_audit.cli_actor(),
        action=action,
        object_id=object_id,
        after=after,
    )

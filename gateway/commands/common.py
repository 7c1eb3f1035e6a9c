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

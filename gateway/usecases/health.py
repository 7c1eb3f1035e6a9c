"""Whether this process can serve: the database answers, within a bound."""

from __future__ import annotations

import asyncio

from gateway.services import Services
from gateway.storage.engine import ping
from ledger_adapter.sessions import reading


async def database_answers(svc: Services, timeout_s: float) -> None:
    """Returns once a trivial query succeeds; raises what the database (or the bound) raised."""
    async with asyncio.timeout(timeout_s):
        async with reading(svc.engine) as conn:
            await ping(conn)

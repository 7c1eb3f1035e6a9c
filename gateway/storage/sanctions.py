"""Sanctions list versions: each version's row (one is active) and its files, gzipped, in the
order they were loaded."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.storage.tables_kyc import sanctions_list_files, sanctions_lists


async def add_version(
    conn: AsyncConnection,
    list_id: str,
    version: str,
    now: datetime,
    source: str,
    file_names: Sequence[str],
    entry_count: int,
) -> None:
    """A new version, not active yet."""
    row = {"id": list_id, "version": version, "loaded_at": now, "source": source}
    row |= {"file_names": list(file_names), "entry_count": entry_count}
    await conn.execute(sanctions_lists.insert().values(**row, active=False))


async def add_files(conn: AsyncConnection, files: Sequence[dict[str, Any]]) -> None:
    """The version's files (list_id, position, name, sha256, content_gz)."""
    await conn.execute(sanctions_list_files.insert(), list(files))


async def activate(conn: AsyncConnection, list_id: str) -> None:
    """Make this version the active one, and no other."""
    await conn.execute(
        sanctions_lists.update().where(sanctions_lists.c.active).values(active=False)
    )
    await conn.execute(
        sanctions_lists.update().where(sanctions_lists.c.id == list_id).values(active=True)
    )


async def active(conn: AsyncConnection) -> Any:
    """The active version's row, or None before the first load."""
    query = sa.select(sanctions_lists).where(sanctions_lists.c.active)
    return (await conn.execute(query.order_by(sanctions_lists.c.loaded_at.desc()))).first()


async def versions(conn: AsyncConnection) -> list[Any]:
    """Every version, newest first."""
    query = sa.select(sanctions_lists).order_by(sanctions_lists.c.loaded_at.desc())
    return list(await conn.execute(query))


async def files(conn: AsyncConnection, list_id: str) -> list[tuple[int, str, bytes]]:
    """(position, name, gzipped content) of the version's files, in order."""
    query = (
        sa.select(
            sanctions_list_files.c.position,
            sanctions_list_files.c.name,
            sanctions_list_files.c.content_gz,
        )
        .where(sanctions_list_files.c.list_id == list_id)
        .order_by(sanctions_list_files.c.position)
    )
    return [tuple(r) for r in await conn.execute(query)]

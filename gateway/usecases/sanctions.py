"""Sanctions list versions in the database. Every gateway process screens with the version
marked active, so a load is one transaction (store the files, switch the active flag) and
running gateways notice it with a cheap periodic check of the active id.

A load builds a Screener from the files before anything is written: a corrupt or unreadable
file raises SanctionsListError and the previous version stays active."""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import tempfile
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from compliance.sanctions import Screener, snapshot_dir
from compliance.sanctions.sources import list_files
from gateway.config import Settings
from gateway.heap import freeze_long_lived, is_frozen
from gateway.ids import new_id
from gateway.services import Services
from gateway.storage import rescreen as rescreen_store
from gateway.storage import sanctions as store
from ledger_adapter.sessions import reading

log = structlog.get_logger("gateway.sanctions")

Audited = Callable[[AsyncConnection, str], Awaitable[None]]
"""Writes the audit entry of a load, given the transaction and the new list id."""

GZIP_MAGIC = b"\x1f\x8b"


def configured(screener: Screener, settings: Settings) -> Screener:
    """The screener with the operator's threshold, if one is set."""
    if settings.sanctions_threshold is None:
        return screener
    return screener.with_threshold(settings.sanctions_threshold)


def _file_rows(list_id: str, paths: Sequence[Path]) -> list[dict[str, Any]]:
    rows = []
    for position, path in enumerate(paths):
        raw = path.read_bytes()
        packed = raw if raw[:2] == GZIP_MAGIC else gzip.compress(raw, compresslevel=6)
        rows.append(
            {
                "list_id": list_id,
                "position": position,
                "name": path.name,
                "sha256": hashlib.sha256(raw).hexdigest(),
                "content_gz": packed,
            }
        )
    return rows


async def store_version(
    engine: AsyncEngine,
    screener: Screener,
    paths: Sequence[Path],
    source: str,
    now: datetime,
    audited: Audited | None = None,
) -> str:
    """Store the files of an already-built screener and make it the active version, atomically
    (with `audited(conn, list_id)`, the operator's audit entry, in the same transaction)."""
    list_id = new_id("sl")
    files = await asyncio.to_thread(_file_rows, list_id, paths)
    async with engine.begin() as conn:
        names = [p.name for p in paths]
        await store.add_version(
            conn, list_id, screener.version, now, source, names, screener.entry_count
        )
        await store.add_files(conn, files)
        await store.activate(conn, list_id)
        if source == "load":  # everyone already screened is screened again under it
            await rescreen_store.start(conn, list_id, screener.version, now)
        if audited is not None:
            await audited(conn, list_id)
    log.info(
        "sanctions_list_activated",
        list_id=list_id,
        version=screener.version,
        entries=screener.entry_count,
        source=source,
    )
    return list_id


async def load_files(
    engine: AsyncEngine,
    paths: Sequence[str | Path],
    now: datetime,
    audited: Audited | None = None,
):
    """Parse first (SanctionsListError leaves everything as it was), then store and activate.
    Returns (list_id, screener)."""
    files = [Path(p) for p in paths]
    screener = await asyncio.to_thread(Screener.from_files, files)
    list_id = await store_version(engine, screener, files, "load", now, audited)
    return list_id, screener


async def active_list(engine: AsyncEngine) -> Any:
    """The active version's row, or None before the first load."""
    async with reading(engine) as conn:
        return await store.active(conn)


async def list_versions(engine: AsyncEngine) -> list[Any]:
    async with reading(engine) as conn:
        return await store.versions(conn)


def _build_from_blobs(blobs: Sequence[tuple[int, str, bytes]]) -> Screener:
    with tempfile.TemporaryDirectory(prefix="remit-lists-") as tmp:
        paths = []
        for position, name, content in blobs:
            folder = Path(tmp) / str(position)
            folder.mkdir()
            (folder / name).write_bytes(content)  # gzip content is detected by its magic
            paths.append(folder / name)
        return Screener.from_files(paths)


async def screener_of(engine: AsyncEngine, list_id: str) -> Screener:
    """Rebuild the screener of a stored version from its files."""
    async with reading(engine) as conn:
        blobs = await store.files(conn, list_id)
    return await asyncio.to_thread(_build_from_blobs, blobs)


async def active_screener(engine: AsyncEngine, now: datetime) -> tuple[str, Screener]:
    """The active version; on first start, the snapshot shipped with the package becomes it."""
    row = await active_list(engine)
    if row is not None:
        return row.id, await screener_of(engine, row.id)
    files = list_files(snapshot_dir())
    screener = await asyncio.to_thread(Screener.from_files, files)
    return await store_version(engine, screener, files, "snapshot", now), screener


async def refresh(svc: Services) -> bool:
    """Swap in a newly activated version; True if the lists changed. A version that cannot be
    rebuilt is logged and the current lists stay."""
    row = await active_list(svc.engine)
    if row is None or row.id == svc.screening.list_id:
        return False
    screener = await screener_of(svc.engine, row.id)
    svc.screening.current = configured(screener, svc.settings)
    svc.screening.list_id = row.id
    if is_frozen():  # the new index lives as long as the old one did: out of collections too
        freeze_long_lived(collect=False)
    log.info("sanctions_list_swapped", list_id=row.id, version=screener.version)
    return True


async def refresh_forever(svc: Services) -> None:
    """The periodic check a running gateway makes (every `sanctions_refresh_s`)."""
    while True:
        await asyncio.sleep(svc.settings.sanctions_refresh_s)
        try:
            await refresh(svc)
        except Exception:  # a bad row or a database hiccup must not stop the checks
            log.exception("sanctions_refresh_failed")

"""Shared fixtures: a fresh database per test, on SQLite or on the PostgreSQL server named by
REMIT_TEST_DATABASE_URL (each test creates and drops its own database there)."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SANCTIONS_DIR = SHARED / "data" / "sanctions"


def postgres_server_url() -> str | None:
    return os.environ.get("REMIT_TEST_DATABASE_URL") or None


@pytest.fixture
async def database_url(tmp_path: Path) -> AsyncIterator[str]:
    """A URL of an empty database that exists only for this test."""
    server = postgres_server_url()
    if server is None:
        yield f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
        return
    name = f"remit_t_{uuid.uuid4().hex[:16]}"
    admin = create_async_engine(server, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


@pytest.fixture
def sanctions_dir() -> Path:
    if not SANCTIONS_DIR.is_dir():
        pytest.fail(f"sanctions fixtures missing: {SANCTIONS_DIR}")
    return SANCTIONS_DIR

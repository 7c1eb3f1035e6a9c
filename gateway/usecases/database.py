"""The database a process runs on, as the CLI brings it up: migrated to the newest schema,
opened, and the personal-data keys its rows are sealed with (gateway.storage)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.storage import migrate
from gateway.storage.datakeys import Keyring, MissingDataKeys, keyring_for
from gateway.storage.engine import create_engine

__all__ = ["Keyring", "MissingDataKeys", "data_keys", "open_upgraded", "upgrade"]

#: Migrate the database at the URL to `revision` (default: every head).
upgrade = migrate.upgrade


async def open_upgraded(url: str) -> AsyncEngine:
    """The engine of the database at `url`, migrated to the newest schema first."""
    await migrate.upgrade_async(url)
    return create_engine(url)


def data_keys(url: str) -> Keyring:
    """The personal-data keys for the database at `url` (MissingDataKeys when PostgreSQL has
    none configured)."""
    return keyring_for(url)

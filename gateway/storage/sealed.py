"""Sealed columns: personal data encrypted at rest, bound to its table, column and row.

A `Sealed` column stores `pii1:<key id>:<token>` (see `gateway.storage.datakeys`). The row's
key is part of the associated data, so a ciphertext copied into another row (or column) does
not open. Reads need no help: the type's column expression selects `row key || '|' || value`
and the result processor opens it, so use cases see plaintext. Writes say which row a value
belongs to: `row_value(row_id, value)` (a bare value is refused, so no write can forget).

The keyring travels on the engine's dialect (`attach`), so two engines in one process (tests,
the migration) each use their own keys."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.storage.datakeys import PLAIN_PREFIX, PREFIX, Keyring, keyring_for

SEP = "|"
# What an erased value becomes: reads as None (text, date) or {} (json); no key opens it.
ERASED = "erased1"
KEY_SEP = ":"


@dataclass(frozen=True, slots=True)
class RowValue:
    """A plaintext on its way into a sealed column of the row `row_id`."""

    row_id: str
    value: Any


def row_value(row_id: str | tuple[str, ...], value: Any) -> RowValue | None:
    if value is None:
        return None
    if isinstance(row_id, tuple):
        row_id = KEY_SEP.join(row_id)
    return RowValue(row_id, value)


def attach(engine: AsyncEngine | sa.Engine, url: str | None = None) -> None:
    """Give the engine its keyring, found on first use (from the environment, or the key file
    beside SQLite): an engine that never touches personal data (a health check, a unit test)
    needs no key. Services resolve it at start (`keyring_of`), so a missing key stops them."""
    sync = engine.sync_engine if isinstance(engine, AsyncEngine) else engine
    sync.dialect.remit_keyring_url = url or sync.url.render_as_string(hide_password=False)


def keyring_of(bind: Any) -> Keyring:
    """The keyring of an engine, connection or dialect (MissingDataKeys: none configured)."""
    dialect = getattr(bind, "dialect", bind)
    ring = getattr(dialect, "remit_keyring", None)
    if ring is None:
        url = getattr(dialect, "remit_keyring_url", None)
        if url is None:
            raise RuntimeError("no data keyring on this engine (gateway.storage.sealed.attach)")
        ring = dialect.remit_keyring = keyring_for(url)
    return ring


def blind(bind: Any, purpose: str, value: str | None) -> str | None:
    """The blind index of a normalised value (see `Keyring.index`), for lookups."""
    return None if value is None else keyring_of(bind).index(purpose, value)


def is_sealed(text: Any) -> bool:
    return isinstance(text, str) and (
        text.startswith(PREFIX + ":") or text.startswith(PLAIN_PREFIX) or text == ERASED
    )


def _encode(kind: str, value: Any) -> bytes:
    if kind == "json":
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()
    if kind == "date":
        return value.isoformat().encode()
    return str(value).encode()


def _decode(kind: str, raw: bytes) -> Any:
    if kind == "json":
        return json.loads(raw)
    if kind == "date":
        return date.fromisoformat(raw.decode())
    return raw.decode()


class Sealed(sa.TypeDecorator):
    """Text holding a sealed value of `kind` ("text", "json" or "date") of `table`.`column`,
    bound to the row named by the columns `row` (joined with ':')."""

    impl = sa.Text
    cache_ok = True

    def __init__(self, table: str, column: str, kind: str = "text", row: tuple[str, ...] = ("id",)):
        super().__init__()
        self.table = table
        self.column = column
        self.kind = kind
        self.row = row
        self._aad_prefix = f"{table}.{column}{SEP}".encode()

    def aad(self, row_id: str) -> bytes:
        return self._aad_prefix + row_id.encode()

    def seal(self, ring: Keyring, row_id: str, value: Any) -> str:
        return ring.seal(self.aad(row_id), _encode(self.kind, value))

    def open(self, ring: Keyring, row_id: str, token: str) -> Any:
        if token == ERASED:
            return {} if self.kind == "json" else None
        return _decode(self.kind, ring.open(self.aad(row_id), token))

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        if value is None:
            return None
        if isinstance(value, RowValue):
            return self.seal(keyring_of(dialect), value.row_id, value.value)
        if is_sealed(value):  # a ciphertext re-written as it is (rotation writes its own)
            return value
        raise TypeError(
            f"{self.table}.{self.column} is personal data: write it as row_value(row_id, value)"
        )

    def column_expression(self, column: Any) -> Any:
        while isinstance(column, sa.Label):
            column = column.element
        source = getattr(column, "table", None)
        if source is None or not all(name in source.c for name in self.row):
            raise TypeError(
                f"{self.table}.{self.column} is read with its row key ({', '.join(self.row)})"
            )
        key: Any = sa.type_coerce(source.c[self.row[0]], sa.Text)
        for name in self.row[1:]:
            key = key + KEY_SEP + sa.type_coerce(source.c[name], sa.Text)
        return sa.type_coerce(key + SEP + sa.type_coerce(column, sa.Text), self)

    def process_result_value(self, value: Any, dialect: Any) -> Any:
        if value is None:
            return None
        row_id, sep, token = value.rpartition(SEP)
        if not sep:
            raise TypeError(f"{self.table}.{self.column} was read without its row key")
        return self.open(keyring_of(dialect), row_id, token)

    def sql_select(self, alias: str) -> str:
        """The select-list item for text SQL: `alias.key || '|' || alias.column AS column`."""
        key = " || ':' || ".join(f"{alias}.{name}" for name in self.row)
        return f"{key} || '{SEP}' || {alias}.{self.column} AS {self.column}"


def sealed_type(column: sa.Column) -> Sealed | None:
    return column.type if isinstance(column.type, Sealed) else None


def sealed_columns(table: sa.Table) -> list[sa.Column]:
    return [c for c in table.c if isinstance(c.type, Sealed)]


def sql_columns(table: sa.Table, alias: str) -> str:
    """Every column of `table` for a text-SQL select list, sealed ones with their row key."""
    return ", ".join(
        c.type.sql_select(alias) if isinstance(c.type, Sealed) else f"{alias}.{c.name}"
        for c in table.c
    )

"""Sealing plain rows in place, for the migrations that bring personal data under encryption
(privacy_0001, privacy_0002): each names the columns it seals, so a later revision's columns
are sealed by that revision, never by an earlier one reading today's schema."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

import gateway.storage.schema  # noqa: F401  (every table on the metadata)
from gateway.storage.datakeys import Keyring, keyring_for
from gateway.storage.sealed import KEY_SEP, Sealed, is_sealed, keyring_of
from gateway.storage.tables import metadata

BATCH = 500


def migration_keyring(bind: sa.Connection) -> Keyring:
    """The keyring of the engine running the migration (or the one its URL implies)."""
    if getattr(bind.dialect, "remit_keyring_url", None):
        return keyring_of(bind)
    return keyring_for(bind.engine.url.render_as_string(hide_password=False))


def to_text_on_postgresql(bind: sa.Connection, name: str, columns: Sequence[str]) -> None:
    """A sealed value is text: PostgreSQL's JSON and VARCHAR(n) columns become TEXT."""
    from alembic import op

    if bind.dialect.name != "postgresql":
        return
    for column in columns:
        op.alter_column(name, column, type_=sa.Text(), postgresql_using=f'"{column}"::text')


def seal_plain_rows(bind: sa.Connection, ring: Keyring, name: str, columns: Sequence[str]) -> int:
    """Every plain value of `columns` of the table `name`, sealed to its row, in batches of
    BATCH rows; values already sealed (or erased) are left as they are. Returns the number of
    rows written."""
    table = metadata.tables[name]
    types: dict[str, Sealed] = {c: table.c[c].type for c in columns}
    row_key = next(iter(types.values())).row
    plain = sa.table(name, *(sa.column(c) for c in row_key), *(sa.column(c) for c in columns))
    text_of = [sa.cast(plain.c[c], sa.Text).label(c) for c in columns]
    rows = bind.execute(sa.select(*(plain.c[c] for c in row_key), *text_of)).all()
    where = sa.and_(*(plain.c[c] == sa.bindparam(f"k_{c}") for c in row_key))
    written = 0
    for start in range(0, len(rows), BATCH):
        updates: dict[tuple[str, ...], list[dict]] = {}
        for row in rows[start : start + BATCH]:
            row_id = KEY_SEP.join(str(getattr(row, c)) for c in row_key)
            values = {}
            for column in columns:
                value = getattr(row, column)
                if value is None or is_sealed(value):
                    continue
                values[f"v_{column}"] = ring.seal(types[column].aad(row_id), value.encode())
            if values:
                keys = {f"k_{c}": getattr(row, c) for c in row_key}
                updates.setdefault(tuple(sorted(values)), []).append({**keys, **values})
        for names, params in updates.items():
            set_ = {n[2:]: sa.bindparam(n) for n in names}
            bind.execute(plain.update().where(where).values(set_), params)
            written += len(params)
    return written

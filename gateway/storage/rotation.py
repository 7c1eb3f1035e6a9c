"""Re-encryption under the newest data key, in bounded batches, while the gateway runs.

Each batch reads up to `batch` rows whose sealed values are under an older key, opens and
re-seals them, and writes each value back only if it is still the token it read (a gateway
that rewrote the row meanwhile already wrote it under the newest key). A batch is one short
transaction, so requests never wait long behind it."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

import gateway.storage.schema  # noqa: F401  (every table on the metadata)
from gateway.storage.datakeys import PREFIX, Keyring
from gateway.storage.sealed import ERASED, KEY_SEP, Sealed, keyring_of, sealed_columns
from gateway.storage.tables import metadata


@dataclass
class RotationReport:
    key_id: str
    rewritten: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.rewritten.values())


def sealed_tables() -> list[sa.Table]:
    return [t for t in metadata.sorted_tables if sealed_columns(t)]


def _raw(table: sa.Table) -> tuple[sa.TableClause, list[str], list[str]]:
    """The table with plain column types: tokens as stored, no opening on read."""
    columns = [c.name for c in sealed_columns(table)]
    key = list(sealed_columns(table)[0].type.row)
    return sa.table(table.name, *(sa.column(n) for n in key + columns)), key, columns


async def _rotate_batch(engine: AsyncEngine, ring: Keyring, table: sa.Table, batch: int) -> int:
    raw, key, columns = _raw(table)
    current = f"{PREFIX}:{ring.current}:%"
    stale = sa.or_(
        *(
            sa.and_(raw.c[n].is_not(None), raw.c[n] != ERASED, raw.c[n].not_like(current))
            for n in columns
        )
    )
    types: dict[str, Sealed] = {c.name: c.type for c in sealed_columns(table)}
    async with engine.begin() as conn:
        query = sa.select(*(raw.c[n] for n in key + columns)).where(stale).limit(batch)
        rows = (await conn.execute(query)).all()
        written = 0
        for row in rows:
            row_id = KEY_SEP.join(str(getattr(row, k)) for k in key)
            for name in columns:
                token = getattr(row, name)
                if token is None or token == ERASED or token.startswith(current[:-1]):
                    continue
                plain = ring.open(types[name].aad(row_id), token)
                fresh = ring.seal(types[name].aad(row_id), plain)
                where = [raw.c[k] == getattr(row, k) for k in key] + [raw.c[name] == token]
                done = await conn.execute(raw.update().where(*where).values({name: fresh}))
                written += done.rowcount
        return written if rows else -1


async def rotate(engine: AsyncEngine, batch: int = 200) -> RotationReport:
    """Every sealed value under the newest key; returns how many values each table rewrote."""
    ring = keyring_of(engine)
    if not ring.encrypt:
        raise ValueError("REMIT_DATA_ENCRYPTION is off: nothing to re-encrypt under")
    report = RotationReport(ring.current)
    for table in sealed_tables():
        total = 0
        while (done := await _rotate_batch(engine, ring, table, batch)) >= 0:
            total += done
        report.rewritten[table.name] = total
    return report

"""The earlier remittances the AML rules see for one transfer, read for many at once.

For each transfer: the sender's and the recipient's remittances in the window, and whether the
sender ever sent to this recipient before (all time). `gateway.pipeline.aml_facts` decides what
the rules make of them; this module only reads them. Transfers screened in the same loop turn
are read together: on PostgreSQL one statement (a LATERAL join over the transfers' parameters
as arrays), on SQLite one statement per transfer on one connection."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.domain.states import Status
from gateway.storage.tables import remittances
from ledger_adapter.sessions import reading

# Earlier remittances that never went anywhere do not make a recipient "known".
NEVER_SENT = (Status.REJECTED.value, Status.CANCELLED.value, Status.EXPIRED.value)

r = remittances.c
COLUMNS = (
    r.id,
    r.sender_id,
    r.corridor_id,
    r.recipient_key,
    r.send_currency,
    r.send_amount_minor,
    r.created_at,
    r.status,
)


@dataclass(frozen=True)
class HistoryWanted:
    remittance_id: str  # the transfer itself is not its own history
    sender_id: str
    recipient_key: str
    since: datetime  # the start of the rules' longest window


def _one_query() -> sa.CompoundSelect:
    """One transfer's history; rows carry `part`: sender, recipient or known."""
    others = r.id != sa.bindparam("remittance_id")
    recent = r.created_at >= sa.bindparam("since")
    by_them = r.sender_id == sa.bindparam("sender_id")
    to_key = r.recipient_key == sa.bindparam("recipient_key")

    def part(name: str, *where: Any) -> sa.Select:
        return sa.select(sa.literal(name).label("part"), *COLUMNS).where(others, *where)

    # "New recipient" looks at all time, not just the window; one row tells.
    known = part("known", by_them, to_key, r.status.not_in(NEVER_SENT)).limit(1)
    return sa.union_all(
        part("sender", by_them, recent),  # indexed lookups: the sender's recent transfers,
        part("recipient", to_key, recent),  # the recipient's recent transfers
        sa.select(known.subquery()),  # SQLite takes a LIMIT in a UNION only in a subquery
    )


def _many_statement() -> sa.TextClause:
    """The same three parts for every transfer of a batch, each row tagged with its
    transfer's position (`wanted`, from 1)."""
    pg = postgresql.dialect()
    cols = ", ".join(f"h.{c.name}" for c in COLUMNS)
    sql = f"""
SELECT p.wanted, h.part, {cols}
FROM unnest(
    CAST(:remittance_ids AS {r.id.type.compile(dialect=pg)}[]),
    CAST(:sender_ids AS {r.sender_id.type.compile(dialect=pg)}[]),
    CAST(:recipient_keys AS {r.recipient_key.type.compile(dialect=pg)}[]),
    CAST(:sinces AS TIMESTAMP WITH TIME ZONE[])
) WITH ORDINALITY AS p(remittance_id, sender_id, recipient_key, since, wanted)
CROSS JOIN LATERAL (
    SELECT 'sender' AS part, x.* FROM remittances AS x
    WHERE x.id <> p.remittance_id AND x.sender_id = p.sender_id AND x.created_at >= p.since
    UNION ALL
    SELECT 'recipient', x.* FROM remittances AS x
    WHERE x.id <> p.remittance_id AND x.recipient_key = p.recipient_key
      AND x.created_at >= p.since
    UNION ALL
    (SELECT 'known', x.* FROM remittances AS x
     WHERE x.id <> p.remittance_id AND x.sender_id = p.sender_id
       AND x.recipient_key = p.recipient_key AND x.status <> ALL(CAST(:never_sent AS TEXT[]))
     LIMIT 1)
) AS h"""
    return sa.text(sql).columns(
        sa.column("wanted", sa.BigInteger), sa.column("part", sa.String), *COLUMNS
    )


ONE = _one_query()
MANY = _many_statement()


async def read_many(engine: AsyncEngine, wanted: list[HistoryWanted]) -> list[list[sa.Row]]:
    """Each transfer's history rows, in the order asked."""
    async with reading(engine) as conn:
        if conn.dialect.name != "postgresql":
            return [
                list((await conn.execute(ONE, vars(w))).all())  # one per transfer
                for w in wanted
            ]
        rows = await conn.execute(
            MANY,
            {
                "remittance_ids": [w.remittance_id for w in wanted],
                "sender_ids": [w.sender_id for w in wanted],
                "recipient_keys": [w.recipient_key for w in wanted],
                "sinces": [w.since for w in wanted],
                "never_sent": list(NEVER_SENT),
            },
        )
        found: list[list[sa.Row]] = [[] for _ in wanted]
        for row in rows:
            found[row.wanted - 1].append(row)
        return found

"""Firm quotes: the row a priced quote is stored as, and the reads and the lock on it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from fx.pricing import Quote
from gateway.storage.tables import quotes, remittances

# Built once and run with parameters (the accept path: see storage.remittances).
_TAKE = (
    quotes.update()
    .where(quotes.c.id == sa.bindparam("quote_id"), quotes.c.remittance_id.is_(None))
    .values(remittance_id=sa.bindparam("taken_by"))
)


def quote_row(quote_id: str, owner: str, corridor_id: str, quote: Quote) -> dict[str, Any]:
    """A priced quote as its row stores it, not yet taken by a remittance."""
    return {
        "id": quote_id,
        "owner": owner,
        "corridor_id": corridor_id,
        "send_currency": quote.send_currency,
        "receive_currency": quote.receive_currency,
        "send_amount_minor": quote.send_amount.to_minor(),
        "fee_minor": quote.fee.to_minor(),
        "receive_amount_minor": quote.receive_amount.to_minor(),
        "mid_rate": str(quote.mid_rate),
        "rate": str(quote.rate),
        "rate_source": quote.rate_source,
        "rate_as_of": quote.rate_as_of,
        "created_at": quote.created_at,
        "expires_at": quote.expires_at,
        "remittance_id": None,
    }


async def insert(conn: AsyncConnection, values: dict[str, Any]) -> None:
    await conn.execute(quotes.insert().values(values))


async def get(conn: AsyncConnection, quote_id: str) -> Any:
    return (await conn.execute(sa.select(quotes).where(quotes.c.id == quote_id))).first()


async def owned_by(conn: AsyncConnection, quote_id: str, owner: str) -> Any:
    """The quote if `owner` asked for it, else None."""
    query = sa.select(quotes).where(quotes.c.id == quote_id, quotes.c.owner == owner)
    return (await conn.execute(query)).first()


async def offered_to(conn: AsyncConnection, quote_id: str, remittance_id: str) -> Any:
    """The quote if it was offered to this remittance in requote, else None."""
    query = sa.select(quotes).where(quotes.c.id == quote_id, quotes.c.requote_for == remittance_id)
    return (await conn.execute(query)).first()


async def of_remittance(conn: AsyncConnection, remittance_id: str) -> Sequence[Any]:
    """The quote a remittance was made from, then those offered to it (oldest first)."""
    query = (
        sa.select(quotes)
        .where(
            sa.or_(quotes.c.remittance_id == remittance_id, quotes.c.requote_for == remittance_id)
        )
        .order_by(quotes.c.requote_for.is_not(None), quotes.c.created_at, quotes.c.id)
    )
    return (await conn.execute(query)).all()


async def in_use_by(conn: AsyncConnection, remittance_id: str) -> Any:
    """The quote a remittance now uses (its `quote_id`)."""
    query = (
        sa.select(quotes)
        .select_from(quotes.join(remittances, remittances.c.quote_id == quotes.c.id))
        .where(remittances.c.id == remittance_id)
    )
    return (await conn.execute(query)).one()


async def take(conn: AsyncConnection, quote_id: str, remittance_id: str) -> bool:
    """Lock the quote to the remittance; False if another remittance took it first."""
    done = await conn.execute(_TAKE, {"quote_id": quote_id, "taken_by": remittance_id})
    return done.rowcount == 1

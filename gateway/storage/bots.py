"""The bots' rows: conversations, delivered updates, button actions, which chat owns which
remittance, saved recipients. A chat is stored as its blind index (`chat_key`); the chat
itself only sealed, in bot_conversations.chat, to send to."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.storage.sealed import blind, row_value
from gateway.storage.tables_bots import (
    bot_actions,
    bot_conversations,
    bot_deliveries,
    bot_recipients,
    bot_remittances,
)


def chat_key(bind: Any, platform: str, chat_id: str) -> str:
    """What the bot tables store for a chat: its blind index (a WhatsApp chat is a phone)."""
    return blind(bind, "chat", f"{platform}:{chat_id}")


def _of_chat(table: sa.Table, platform: str, key: str) -> sa.ColumnElement[bool]:
    return sa.and_(table.c.platform == platform, table.c.chat_id == key)


async def conversation(conn: AsyncConnection, platform: str, key: str) -> Any:
    """The chat's conversation row, or None before its first message was answered."""
    query = sa.select(bot_conversations).where(_of_chat(bot_conversations, platform, key))
    return (await conn.execute(query)).first()


async def write_conversation(
    conn: AsyncConnection,
    platform: str,
    key: str,
    chat_id: str,
    values: Mapping[str, Any],
    *,
    stored: bool,
) -> None:
    """Insert the conversation (`stored` False) or update it; `data` is sealed to the chat."""
    row = {**values, "data": row_value((platform, key), values["data"])}
    if stored:
        where = _of_chat(bot_conversations, platform, key)
        await conn.execute(bot_conversations.update().where(where).values(**row))
    else:
        chat = row_value((platform, key), chat_id)
        await conn.execute(
            bot_conversations.insert().values(platform=platform, chat_id=key, chat=chat, **row)
        )


async def add_delivery(
    conn: AsyncConnection, platform: str, delivery_id: str, now: datetime
) -> None:
    """Remember an update as delivered (IntegrityError if it was before)."""
    await conn.execute(
        bot_deliveries.insert().values(
            platform=platform, delivery_id=delivery_id[:200], received_at=now
        )
    )


async def drop_delivery(conn: AsyncConnection, platform: str, delivery_id: str) -> None:
    await conn.execute(
        bot_deliveries.delete().where(
            bot_deliveries.c.platform == platform,
            bot_deliveries.c.delivery_id == delivery_id[:200],
        )
    )


async def _add_sealed(
    conn: AsyncConnection,
    table: sa.Table,
    row_id: str,
    platform: str,
    key: str,
    data: dict[str, Any],
    now: datetime,
    **columns: Any,
) -> None:
    """A row of the chat's that holds `data` sealed to it: a button action, a saved recipient."""
    sealed = row_value(row_id, data)
    await conn.execute(
        table.insert().values(
            id=row_id, platform=platform, chat_id=key, data=sealed, created_at=now, **columns
        )
    )


async def add_action(
    conn: AsyncConnection,
    action_id: str,
    platform: str,
    key: str,
    kind: str,
    data: dict[str, Any],
    now: datetime,
) -> None:
    await _add_sealed(conn, bot_actions, action_id, platform, key, data, now, kind=kind)


async def action(conn: AsyncConnection, action_id: str, platform: str, key: str) -> Any:
    """The action if it was shown in this chat, else None."""
    query = sa.select(bot_actions).where(
        bot_actions.c.id == action_id, _of_chat(bot_actions, platform, key)
    )
    return (await conn.execute(query)).first()


async def mark_action_used(
    conn: AsyncConnection, action_id: str, data: dict[str, Any], now: datetime
) -> bool:
    """True if this marked it (it was not used yet), with what it did."""
    done = await conn.execute(
        bot_actions.update()
        .where(bot_actions.c.id == action_id, bot_actions.c.used_at.is_(None))
        .values(used_at=now, data=row_value(action_id, data))
    )
    return done.rowcount == 1


async def add_link(
    conn: AsyncConnection, remittance_id: str, platform: str, key: str, now: datetime
) -> None:
    """The chat owns the remittance (IntegrityError if it already does)."""
    await conn.execute(
        bot_remittances.insert().values(
            remittance_id=remittance_id, platform=platform, chat_id=key, created_at=now
        )
    )


async def linked_remittances(
    conn: AsyncConnection, platform: str, key: str, limit: int
) -> list[str]:
    """The chat's remittance ids, newest first."""
    rows = await conn.execute(
        sa.select(bot_remittances.c.remittance_id)
        .where(_of_chat(bot_remittances, platform, key))
        .order_by(bot_remittances.c.created_at.desc(), bot_remittances.c.remittance_id)
        .limit(limit)
    )
    return [r.remittance_id for r in rows]


# The chat itself (opened from its seal), to send to.
_CHAT = (
    bot_conversations.c.platform,
    bot_conversations.c.chat.label("chat_id"),
    bot_conversations.c.language,
)


async def chats_of_remittances(
    conn: AsyncConnection, remittance_ids: Sequence[str]
) -> dict[str, Any]:
    """remittance id -> (platform, chat_id, language) of the chat that owns it."""
    rows = await conn.execute(
        sa.select(bot_remittances.c.remittance_id, *_CHAT)
        .join(
            bot_conversations,
            _of_chat(bot_conversations, bot_remittances.c.platform, bot_remittances.c.chat_id),
        )
        .where(bot_remittances.c.remittance_id.in_(list(remittance_ids)))
    )
    return {r.remittance_id: r for r in rows}


async def chats_of_customers(conn: AsyncConnection, customer_ids: Sequence[str]) -> dict[str, Any]:
    """customer id -> (platform, chat_id, language) of the chat a bot signed them up in."""
    rows = await conn.execute(
        sa.select(bot_conversations.c.customer_id, *_CHAT).where(
            bot_conversations.c.customer_id.in_(list(customer_ids))
        )
    )
    return {r.customer_id: r for r in rows}


async def recipients(conn: AsyncConnection, platform: str, key: str, corridor_id: str) -> list:
    """The chat's five newest saved recipients in the corridor."""
    rows = await conn.execute(
        sa.select(bot_recipients)
        .where(_of_chat(bot_recipients, platform, key), bot_recipients.c.corridor_id == corridor_id)
        .order_by(bot_recipients.c.created_at.desc())
        .limit(5)
    )
    return list(rows)


async def add_recipient(
    conn: AsyncConnection,
    recipient_id: str,
    platform: str,
    key: str,
    corridor_id: str,
    data: dict[str, Any],
    now: datetime,
) -> None:
    await _add_sealed(
        conn, bot_recipients, recipient_id, platform, key, data, now, corridor_id=corridor_id
    )

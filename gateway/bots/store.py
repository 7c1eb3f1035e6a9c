"""Persistence of the bots: conversations, delivered updates, button actions, which chat owns
which remittance, and saved recipients."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.ids import new_id
from gateway.storage.sealed import blind, row_value
from gateway.storage.tables_bots import (
    bot_actions,
    bot_conversations,
    bot_deliveries,
    bot_recipients,
    bot_remittances,
)
from ledger_adapter.sessions import reading


@dataclass
class Conversation:
    platform: str
    chat_id: str
    language: str
    state: str = "new"
    data: dict[str, Any] = field(default_factory=dict)
    customer_id: str | None = None
    stored: bool = False


def chat_key(engine: AsyncEngine, platform: str, chat_id: str) -> str:
    """What the bot tables store for a chat: its blind index (a WhatsApp chat is a phone)."""
    return blind(engine, "chat", f"{platform}:{chat_id}")


async def load_conversation(
    engine: AsyncEngine, platform: str, chat_id: str, language: str
) -> Conversation:
    key = sa.and_(
        bot_conversations.c.platform == platform,
        bot_conversations.c.chat_id == chat_key(engine, platform, chat_id),
    )
    async with reading(engine) as conn:
        row = (await conn.execute(sa.select(bot_conversations).where(key))).first()
    if row is None:
        return Conversation(platform, chat_id, language)
    return Conversation(
        platform, chat_id, row.language, row.state, dict(row.data), row.customer_id, True
    )


async def save_conversation(engine: AsyncEngine, conv: Conversation, now: datetime) -> None:
    key = chat_key(engine, conv.platform, conv.chat_id)
    values = {
        "language": conv.language,
        "state": conv.state,
        "data": row_value((conv.platform, key), conv.data),
        "customer_id": conv.customer_id,
        "updated_at": now,
    }
    async with engine.begin() as conn:
        if conv.stored:
            await conn.execute(
                bot_conversations.update()
                .where(
                    bot_conversations.c.platform == conv.platform,
                    bot_conversations.c.chat_id == key,
                )
                .values(**values)
            )
        else:
            await conn.execute(
                bot_conversations.insert().values(
                    platform=conv.platform,
                    chat_id=key,
                    chat=row_value((conv.platform, key), conv.chat_id),
                    **values,
                )
            )
    conv.stored = True


async def claim_delivery(
    engine: AsyncEngine, platform: str, delivery_id: str, now: datetime
) -> bool:
    """True the first time a platform delivers this update; False for every repeat."""
    try:
        async with engine.begin() as conn:
            await conn.execute(
                bot_deliveries.insert().values(
                    platform=platform, delivery_id=delivery_id[:200], received_at=now
                )
            )
    except IntegrityError:
        return False
    return True


async def release_delivery(engine: AsyncEngine, platform: str, delivery_id: str) -> None:
    """Processing failed: let the platform's retry through."""
    async with engine.begin() as conn:
        await conn.execute(
            bot_deliveries.delete().where(
                bot_deliveries.c.platform == platform,
                bot_deliveries.c.delivery_id == delivery_id[:200],
            )
        )


async def create_action(
    engine: AsyncEngine, conv: Conversation, kind: str, data: dict[str, Any], now: datetime
) -> str:
    action_id = new_id("ba").removeprefix("ba_")
    async with engine.begin() as conn:
        await conn.execute(
            bot_actions.insert().values(
                id=action_id,
                platform=conv.platform,
                chat_id=chat_key(engine, conv.platform, conv.chat_id),
                kind=kind,
                data=row_value(action_id, data),
                created_at=now,
            )
        )
    return action_id


async def get_action(engine: AsyncEngine, conv: Conversation, action_id: str) -> Any:
    """Only the chat that was shown a button may press it."""
    async with reading(engine) as conn:
        return (
            await conn.execute(
                sa.select(bot_actions).where(
                    bot_actions.c.id == action_id,
                    bot_actions.c.platform == conv.platform,
                    bot_actions.c.chat_id == chat_key(engine, conv.platform, conv.chat_id),
                )
            )
        ).first()


async def use_action(engine: AsyncEngine, action_id: str, data: dict[str, Any], now: datetime):
    """Mark a button used (first tap wins) and remember what it did."""
    async with engine.begin() as conn:
        done = await conn.execute(
            bot_actions.update()
            .where(bot_actions.c.id == action_id, bot_actions.c.used_at.is_(None))
            .values(used_at=now, data=row_value(action_id, data))
        )
    return done.rowcount == 1


async def link_remittance(
    engine: AsyncEngine, conv: Conversation, remittance_id: str, now: datetime
) -> None:
    try:
        async with engine.begin() as conn:
            await conn.execute(
                bot_remittances.insert().values(
                    remittance_id=remittance_id,
                    platform=conv.platform,
                    chat_id=chat_key(engine, conv.platform, conv.chat_id),
                    created_at=now,
                )
            )
    except IntegrityError:
        pass  # a replayed confirmation: already linked


async def chat_remittances(engine: AsyncEngine, conv: Conversation, limit: int) -> list[str]:
    """The chat's remittance ids, newest first."""
    async with reading(engine) as conn:
        rows = await conn.execute(
            sa.select(bot_remittances.c.remittance_id)
            .where(
                bot_remittances.c.platform == conv.platform,
                bot_remittances.c.chat_id == chat_key(engine, conv.platform, conv.chat_id),
            )
            .order_by(bot_remittances.c.created_at.desc(), bot_remittances.c.remittance_id)
            .limit(limit)
        )
        return [r.remittance_id for r in rows]


async def chats_of(engine: AsyncEngine, remittance_ids: Sequence[str]) -> dict[str, Any]:
    if not remittance_ids:
        return {}
    async with reading(engine) as conn:
        rows = await conn.execute(
            sa.select(
                bot_remittances.c.remittance_id,
                bot_remittances.c.platform,
                bot_conversations.c.chat.label("chat_id"),  # the chat itself, to send to
                bot_conversations.c.language,
            )
            .join(
                bot_conversations,
                sa.and_(
                    bot_conversations.c.platform == bot_remittances.c.platform,
                    bot_conversations.c.chat_id == bot_remittances.c.chat_id,
                ),
            )
            .where(bot_remittances.c.remittance_id.in_(list(remittance_ids)))
        )
        return {r.remittance_id: r for r in rows}


async def chats_of_customers(engine: AsyncEngine, customer_ids: Sequence[str]) -> dict[str, Any]:
    """The conversation of each customer a bot signed up (customer id -> row)."""
    if not customer_ids:
        return {}
    async with reading(engine) as conn:
        rows = await conn.execute(
            sa.select(
                bot_conversations.c.customer_id,
                bot_conversations.c.platform,
                bot_conversations.c.chat.label("chat_id"),  # the chat itself, to send to
                bot_conversations.c.language,
            ).where(bot_conversations.c.customer_id.in_(list(customer_ids)))
        )
        return {r.customer_id: r for r in rows}


async def saved_recipients(engine: AsyncEngine, conv: Conversation, corridor_id: str) -> list:
    async with reading(engine) as conn:
        rows = await conn.execute(
            sa.select(bot_recipients)
            .where(
                bot_recipients.c.platform == conv.platform,
                bot_recipients.c.chat_id == chat_key(engine, conv.platform, conv.chat_id),
                bot_recipients.c.corridor_id == corridor_id,
            )
            .order_by(bot_recipients.c.created_at.desc())
            .limit(5)
        )
        return list(rows)


async def save_recipient(
    engine: AsyncEngine, conv: Conversation, corridor_id: str, data: dict, now: datetime
) -> None:
    """Remembered after a confirmed transfer; the same details are kept once."""
    if any(dict(r.data) == data for r in await saved_recipients(engine, conv, corridor_id)):
        return
    recipient_id = new_id("brc")
    async with engine.begin() as conn:
        await conn.execute(
            bot_recipients.insert().values(
                id=recipient_id,
                platform=conv.platform,
                chat_id=chat_key(engine, conv.platform, conv.chat_id),
                corridor_id=corridor_id,
                data=row_value(recipient_id, data),
                created_at=now,
            )
        )

"""What the bots remember of a chat: its conversation, the updates already delivered, the
buttons it was shown, the remittances it owns and its saved recipients (rows in
gateway.storage.bots). Each call is its own transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.ids import new_id
from gateway.storage import bots as store
from ledger_adapter.sessions import reading

chat_key = store.chat_key


@dataclass
class Conversation:
    platform: str
    chat_id: str
    language: str
    state: str = "new"
    data: dict[str, Any] = field(default_factory=dict)
    customer_id: str | None = None
    stored: bool = False

    def key(self, engine: AsyncEngine) -> str:
        return chat_key(engine, self.platform, self.chat_id)


async def load_conversation(
    engine: AsyncEngine, platform: str, chat_id: str, language: str
) -> Conversation:
    async with reading(engine) as conn:
        row = await store.conversation(conn, platform, chat_key(engine, platform, chat_id))
    if row is None:
        return Conversation(platform, chat_id, language)
    return Conversation(
        platform, chat_id, row.language, row.state, dict(row.data), row.customer_id, True
    )


async def save_conversation(engine: AsyncEngine, conv: Conversation, now: datetime) -> None:
    values = {
        "language": conv.language,
        "state": conv.state,
        "data": conv.data,
        "customer_id": conv.customer_id,
        "updated_at": now,
    }
    async with engine.begin() as conn:
        await store.write_conversation(
            conn, conv.platform, conv.key(engine), conv.chat_id, values, stored=conv.stored
        )
    conv.stored = True


async def claim_delivery(
    engine: AsyncEngine, platform: str, delivery_id: str, now: datetime
) -> bool:
    """True the first time a platform delivers this update; False for every repeat."""
    try:
        async with engine.begin() as conn:
            await store.add_delivery(conn, platform, delivery_id, now)
    except IntegrityError:
        return False
    return True


async def release_delivery(engine: AsyncEngine, platform: str, delivery_id: str) -> None:
    """Processing failed: let the platform's retry through."""
    async with engine.begin() as conn:
        await store.drop_delivery(conn, platform, delivery_id)


async def create_action(
    engine: AsyncEngine, conv: Conversation, kind: str, data: dict[str, Any], now: datetime
) -> str:
    action_id = new_id("ba").removeprefix("ba_")
    async with engine.begin() as conn:
        await store.add_action(conn, action_id, conv.platform, conv.key(engine), kind, data, now)
    return action_id


async def get_action(engine: AsyncEngine, conv: Conversation, action_id: str) -> Any:
    """Only the chat that was shown a button may press it."""
    async with reading(engine) as conn:
        return await store.action(conn, action_id, conv.platform, conv.key(engine))


async def use_action(engine: AsyncEngine, action_id: str, data: dict[str, Any], now: datetime):
    """Mark a button used (first tap wins) and remember what it did."""
    async with engine.begin() as conn:
        return await store.mark_action_used(conn, action_id, data, now)


async def link_remittance(
    engine: AsyncEngine, conv: Conversation, remittance_id: str, now: datetime
) -> None:
    try:
        async with engine.begin() as conn:
            await store.add_link(conn, remittance_id, conv.platform, conv.key(engine), now)
    except IntegrityError:
        pass  # a replayed confirmation: already linked


async def chat_remittances(engine: AsyncEngine, conv: Conversation, limit: int) -> list[str]:
    """The chat's remittance ids, newest first."""
    async with reading(engine) as conn:
        return await store.linked_remittances(conn, conv.platform, conv.key(engine), limit)


async def chats_of(engine: AsyncEngine, remittance_ids: Sequence[str]) -> dict[str, Any]:
    """The chat (platform, chat_id, language) that owns each remittance."""
    if not remittance_ids:
        return {}
    async with reading(engine) as conn:
        return await store.chats_of_remittances(conn, remittance_ids)


async def chats_of_customers(engine: AsyncEngine, customer_ids: Sequence[str]) -> dict[str, Any]:
    """The conversation of each customer a bot signed up (customer id -> row)."""
    if not customer_ids:
        return {}
    async with reading(engine) as conn:
        return await store.chats_of_customers(conn, customer_ids)


async def saved_recipients(engine: AsyncEngine, conv: Conversation, corridor_id: str) -> list:
    async with reading(engine) as conn:
        return await store.recipients(conn, conv.platform, conv.key(engine), corridor_id)


async def save_recipient(
    engine: AsyncEngine, conv: Conversation, corridor_id: str, data: dict, now: datetime
) -> None:
    """Remembered after a confirmed transfer; the same details are kept once."""
    if any(dict(r.data) == data for r in await saved_recipients(engine, conv, corridor_id)):
        return
    async with engine.begin() as conn:
        await store.add_recipient(
            conn, new_id("brc"), conv.platform, conv.key(engine), corridor_id, data, now
        )

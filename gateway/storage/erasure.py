"""Erasing a person's records and reading everything held on them (a subject access
request). An erased value becomes the ERASED marker (no key opens it); which records are due,
and when, is compliance.protections.retention's rule, applied by gateway.usecases.erasure."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.storage.sealed import ERASED
from gateway.storage.tables import compliance_cases, customers, remittances
from gateway.storage.tables_bots import bot_actions, bot_conversations, bot_recipients
from gateway.storage.tables_compliance import case_information
from gateway.storage.tables_errors import error_cases
from gateway.storage.tables_kyc import customer_kyc, identity_changes
from gateway.storage.tables_travel import travel_rule_records

# The stored token, not the opened value: an erased recipient is the marker itself.
NOT_ERASED = sa.literal_column("remittances.recipient") != ERASED


def _erased_unless_empty(column: sa.Column) -> sa.Case:
    return sa.case((column.is_(None), None), else_=ERASED)


async def erase_contact(conn: AsyncConnection, customer_id: str) -> None:
    """The phone, and the bot chats' conversations, actions and saved recipients."""
    await conn.execute(
        customers.update()
        .where(customers.c.id == customer_id)
        .values(phone=_erased_unless_empty(customers.c.phone), phone_index=None)
    )
    chats = (
        await conn.execute(
            sa.select(bot_conversations.c.platform, bot_conversations.c.chat_id).where(
                bot_conversations.c.customer_id == customer_id
            )
        )
    ).all()
    for platform, chat in chats:
        for table in (bot_actions, bot_recipients, bot_conversations):
            await conn.execute(
                table.delete().where(table.c.platform == platform, table.c.chat_id == chat)
            )


async def erase_identity(conn: AsyncConnection, customer_id: str, now: datetime) -> None:
    """The identity (KYC) records: name, external id, birth date, KYC fields, former
    identities, the sender's identity changes; the customer marked erased."""
    await conn.execute(
        customers.update()
        .where(customers.c.id == customer_id)
        .values(
            name=ERASED,
            external_id=ERASED,
            external_id_index=None,
            birth_date=_erased_unless_empty(customers.c.birth_date),
            erased_at=now,
            updated_at=now,
        )
    )
    await conn.execute(
        customer_kyc.update()
        .where(customer_kyc.c.customer_id == customer_id)
        .values(fields=ERASED, former_identities=None, status_reason=None, updated_at=now)
    )
    await _erase_changes(conn, identity_changes.c.customer_id == customer_id)


async def _erase_changes(conn: AsyncConnection, which: sa.ColumnElement[bool]) -> None:
    await conn.execute(
        identity_changes.update().where(which).values(before=ERASED, after=ERASED, hits=ERASED)
    )


async def erase_transfers(conn: AsyncConnection, ids: Sequence[str]) -> None:
    """The transfer records of these remittances: recipient, travel-rule record, case
    evidence, the sender's answers, error reports, recipient changes."""
    if not ids:
        return
    ids = list(ids)
    await conn.execute(
        remittances.update().where(remittances.c.id.in_(ids)).values(recipient=ERASED)
    )
    await conn.execute(
        travel_rule_records.delete().where(travel_rule_records.c.remittance_id.in_(ids))
    )
    for table, column in (
        (compliance_cases, "evidence"),
        (case_information, "text"),
        (error_cases, "description"),
    ):
        await conn.execute(
            table.update().where(table.c.remittance_id.in_(ids)).values({column: ERASED})
        )
    await _erase_changes(conn, identity_changes.c.remittance_id.in_(ids))


async def expire_travel_records(conn: AsyncConnection, now: datetime) -> int:
    """Delete the travel-rule records kept until `now` or before; how many."""
    done = await conn.execute(
        travel_rule_records.delete().where(travel_rule_records.c.keep_until <= now)
    )
    return done.rowcount


async def sender_transfers(conn: AsyncConnection, customer_id: str) -> list[Any]:
    """(id, corridor_id, created_at) of the sender's transfers not erased yet, oldest first."""
    query = (
        sa.select(remittances.c.id, remittances.c.corridor_id, remittances.c.created_at)
        .where(remittances.c.sender_id == customer_id, NOT_ERASED)
        .order_by(remittances.c.created_at)
    )
    return list((await conn.execute(query)).all())


async def final_transfers_before(
    conn: AsyncConnection, cutoff: datetime, final: Sequence[str]
) -> list[Any]:
    """(id, corridor_id, created_at, the sender's country) of transfers in a `final` state,
    created before `cutoff` and not erased yet."""
    query = (
        sa.select(
            remittances.c.id,
            remittances.c.corridor_id,
            remittances.c.created_at,
            customers.c.country,
        )
        .join(customers, customers.c.id == remittances.c.sender_id)
        .where(remittances.c.created_at < cutoff, remittances.c.status.in_(final), NOT_ERASED)
    )
    return list((await conn.execute(query)).all())


async def relationship(conn: AsyncConnection, customer_id: str) -> Any:
    """(id, country, ended_at, erased_at) of the customer, or None."""
    query = sa.select(
        customers.c.id, customers.c.country, customers.c.ended_at, customers.c.erased_at
    ).where(customers.c.id == customer_id)
    return (await conn.execute(query)).first()


async def ended_relationships(conn: AsyncConnection) -> list[Any]:
    """(id, country, ended_at) of the customers whose relationship ended, not erased yet."""
    query = sa.select(customers.c.id, customers.c.country, customers.c.ended_at).where(
        customers.c.ended_at.is_not(None), customers.c.erased_at.is_(None)
    )
    return list((await conn.execute(query)).all())


async def end_relationship(conn: AsyncConnection, customer_id: str, now: datetime) -> None:
    await conn.execute(customers.update().where(customers.c.id == customer_id).values(ended_at=now))


async def transfers_not_final(conn: AsyncConnection, customer_id: str, final: Sequence[str]) -> int:
    """How many of the sender's remittances are not in a `final` state."""
    return await conn.scalar(
        sa.select(sa.func.count())
        .select_from(remittances)
        .where(remittances.c.sender_id == customer_id, remittances.c.status.not_in(final))
    )


async def held_on(conn: AsyncConnection, customer: Any) -> dict[str, list[Any]]:
    """Every row held on the person besides the customer row: `kyc` (one or none),
    `remittances` (oldest first), `travel_rule_records`, `identity_changes` and `chats`."""
    kyc = (
        await conn.execute(sa.select(customer_kyc).where(customer_kyc.c.customer_id == customer.id))
    ).all()
    sent = (
        await conn.execute(
            sa.select(remittances)
            .where(remittances.c.sender_id == customer.id)
            .order_by(remittances.c.created_at)
        )
    ).all()
    ids = [r.id for r in sent]
    travel = sa.select(travel_rule_records).where(travel_rule_records.c.remittance_id.in_(ids))
    changes = sa.select(identity_changes).where(identity_changes.c.customer_id == customer.id)
    chats = sa.select(bot_conversations).where(bot_conversations.c.customer_id == customer.id)
    return {
        "kyc": list(kyc),
        "remittances": list(sent),
        "travel_rule_records": list((await conn.execute(travel)).all()),
        "identity_changes": list((await conn.execute(changes)).all()),
        "chats": list((await conn.execute(chats)).all()),
    }

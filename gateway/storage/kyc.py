"""KYC rows beside the customer: tier-upgrade reviews, the provider's results already applied,
the KYC events a sending app and the bots are told, and identity changes (a screened field
changed, before and after) with the former identities kept for later screenings."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.storage.sealed import row_value
from gateway.storage.tables import customers
from gateway.storage.tables_kyc import (
    customer_kyc,
    identity_changes,
    kyc_events,
    kyc_provider_events,
    kyc_reviews,
)

# -- reviews -----------------------------------------------------------------------------------


async def add_review(
    conn: AsyncConnection, review_id: str, customer_id: str, now: datetime, **columns: Any
) -> None:
    """A new review (from_tier, tier, reviewer, status, fields_digest)."""
    row = {"id": review_id, "customer_id": customer_id, "created_at": now}
    await conn.execute(kyc_reviews.insert().values(**row, **columns))


async def review(conn: AsyncConnection, review_id: str, *, locked: bool = False) -> Any:
    """The review, or None; `locked` holds its row until the transaction ends (PostgreSQL)."""
    query = sa.select(kyc_reviews).where(kyc_reviews.c.id == review_id)
    if locked and conn.dialect.name == "postgresql":
        query = query.with_for_update()
    return (await conn.execute(query)).first()


async def rejected_review(
    conn: AsyncConnection, customer_id: str, tier: str, digest: str, rejected: str
) -> str | None:
    """The id of a rejected review of these very documents (`digest`) for `tier`, if any."""
    return await conn.scalar(
        sa.select(kyc_reviews.c.id).where(
            kyc_reviews.c.customer_id == customer_id,
            kyc_reviews.c.tier == tier,
            kyc_reviews.c.status == rejected,
            kyc_reviews.c.fields_digest == digest,
        )
    )


async def unsubmitted(conn: AsyncConnection, customer_id: str, status: str) -> list[Any]:
    """The customer's reviews in `status` not handed to the provider yet, with the KYC fields."""
    query = (
        sa.select(kyc_reviews.c.id, kyc_reviews.c.tier, customer_kyc.c.fields)
        .join(customer_kyc, customer_kyc.c.customer_id == kyc_reviews.c.customer_id)
        .where(
            kyc_reviews.c.customer_id == customer_id,
            kyc_reviews.c.status == status,
            kyc_reviews.c.submitted_at.is_(None),
        )
    )
    return list((await conn.execute(query)).all())


async def mark_submitted(conn: AsyncConnection, review_id: str, now: datetime) -> None:
    await conn.execute(
        kyc_reviews.update()
        .where(kyc_reviews.c.id == review_id, kyc_reviews.c.submitted_at.is_(None))
        .values(submitted_at=now)
    )


async def record_decision(
    conn: AsyncConnection, review: Any, status: str, by: str, reason: str, now: datetime
) -> None:
    """The review decided (if it is still in the status it was read in), its reason sealed."""
    reason_sealed = row_value(review.id, reason)
    await conn.execute(
        kyc_reviews.update()
        .where(kyc_reviews.c.id == review.id, kyc_reviews.c.status == review.status)
        .values(status=status, decided_by=by, reason=reason_sealed, decided_at=now)
    )


async def reviews(conn: AsyncConnection, statuses: Sequence[str] | None, limit: int) -> list:
    """Reviews in `statuses` (None: all), oldest first, with the customer's name and country."""
    query = (
        sa.select(kyc_reviews, customers.c.name, customers.c.country)
        .join(customers, customers.c.id == kyc_reviews.c.customer_id)
        .order_by(kyc_reviews.c.created_at, kyc_reviews.c.id)
        .limit(limit)
    )
    if statuses is not None:
        query = query.where(kyc_reviews.c.status.in_(statuses))
    return list((await conn.execute(query)).all())


async def latest_review(conn: AsyncConnection, customer_id: str, open_statuses: Sequence[str]):
    """The review in `open_statuses` if there is one, else the newest decided one, or None."""
    open_first = sa.case((kyc_reviews.c.status.in_(open_statuses), 0), else_=1)
    query = (
        sa.select(kyc_reviews)
        .where(kyc_reviews.c.customer_id == customer_id)
        .order_by(open_first, kyc_reviews.c.created_at.desc(), kyc_reviews.c.decided_at.desc())
        .limit(1)
    )
    return (await conn.execute(query)).first()


async def provider_event_seen(conn: AsyncConnection, provider: str, event_id: str) -> bool:
    found = await conn.scalar(
        sa.select(kyc_provider_events.c.review_id).where(
            kyc_provider_events.c.provider == provider,
            kyc_provider_events.c.event_id == event_id,
        )
    )
    return found is not None


async def add_provider_event(
    conn: AsyncConnection, provider: str, event_id: str, review_id: str, now: datetime
) -> None:
    row = {"provider": provider, "event_id": event_id, "review_id": review_id}
    await conn.execute(kyc_provider_events.insert().values(**row, received_at=now))


async def add_event(conn: AsyncConnection, customer: Any, now: datetime, **columns: Any) -> None:
    """A KYC event for the customer's sending app (type, review_id, tier, sought_tier, reason)."""
    owned = {"customer_id": customer.id, "owner": customer.owner, "at": now}
    await conn.execute(kyc_events.insert().values(**owned, **columns))


# -- identity changes ------------------------------------------------------------------------


async def add_identity_change(
    conn: AsyncConnection,
    change_id: str,
    now: datetime,
    *,
    party: str,
    customer_id: str | None,
    remittance_id: str | None,
    list_version: str,
    **sealed: Any,
) -> None:
    """An identity change; `sealed` (before, after, hits) is sealed to its row."""
    row = {k: row_value(change_id, v) for k, v in sealed.items()}
    row |= {"party": party, "customer_id": customer_id, "remittance_id": remittance_id}
    await conn.execute(
        identity_changes.insert().values(
            id=change_id, list_version=list_version, created_at=now, **row
        )
    )


async def identity_changes_of(
    conn: AsyncConnection, sender_id: str, remittance_id: str
) -> list[Any]:
    """The sender's identity changes and this remittance's recipient changes, oldest first."""
    query = (
        sa.select(identity_changes)
        .where(
            sa.or_(
                sa.and_(
                    identity_changes.c.party == "sender",
                    identity_changes.c.customer_id == sender_id,
                ),
                identity_changes.c.remittance_id == remittance_id,
            )
        )
        .order_by(identity_changes.c.created_at, identity_changes.c.id)
    )
    return list(await conn.execute(query))


async def set_former_identities(
    conn: AsyncConnection, customer_id: str, former: Sequence[Mapping[str, Any]]
) -> None:
    await conn.execute(
        customer_kyc.update()
        .where(customer_kyc.c.customer_id == customer_id)
        .values(former_identities=row_value(customer_id, list(former)))
    )

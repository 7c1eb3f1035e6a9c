"""Customer rows (name, phone, country and birth date sealed; found by blind indexes) and
their KYC rows (the submitted fields, the status reason, who verified the phone)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.storage.sealed import blind, row_value
from gateway.storage.tables import compliance_cases, customers, remittances
from gateway.storage.tables_kyc import customer_kyc

SEALED_COLUMNS = ("name", "phone", "country", "birth_date")


def external_index(bind: Any, external_id: str) -> str:
    """The blind index a customer is found by (the app's own id for them)."""
    return blind(bind, "external_id", external_id.strip())


def _sealed(bind: Any, customer_id: str, columns: Mapping[str, Any]) -> dict[str, Any]:
    """The columns as written: personal data sealed to the row, the phone's blind index."""
    out = {k: row_value(customer_id, v) if k in SEALED_COLUMNS else v for k, v in columns.items()}
    out["phone_index"] = blind(bind, "phone", columns.get("phone"))
    return out


async def customer(conn: AsyncConnection, customer_id: str) -> Any:
    """The customer's row, or None."""
    query = sa.select(customers).where(customers.c.id == customer_id)
    return (await conn.execute(query)).first()


async def by_external_id(conn: AsyncConnection, owner: str, external_id: str) -> Any:
    """The customer a sending app knows by its own id for them, or None."""
    query = sa.select(customers).where(
        customers.c.owner == owner,
        customers.c.external_id_index == external_index(conn, external_id),
    )
    return (await conn.execute(query)).first()


async def kyc(conn: AsyncConnection, customer_id: str) -> Any:
    """The customer's KYC row, or None before the first submission."""
    query = sa.select(customer_kyc).where(customer_kyc.c.customer_id == customer_id)
    return (await conn.execute(query)).first()


async def add_customer(
    conn: AsyncConnection,
    customer_id: str,
    owner: str,
    external_id: str,
    columns: Mapping[str, Any],
    now: datetime,
) -> None:
    """A new customer of `owner` (name, phone, country, birth_date, tier, status)."""
    row = {"id": customer_id, "owner": owner, "created_at": now, "updated_at": now}
    row |= {
        "external_id": row_value(customer_id, external_id),
        "external_id_index": external_index(conn, external_id),
    }
    await conn.execute(customers.insert().values(**row, **_sealed(conn, customer_id, columns)))


async def update_customer(
    conn: AsyncConnection, customer_id: str, columns: Mapping[str, Any], now: datetime
) -> None:
    sealed = _sealed(conn, customer_id, columns)
    await conn.execute(
        customers.update().where(customers.c.id == customer_id).values(updated_at=now, **sealed)
    )


async def save_kyc(
    conn: AsyncConnection, customer_id: str, values: Mapping[str, Any], *, exists: bool
) -> None:
    """Write the KYC row (fields sealed, status_reason, phone_verified_by, updated_at)."""
    row = {**values, "fields": row_value(customer_id, values["fields"])}
    if exists:
        where = customer_kyc.c.customer_id == customer_id
        await conn.execute(customer_kyc.update().where(where).values(**row))
    else:
        await conn.execute(customer_kyc.insert().values(customer_id=customer_id, **row))


async def _move(
    conn: AsyncConnection, customer_id: str, column: str, before: str, after: str, now: datetime
) -> None:
    """Set `column` to `after` if it is still `before` (a concurrent change wins)."""
    await conn.execute(
        customers.update()
        .where(customers.c.id == customer_id, customers.c[column] == before)
        .values({column: after, "updated_at": now})
    )


async def move_status(
    conn: AsyncConnection, customer_id: str, before: str, status: str, now: datetime
) -> None:
    """The customer's status, if it is still `before`."""
    await _move(conn, customer_id, "status", before, status, now)


async def move_tier(
    conn: AsyncConnection, customer_id: str, before: str, tier: str, now: datetime
) -> None:
    """The customer's tier, if it is still `before`."""
    await _move(conn, customer_id, "tier", before, tier, now)


async def set_status_reason(
    conn: AsyncConnection, customer_id: str, reason: str, now: datetime
) -> None:
    await conn.execute(
        customer_kyc.update()
        .where(customer_kyc.c.customer_id == customer_id)
        .values(status_reason=reason, updated_at=now)
    )


async def has_case(conn: AsyncConnection, customer_id: str) -> bool:
    """Whether any compliance case was ever opened on a remittance the customer sent."""
    query = (
        sa.select(compliance_cases.c.id)
        .join(remittances, remittances.c.id == compliance_cases.c.remittance_id)
        .where(remittances.c.sender_id == customer_id)
        .limit(1)
    )
    return (await conn.execute(query)).first() is not None

"""Senders as customers of a sending app, and their wallets."""

from __future__ import annotations

from typing import Any

import phonenumbers
import pycountry
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.api.problems import not_found, validation
from gateway.api.schemas import CustomerRequest
from gateway.ids import new_id
from gateway.services import Services
from gateway.storage.keys import Caller
from gateway.storage.tables import customers

DEFAULT_TIER = "phone_verified"


def _normalise(req: CustomerRequest) -> dict[str, Any]:
    errors = []
    if pycountry.countries.get(alpha_2=req.country) is None:
        errors.append({"field": "country", "message": f"{req.country} is not an ISO 3166 country"})
    phone = None
    if req.phone is not None:
        try:
            parsed = phonenumbers.parse(req.phone, req.country)
            if not phonenumbers.is_valid_number(parsed):
                raise phonenumbers.NumberParseException(0, "invalid")
            phone = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
        except phonenumbers.NumberParseException:
            errors.append({"field": "phone", "message": "not a valid phone number"})
    if errors:
        raise validation(errors)
    return {
        "name": req.name,
        "phone": phone,
        "country": req.country,
        "birth_date": req.birth_date,
    }


def customer_view(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "external_id": row.external_id,
        "name": row.name,
        "phone": row.phone,
        "country": row.country,
        "birth_date": row.birth_date.isoformat() if row.birth_date else None,
        "tier": row.tier,
        "status": row.status,
        "created_at": row.created_at.isoformat(),
        "updated_at": row.updated_at.isoformat(),
    }


async def put_customer(svc: Services, caller: Caller, req: CustomerRequest) -> tuple[int, dict]:
    """Create or update by the app's own external id: calling it twice is harmless."""
    values = _normalise(req)
    now = svc.now()
    owned = sa.and_(customers.c.owner == caller.name, customers.c.external_id == req.external_id)
    async with svc.engine.begin() as conn:
        row = (await conn.execute(sa.select(customers).where(owned))).first()
        if row is None:
            await conn.execute(
                customers.insert().values(
                    id=new_id("cus"),
                    owner=caller.name,
                    external_id=req.external_id,
                    tier=DEFAULT_TIER,
                    status="accepted",
                    created_at=now,
                    updated_at=now,
                    **values,
                )
            )
            status = 201
        else:
            changed = {k: v for k, v in values.items() if getattr(row, k) != v}
            if changed:
                await conn.execute(
                    customers.update().where(owned).values(updated_at=now, **changed)
                )
            status = 200
        row = (await conn.execute(sa.select(customers).where(owned))).one()
    return status, customer_view(row)


async def owned_customer(conn: AsyncConnection, caller: Caller, customer_id: str) -> Any:
    query = sa.select(customers).where(customers.c.id == customer_id)
    if caller.role != "operator":
        query = query.where(customers.c.owner == caller.name)
    return (await conn.execute(query)).first()


async def get_customer(svc: Services, caller: Caller, customer_id: str) -> dict[str, Any]:
    async with svc.engine.connect() as conn:
        row = await owned_customer(conn, caller, customer_id)
    if row is None:
        raise not_found(f"customer {customer_id}")
    return customer_view(row)

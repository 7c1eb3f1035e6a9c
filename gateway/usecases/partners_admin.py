"""Registering partners and rotating their secrets, as an operator does it (`remit partners`):
each change is written with its audit entry in one transaction (gateway.storage.partners)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.storage import partners as store
from gateway.usecases.operator_audit import Operator

new_secret = store.new_secret


async def add_partner(
    engine: AsyncEngine, operator: Operator, partner_id: str, now: datetime, **fields: Any
) -> None:
    """Register the partner, or replace what is registered under its id; `fields` as
    gateway.storage.partners.upsert_partner takes them (name, base_url, secret, kinds, ...)."""
    async with engine.begin() as conn:
        await store.upsert_partner(conn, partner_id, now=now, **fields)
        after = {"kinds": fields["kinds"], "chain_address": fields.get("chain_address")}
        await operator.record(conn, now, "partner.add", partner_id, after)


async def set_chain_address(
    engine: AsyncEngine, operator: Operator, partner_id: str, address: str | None, now: datetime
) -> None:
    """Where the partner is paid on chain (None: nowhere); LookupError if it is not registered."""
    async with engine.begin() as conn:
        await store.set_chain_address(conn, partner_id, address)
        await operator.record(conn, now, "partner.update", partner_id, {"chain_address": address})


async def rotate_secret(
    engine: AsyncEngine,
    operator: Operator,
    partner_id: str,
    secret: str,
    overlap_hours: float,
    now: datetime,
) -> None:
    """Sign with `secret` from now; the older secrets verify for `overlap_hours` more."""
    async with engine.begin() as conn:
        await store.rotate_secret(conn, partner_id, secret, now, timedelta(hours=overlap_hours))
        after = {"overlap_hours": overlap_hours}
        await operator.record(conn, now, "partner.rotate_secret", partner_id, after)

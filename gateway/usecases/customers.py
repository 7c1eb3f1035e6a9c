"""Senders as customers of a sending app, in the manner of Stellar SEP-12: the app PUTs what
it knows (SEP-9 field names), the gateway answers the status and the fields still needed for
the next tier. The lowest tier (names and a valid phone) is accepted automatically; higher
tiers go to the verification provider (manual review by default). Statuses move only along
compliance.kyc's CUSTOMER_TRANSITIONS. Field values are personal data: stored, never logged."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import phonenumbers
import pycountry
import sqlalchemy as sa
import structlog
from sqlalchemy.ext.asyncio import AsyncConnection

from compliance.kyc import (
    ACCEPTED,
    INITIAL_STATUS,
    Customer,
    apply_customer_event,
    missing_fields,
    next_tier,
    provided,
    sep12_view,
    tier_order,
)
from compliance.kyc.birth import AgeRange, birth_date_problem
from gateway.api.customer_schemas import CustomerRequest
from gateway.api.problems import not_found, validation
from gateway.ids import new_id
from gateway.services import Services
from gateway.storage import audit
from gateway.storage.engine import reading
from gateway.storage.keys import Caller
from gateway.storage.sealed import blind, row_value
from gateway.storage.tables import customers
from gateway.storage.tables_kyc import customer_kyc
from gateway.usecases.identity import (
    changed_fields,
    keep_former_identity,
    record_change,
    screen_both,
    sender_identity,
    sender_is_watched,
)

log = structlog.get_logger("gateway.customers")

# The spine created every customer accepted from a name alone, and the shared test helper
# still does; until it sends a phone, the lowest tier does not insist on mobile_number.
# Set to True to make the lowest tier require every field tiers.toml lists.
LOWEST_TIER_NEEDS_PHONE = False

NAME_NEEDED = "give name, or first_name and last_name"

# KYC fields kept in customer_kyc.fields (the customers row keeps name, phone, country, dob).
KYC_FIELDS = (
    "first_name",
    "last_name",
    "mobile_number",
    "birth_date",
    "birth_place",
    "address",
    "id_type",
    "id_number",
    "id_country_code",
    "photo_id_front",
    "occupation",
    "source_of_funds",
    "proof_of_address",
)


def _phone(value: str, country: str) -> str:
    parsed = phonenumbers.parse(value, country)
    if not phonenumbers.is_valid_number(parsed):
        raise phonenumbers.NumberParseException(0, "invalid")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _normalise(req: CustomerRequest, today: date, ages: AgeRange) -> dict[str, Any]:
    """The submitted fields, checked and normalised (E.164 phone, split name); raises a 422
    naming every bad field before anything is written."""
    errors = []
    if pycountry.countries.get(alpha_2=req.country) is None:
        errors.append({"field": "country", "message": f"{req.country} is not an ISO 3166 country"})
    if req.id_country_code and pycountry.countries.get(alpha_3=req.id_country_code) is None:
        errors.append({"field": "id_country_code", "message": "not an ISO 3166 alpha-3 country"})
    if req.phone and req.mobile_number and req.phone != req.mobile_number:
        errors.append({"field": "mobile_number", "message": "differs from phone; give one"})
    if req.birth_date is not None:
        why = birth_date_problem(req.birth_date, today, ages)
        if why is not None:
            errors.append({"field": "birth_date", "message": why})
    fields = {k: getattr(req, k) for k in KYC_FIELDS if getattr(req, k) is not None}
    raw_phone = req.mobile_number or req.phone
    if raw_phone is not None:
        field = "mobile_number" if req.mobile_number else "phone"
        try:
            fields["mobile_number"] = _phone(raw_phone, req.country)
        except phonenumbers.NumberParseException:
            errors.append({"field": field, "message": "not a valid phone number"})
    if errors:
        raise validation(errors)
    if req.name and not (req.first_name and req.last_name):
        first, _, last = req.name.partition(" ")
        fields.setdefault("first_name", first)
        if last.strip():
            fields.setdefault("last_name", last.strip())
    if "birth_date" in fields:
        fields["birth_date"] = fields["birth_date"].isoformat()
    both = req.first_name and req.last_name
    name = req.name or (f"{req.first_name} {req.last_name}" if both else None)
    return {"name": name, "country": req.country, "fields": fields}


def _columns(name: str, country: str, fields: Mapping[str, Any]) -> dict[str, Any]:
    dob = fields.get("birth_date")
    return {
        "name": name,
        "phone": fields.get("mobile_number"),
        "country": country,
        "birth_date": date.fromisoformat(dob) if dob else None,
    }


SEALED_COLUMNS = ("name", "phone", "birth_date")


def _sealed(conn: AsyncConnection, customer_id: str, columns: dict[str, Any]) -> dict[str, Any]:
    """The columns as written: personal data sealed to the row, the phone's blind index."""
    out = {k: row_value(customer_id, v) if k in SEALED_COLUMNS else v for k, v in columns.items()}
    out["phone_index"] = blind(conn, "phone", columns.get("phone"))
    return out


def external_index(conn: AsyncConnection, external_id: str) -> str:
    """The blind index a customer is found by (the app's own id for them)."""
    return blind(conn, "external_id", external_id.strip())


async def _decide(svc: Services, customer_id: str, status: str, tier: str | None, fields):
    """The (status, tier) after a submission: the lowest tier is accepted when its fields are
    present; a complete higher tier goes to the provider and the customer keeps sending at
    the tier they have. Statuses other than needs_info change only by review (never here)."""
    have = provided(fields)
    lowest = tier_order(svc.tiers)[0]
    needed = missing_fields(lowest, have)
    if not LOWEST_TIER_NEEDS_PHONE:
        needed = tuple(f for f in needed if f != "mobile_number")
    if status == INITIAL_STATUS and not needed:
        status = apply_customer_event(status, "info_submitted")
        status = apply_customer_event(status, "verified")
        return status, lowest.name, None
    if status == ACCEPTED:
        target = next_tier(svc.tiers, tier)
        if target is not None and not missing_fields(target, have):
            answer = await svc.kyc_provider.verify(customer_id, target, dict(fields))
            if answer == ACCEPTED:
                return status, target.name, None
            return status, tier, f"{target.name}: {answer}"
    return status, tier, None


def customer_view(svc: Services, row: Any, kyc: Any) -> dict[str, Any]:
    fields = kyc.fields if kyc else {}
    tier = row.tier if row.status == ACCEPTED else None
    domain = Customer(row.id, row.status, tier, provided(fields))
    sep12 = sep12_view(svc.tiers, domain, svc.kyc_fields)
    limits = svc.tiers[tier].to_dict() if tier in svc.tiers else None
    return {
        "id": row.id,
        "external_id": row.external_id,
        "name": row.name,
        "phone": row.phone,
        "country": row.country,
        "birth_date": row.birth_date.isoformat() if row.birth_date else None,
        "tier": tier,
        "status": row.status,
        "limits": {k: v for k, v in limits.items() if k.endswith("_usd")} if limits else None,
        "next_tier": sep12["next_tier"],
        "status_reason": kyc.status_reason if kyc else None,
        "fields": sep12["fields"],
        "provided_fields": sorted(domain.provided_fields),
        "created_at": row.created_at.isoformat(),
        "updated_at": row.updated_at.isoformat(),
    }


async def _load(conn: AsyncConnection, where: Any) -> tuple[Any, Any]:
    row = (await conn.execute(sa.select(customers).where(where))).first()
    if row is None:
        return None, None
    kyc = (
        await conn.execute(sa.select(customer_kyc).where(customer_kyc.c.customer_id == row.id))
    ).first()
    return row, kyc


async def put_customer(svc: Services, caller: Caller, req: CustomerRequest) -> tuple[int, dict]:
    """Create or update by the app's own external id: calling it twice is harmless. Fields
    given are merged over those stored (SEP-12 PUT), so a later call can add documents."""
    now = svc.now()
    values = _normalise(req, now.date(), svc.settings.birth_ages)
    async with svc.engine.begin() as conn:
        owned = sa.and_(
            customers.c.owner == caller.name,
            customers.c.external_id_index == external_index(conn, req.external_id),
        )
        row, kyc = await _load(conn, owned)
        created = row is None
        if created and values["name"] is None:
            raise validation([{"field": "name", "message": NAME_NEEDED}])
        name = values["name"] or row.name
        customer_id = new_id("cus") if created else row.id
        fields = {**(kyc.fields if kyc else {}), **values["fields"]}
        status = INITIAL_STATUS if created else row.status
        tier = tier_order(svc.tiers)[0].name if created else row.tier
        status, tier, review = await _decide(svc, customer_id, status, tier, fields)
        if status != ACCEPTED and kyc is not None:
            review = kyc.status_reason  # why a review holds the customer stays until decided
        columns = {
            **_columns(name, values["country"], fields),
            "tier": tier,
            "status": status,
        }
        if created:
            await conn.execute(
                customers.insert().values(
                    id=customer_id,
                    owner=caller.name,
                    external_id=row_value(customer_id, req.external_id),
                    external_id_index=external_index(conn, req.external_id),
                    created_at=now,
                    updated_at=now,
                    **_sealed(conn, customer_id, columns),
                )
            )
        elif any(getattr(row, k) != v for k, v in columns.items()):
            sealed = _sealed(conn, customer_id, columns)
            await conn.execute(customers.update().where(owned).values(updated_at=now, **sealed))
        await _save_kyc(conn, kyc, customer_id, fields, review, now)
        if not created:
            before = sender_identity(row.name, row.country, kyc.fields if kyc else {})
            after = sender_identity(name, values["country"], fields)
            await _watch_identity(svc, conn, caller, customer_id, kyc, before, after, now)
        row, kyc = await _load(conn, owned)
    log.info("customer_saved", customer_id=customer_id, status=status, tier=tier, created=created)
    return (201 if created else 200), customer_view(svc, row, kyc)


async def _watch_identity(svc, conn, caller, customer_id, kyc, before, after, now) -> None:
    """A watched sender's change to a screened field: recorded with before and after, both
    screened, the former identity kept for every later screening (see gateway.usecases.identity)."""
    changed = changed_fields(before, after)
    if not changed or not await sender_is_watched(conn, customer_id, kyc):
        return
    screener = svc.screening.current
    hits = screen_both(screener, before, after, with_country=True)
    change_id = await record_change(
        conn,
        party="sender",
        customer_id=customer_id,
        before=before,
        after=after,
        hits=hits,
        list_version=screener.version,
        now=now,
    )
    reloaded = (
        await conn.execute(sa.select(customer_kyc).where(customer_kyc.c.customer_id == customer_id))
    ).one()
    await keep_former_identity(conn, customer_id, reloaded, before)
    await audit.append(
        conn,
        key=svc.settings.audit_hmac_key,
        at=now,
        actor=caller.key_id,
        action="customer.identity_changed",
        object_id=customer_id,
        before={"fields": sorted(changed)},
        after={"change_id": change_id, "hits": len(hits)},
    )
    log.info("identity_changed", customer_id=customer_id, fields=sorted(changed), hits=len(hits))


async def _save_kyc(conn, kyc, customer_id: str, fields, review, now) -> None:
    if kyc is None:
        await conn.execute(
            customer_kyc.insert().values(
                customer_id=customer_id,
                fields=row_value(customer_id, fields),
                status_reason=review,
                updated_at=now,
            )
        )
    elif kyc.fields != fields or kyc.status_reason != review:
        await conn.execute(
            customer_kyc.update()
            .where(customer_kyc.c.customer_id == customer_id)
            .values(fields=row_value(customer_id, fields), status_reason=review, updated_at=now)
        )


async def customer_event(
    conn: AsyncConnection, customer_id: str, event: str, reason: str, now: Any
) -> str | None:
    """Move a customer by a named event (e.g. "list_hit" sends an accepted customer back to
    review); None when the event does not apply to the current status."""
    row = (
        await conn.execute(sa.select(customers.c.status).where(customers.c.id == customer_id))
    ).one()
    try:
        status = apply_customer_event(row.status, event)
    except ValueError:
        return None
    await conn.execute(
        customers.update()
        .where(customers.c.id == customer_id, customers.c.status == row.status)
        .values(status=status, updated_at=now)
    )
    await conn.execute(
        customer_kyc.update()
        .where(customer_kyc.c.customer_id == customer_id)
        .values(status_reason=reason[:300], updated_at=now)
    )
    return status


async def owned_customer(conn: AsyncConnection, caller: Caller, customer_id: str) -> Any:
    query = sa.select(customers).where(customers.c.id == customer_id)
    if caller.role != "operator":
        query = query.where(customers.c.owner == caller.name)
    return (await conn.execute(query)).first()


async def get_customer(svc: Services, caller: Caller, customer_id: str) -> dict[str, Any]:
    async with reading(svc.engine) as conn:
        row = await owned_customer(conn, caller, customer_id)
        kyc = None
        if row is not None:
            query = sa.select(customer_kyc).where(customer_kyc.c.customer_id == row.id)
            kyc = (await conn.execute(query)).first()
    if row is None:
        raise not_found(f"customer {customer_id}")
    return customer_view(svc, row, kyc)

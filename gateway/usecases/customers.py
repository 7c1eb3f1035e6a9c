"""Senders as customers of a sending app, in the manner of Stellar SEP-12: the app PUTs what
it knows (SEP-9 field names), the gateway answers the status and the fields still needed for
the next tier. The lowest tier (names and a valid phone) is accepted automatically; higher
tiers open a review (gateway.usecases.kyc_reviews) that the verification provider or an
officer decides. Statuses move only along compliance.kyc's CUSTOMER_TRANSITIONS. Field values
are personal data: stored, never logged.

The lowest tier needs a verified phone: the bots' platforms verify it (Telegram's shared
contact of the sender's own account, WhatsApp's sender number); a sending app attests it with
`mobile_number_verified` (it confirmed the number with a one-time code). A phone given without
either stays unverified, and a changed number must be verified again."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import phonenumbers
import pycountry
import structlog
from sqlalchemy.ext.asyncio import AsyncConnection

from compliance.kyc import (
    ACCEPTED,
    INITIAL_STATUS,
    NEEDS_INFO,
    OPEN_REVIEWS,
    REJECTED,
    Customer,
    apply_customer_event,
    fields_digest,
    missing_fields,
    next_tier,
    provided,
    sep12_view,
    tier_order,
)
from compliance.kyc.birth import AgeRange, birth_date_problem
from gateway.domain.callers import Caller
from gateway.errors import NotFound, validation
from gateway.ids import new_id
from gateway.services import Services
from gateway.storage import customers as store
from gateway.storage import kyc as kyc_store
from gateway.usecases import audit_trail
from gateway.usecases import kyc_reviews as reviews
from gateway.usecases.identity import (
    changed_fields,
    keep_former_identity,
    record_change,
    screen_both,
    sender_identity,
    sender_is_watched,
)
from gateway.usecases.ownership import owned_customer
from gateway.usecases.requests.customers import CustomerRequest
from gateway.usecases.schemas import NULL_STR, STR, nullable_strings, strings
from ledger_adapter.sessions import reading

log = structlog.get_logger("gateway.customers")

NAME_NEEDED = "give name, or first_name and last_name"
PHONE_NEEDED = "a verified mobile_number is needed"

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


def verified_fields(fields: Mapping[str, Any], phone_verified_by: str | None) -> frozenset[str]:
    """The fields that count towards a tier: every one given, the phone only once verified."""
    have = provided(fields)
    return have if phone_verified_by else have - {"mobile_number"}


def _verifier(caller: Caller) -> str:
    """Who vouches for a phone: the bot's platform, or the sending app by its key's name."""
    if caller.key_id.startswith("bot:"):
        return caller.key_id.removeprefix("bot:")
    return f"{caller.role}:{caller.name}"


async def _decide(conn, svc: Services, customer_id: str, status: str, tier: str, have):
    """(status, tier, tier sought) after a submission: the lowest tier is accepted when its
    fields are there with a verified phone (and left when the phone no longer is); a complete
    next tier opens a review unless one is open, or the same documents were already rejected.
    Other statuses change only by review (never here)."""
    lowest = tier_order(svc.tiers)[0]
    if status == INITIAL_STATUS and not missing_fields(lowest, have):
        status = apply_customer_event(status, "info_submitted")
        return apply_customer_event(status, "verified"), lowest.name, None
    if status == ACCEPTED and missing_fields(lowest, have):
        return apply_customer_event(status, "info_requested"), tier, None
    if status != ACCEPTED:
        return status, tier, None
    target = next_tier(svc.tiers, tier)
    if target is None or missing_fields(target, have):
        return status, tier, None
    latest = await reviews.latest_review(conn, customer_id)
    if latest is not None and latest.tier == target.name and latest.status in OPEN_REVIEWS:
        return status, tier, None
    return status, tier, target


async def _open_if_new(svc, conn, caller, customer_id, tier, target, fields, now) -> str | None:
    digest = fields_digest(fields, target.required_fields)
    same = await kyc_store.rejected_review(conn, customer_id, target.name, digest, REJECTED)
    if same is not None:  # the very documents that were rejected: not reviewed again
        return None
    return await reviews.open_review(svc, conn, caller, customer_id, tier, target, digest, now)


#: The JSON Schema of `customer_view`'s body, declared beside it so that /openapi.json
#: documents what the API returns (tests/integration/test_api_response_schemas_*.py check it).
CUSTOMER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        **strings("id", "external_id", "name", "country", "created_at", "updated_at"),
        "status": {"type": "string", "enum": ["accepted", "processing", "needs_info", "rejected"]},
        **nullable_strings("phone", "birth_date", "tier", "next_tier", "status_reason"),
        "limits": {
            "type": ["object", "null"],
            "properties": {k: STR for k in ("per_transfer_usd", "per_day_usd", "per_30d_usd")},
        },
        "fields": {
            "type": "object",
            "description": "fields still needed for the next tier, with descriptions",
            "additionalProperties": {
                "type": "object",
                "properties": {"type": STR, "description": STR},
            },
        },
        "provided_fields": {"type": "array", "items": STR},
        "phone_verified": {"type": "boolean"},
        "phone_verified_by": {
            **NULL_STR,
            "description": "who vouched for the phone number (the sending app, a bot)",
        },
        "review": {
            "type": ["object", "null"],
            "description": "the latest KYC review of the customer's documents",
            "properties": {
                **strings("id", "tier", "status", "message", "created_at"),
                **nullable_strings("reviewer", "decided_at"),
            },
        },
    },
}


def personal_view(row: Any) -> dict[str, Any]:
    """Who the customer is, opened from the seals: what every view of a customer starts with
    (the API's, a case's sender, the subject-access export)."""
    return {
        "id": row.id,
        "external_id": row.external_id,
        "name": row.name,
        "phone": row.phone,
        "country": row.country,
        "birth_date": row.birth_date.isoformat() if row.birth_date else None,
    }


def customer_view(svc: Services, row: Any, kyc: Any, review: Any = None) -> dict[str, Any]:
    """The API's body of a customer; its schema is `CUSTOMER_SCHEMA`, just above."""
    fields = kyc.fields if kyc else {}
    tier = row.tier if row.status == ACCEPTED else None
    verifier = kyc.phone_verified_by if kyc else None
    domain = Customer(row.id, row.status, tier, verified_fields(fields, verifier))
    sep12 = sep12_view(svc.tiers, domain, svc.kyc_fields)
    limits = svc.tiers[tier].to_dict() if tier in svc.tiers else None
    return {
        **personal_view(row),
        "tier": tier,
        "status": row.status,
        "limits": {k: v for k, v in limits.items() if k.endswith("_usd")} if limits else None,
        "next_tier": sep12["next_tier"],
        "status_reason": kyc.status_reason if kyc else None,
        "fields": sep12["fields"],
        "provided_fields": sorted(domain.provided_fields),
        "phone_verified": verifier is not None,
        "phone_verified_by": verifier,
        "review": reviews.sender_review_view(review) if review is not None else None,
        "created_at": row.created_at.isoformat(),
        "updated_at": row.updated_at.isoformat(),
    }


async def _load(conn: AsyncConnection, owner: str, external_id: str) -> tuple[Any, Any]:
    """The customer the app knows by `external_id`, and their KYC row (None, None if new)."""
    row = await store.by_external_id(conn, owner, external_id)
    if row is None:
        return None, None
    return row, await store.kyc(conn, row.id)


def _phone_verifier(caller: Caller, req: CustomerRequest, kyc: Any, phone: str | None):
    """Who verified the phone after this request: kept while the number stays the same,
    set when the caller vouches for the number it sends, cleared when the number changes."""
    before = kyc.fields.get("mobile_number") if kyc else None
    kept = kyc.phone_verified_by if kyc is not None and phone == before else None
    if req.mobile_number_verified and phone:
        return _verifier(caller)
    return kept


async def put_customer(svc: Services, caller: Caller, req: CustomerRequest) -> tuple[int, dict]:
    """Create or update by the app's own external id: calling it twice is harmless. Fields
    given are merged over those stored (SEP-12 PUT), so a later call can add documents."""
    now = svc.now()
    values = _normalise(req, now.date(), svc.settings.birth_ages)
    async with svc.engine.begin() as conn:
        row, kyc = await _load(conn, caller.name, req.external_id)
        created = row is None
        if created and values["name"] is None:
            raise validation([{"field": "name", "message": NAME_NEEDED}])
        name = values["name"] or row.name
        customer_id = new_id("cus") if created else row.id
        fields = {**(kyc.fields if kyc else {}), **values["fields"]}
        if req.mobile_number_verified and not fields.get("mobile_number"):
            raise validation(
                [{"field": "mobile_number_verified", "message": "no mobile_number to verify"}]
            )
        verifier = _phone_verifier(caller, req, kyc, fields.get("mobile_number"))
        status = INITIAL_STATUS if created else row.status
        tier = tier_order(svc.tiers)[0].name if created else row.tier
        have = verified_fields(fields, verifier)
        status, tier, target = await _decide(conn, svc, customer_id, status, tier, have)
        review = kyc.status_reason if kyc is not None else None
        if review == PHONE_NEEDED:
            review = None
        if status == NEEDS_INFO and "mobile_number" not in have:
            review = PHONE_NEEDED
        columns = {
            **_columns(name, values["country"], fields),
            "tier": tier,
            "status": status,
        }
        if created:
            await store.add_customer(conn, customer_id, caller.name, req.external_id, columns, now)
        elif any(getattr(row, k) != v for k, v in columns.items()):
            await store.update_customer(conn, customer_id, columns, now)
        await _save_kyc(conn, kyc, customer_id, fields, review, verifier, now)
        if target is not None:
            await _open_if_new(svc, conn, caller, customer_id, tier, target, fields, now)
        if not created:
            before = sender_identity(row.name, row.country, kyc.fields if kyc else {})
            after = sender_identity(name, values["country"], fields)
            await _watch_identity(svc, conn, caller, customer_id, kyc, before, after, now)
        row, kyc = await _load(conn, caller.name, req.external_id)
    await reviews.submit_pending(svc, customer_id)
    async with reading(svc.engine) as conn:
        latest = await reviews.latest_review(conn, customer_id)
    log.info("customer_saved", customer_id=customer_id, status=status, tier=tier, created=created)
    return (201 if created else 200), customer_view(svc, row, kyc, latest)


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
    reloaded = await store.kyc(conn, customer_id)
    await keep_former_identity(conn, customer_id, reloaded, before)
    await audit_trail.record(
        svc,
        conn,
        now,
        caller.key_id,
        "customer.identity_changed",
        customer_id,
        before={"fields": sorted(changed)},
        after={"change_id": change_id, "hits": len(hits)},
    )
    log.info("identity_changed", customer_id=customer_id, fields=sorted(changed), hits=len(hits))


async def _save_kyc(conn, kyc, customer_id: str, fields, review, verifier, now) -> None:
    values = {"fields": fields, "status_reason": review, "phone_verified_by": verifier}
    if kyc is None or (kyc.fields, kyc.status_reason, kyc.phone_verified_by) != tuple(
        values.values()
    ):
        await store.save_kyc(
            conn, customer_id, values | {"updated_at": now}, exists=kyc is not None
        )


async def customer_event(
    conn: AsyncConnection, customer_id: str, event: str, reason: str, now: Any
) -> str | None:
    """Move a customer by a named event (e.g. "list_hit" sends an accepted customer back to
    review); None when the event does not apply to the current status."""
    row = await store.customer(conn, customer_id)
    try:
        status = apply_customer_event(row.status, event)
    except ValueError:
        return None
    await store.move_status(conn, customer_id, row.status, status, now)
    await store.set_status_reason(conn, customer_id, reason[:300], now)
    return status


async def get_customer(svc: Services, caller: Caller, customer_id: str) -> dict[str, Any]:
    async with reading(svc.engine) as conn:
        row = await owned_customer(conn, caller, customer_id)
        kyc = latest = None
        if row is not None:
            kyc = await store.kyc(conn, row.id)
            latest = await reviews.latest_review(conn, row.id)
    if row is None:
        raise NotFound(f"customer {customer_id}")
    return customer_view(svc, row, kyc, latest)

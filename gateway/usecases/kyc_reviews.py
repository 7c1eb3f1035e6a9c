"""Tier-upgrade reviews: opened by a complete submission (gateway.usecases.customers), handed
to the verification provider or queued for the officers, decided by the provider's signed
webhook result or by an officer (console or API). A decision moves the review along
compliance.kyc's REVIEW_MOVES, moves the customer up a tier on approval, writes an audit
entry (ids only) and a KYC event (the sending app's webhook, the bot's message), all in one
transaction. A refused webhook (unsigned, badly signed, stale, replayed) writes nothing."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncConnection

from compliance.kyc import (
    ACCEPTED,
    APPROVED,
    OFFICER_REVIEW,
    OPEN_REVIEWS,
    PROVIDER_REVIEW,
    ReviewRefused,
    Tier,
    VerificationRequest,
    initial_status,
    move_review,
)
from corridors import jsondoc
from corridors.jsondoc import BadText
from corridors.signing import SignatureError, verify
from gateway.domain.callers import Caller
from gateway.errors import BadSignature, Conflict, NotFound, validation
from gateway.ids import new_id
from gateway.services import Services
from gateway.storage import customers as customer_store
from gateway.storage import kyc as store
from gateway.usecases import audit_trail
from gateway.usecases.cases.access import require
from gateway.usecases.schemas import NULL_STR, STR, nullable_strings, strings
from ledger_adapter.sessions import reading

log = structlog.get_logger("gateway.kyc_reviews")

# What the customer is told (the officer's or provider's reason is kept internal).
SENDER_TEXT = {
    "approved": "identity check approved",
    "rejected": "identity check not approved",
}
OUTCOMES = ("approved", "rejected")


def reviewer_for(svc: Services, tier: Tier) -> str:
    """The tier's reviewer; a provider tier goes to the officers when no provider is set up."""
    return "provider" if tier.review == "provider" and svc.kyc_provider is not None else "officer"


async def open_review(
    svc: Services,
    conn: AsyncConnection,
    caller: Caller,
    customer_id: str,
    from_tier: str,
    tier: Tier,
    digest: str,
    now,
) -> str:
    """A new review for `tier`, in the caller's transaction (with an audit entry)."""
    reviewer = reviewer_for(svc, tier)
    review_id = new_id("kyr")
    status = initial_status(reviewer)
    columns = {"from_tier": from_tier, "tier": tier.name, "reviewer": reviewer}
    await store.add_review(
        conn, review_id, customer_id, now, status=status, fields_digest=digest, **columns
    )
    after = {"customer_id": customer_id, "tier": tier.name, "reviewer": reviewer}
    await audit_trail.record(
        svc, conn, now, caller.key_id, "kyc.review_opened", review_id, after=after
    )
    log.info("kyc_review_opened", review_id=review_id, tier=tier.name, reviewer=reviewer)
    return review_id


async def submit_pending(svc: Services, customer_id: str) -> None:
    """Hand the customer's provider reviews not yet submitted to the provider. A failure leaves
    `submitted_at` empty, and the next update of the customer tries again."""
    if svc.kyc_provider is None:
        return
    async with reading(svc.engine) as conn:
        rows = await store.unsubmitted(conn, customer_id, PROVIDER_REVIEW)
    for row in rows:
        wanted = svc.tiers[row.tier].required_fields
        fields = {k: str(v) for k, v in row.fields.items() if k in wanted}
        request = VerificationRequest(row.id, customer_id, row.tier, fields)
        try:
            await svc.kyc_provider.submit(request)
        except Exception as exc:  # the provider is down: the review waits, nothing is lost
            log.warning("kyc_submit_failed", review_id=row.id, error=type(exc).__name__)
            continue
        async with svc.engine.begin() as conn:
            await store.mark_submitted(conn, row.id, svc.now())
        log.info("kyc_submitted", review_id=row.id, provider=svc.kyc_provider.name)


async def _apply(
    svc: Services, conn: AsyncConnection, review: Any, status: str, by: str, reason: str, now
) -> dict[str, Any]:
    """Record the decision; on approval the customer moves from the review's tier up."""
    await store.record_decision(conn, review, status, by, reason[:300], now)
    customer = await customer_store.customer(conn, review.customer_id)
    tier = customer.tier
    if status == APPROVED and customer.status == ACCEPTED and customer.tier == review.from_tier:
        tier = review.tier
        await customer_store.move_tier(conn, customer.id, review.from_tier, tier, now)
    outcome = "approved" if status == APPROVED else "rejected"
    await store.add_event(
        conn,
        customer,
        now,
        type=f"kyc.upgrade_{outcome}",
        review_id=review.id,
        tier=tier,
        sought_tier=review.tier,
        reason=SENDER_TEXT[outcome],
    )
    return {"customer_id": customer.id, "tier": tier, "status": status}


def _parse_result(body: bytes) -> tuple[str, str, str, str | None]:
    """(event id, review id, outcome, reason) of a provider's result; 422 naming bad fields."""
    try:
        doc = jsondoc.loads(body)
    except BadText as exc:
        raise validation([{"field": exc.path, "message": exc.message}]) from None
    except (ValueError, UnicodeDecodeError):
        raise validation([{"field": "body", "message": "not JSON"}]) from None
    if not isinstance(doc, dict):
        raise validation([{"field": "body", "message": "a JSON object is required"}])
    errors = []
    for name in ("event_id", "review_id"):
        value = doc.get(name)
        if not isinstance(value, str) or not 0 < len(value) <= 80:
            errors.append({"field": name, "message": "a string of 1 to 80 characters"})
    if doc.get("outcome") not in OUTCOMES:
        errors.append({"field": "outcome", "message": "approved or rejected"})
    reason = doc.get("reason")
    if reason is not None and not isinstance(reason, str):
        errors.append({"field": "reason", "message": "a string"})
    if errors:
        raise validation(errors)
    return doc["event_id"], doc["review_id"], doc["outcome"], reason


RESULT_ACK_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "review_id": STR,
        "status": STR,
        "tier": STR,
        "applied": {"type": "boolean"},
    },
}


async def receive_provider_result(svc: Services, headers: Any, body: bytes) -> dict[str, Any]:
    """The provider's signed webhook: signature and window first, then the body; a replayed
    event id or a review already decided is refused (409) and nothing is written."""
    secret = svc.settings.kyc_provider_secret
    provider = svc.kyc_provider.name if svc.kyc_provider else svc.settings.kyc_provider_name
    try:
        verify((secret,) if secret else (), headers, body, svc.now().timestamp())
    except SignatureError as exc:
        log.info("kyc.result_refused", reason=exc.reason)
        raise BadSignature(f"signature refused: {exc.reason}") from None
    event_id, review_id, outcome, reason = _parse_result(body)
    now = svc.now()
    async with svc.engine.begin() as conn:
        if await store.provider_event_seen(conn, provider, event_id):
            raise Conflict("replayed", "Event already received", f"event {event_id} was applied")
        review = await store.review(conn, review_id, locked=True)
        if review is None:
            raise NotFound(f"review {review_id}")
        if review.reviewer != "provider":
            raise Conflict("not-provider-review", "Not the provider's", "officers decide it")
        try:
            status = move_review(review.status, f"provider_{outcome}")
        except ReviewRefused:
            raise Conflict(
                "already-decided", "Review already decided", f"review is {review.status}"
            ) from None
        await store.add_provider_event(conn, provider, event_id, review_id, now)
        result = await _apply(
            svc, conn, review, status, f"provider:{provider}", reason or outcome, now
        )
        before = {"status": review.status, "tier": review.from_tier}
        await audit_trail.record(
            svc,
            conn,
            now,
            f"provider:{provider}",
            f"kyc.provider_{outcome}",
            review_id,
            before=before,
            after={**result, "event_id": event_id},
        )
    log.info("kyc_review_decided", review_id=review_id, status=status, by="provider")
    return {"review_id": review_id, "status": status, "tier": result["tier"], "applied": True}


async def decide_review(
    svc: Services, caller: Caller, review_id: str, action: str, reason: str
) -> dict[str, Any]:
    """An officer approves or rejects an officer review (with a reason), audited."""
    require(caller, "decide")
    if action not in ("approve", "reject"):
        raise validation([{"field": "decision", "message": "approve or reject"}])
    now = svc.now()
    async with svc.engine.begin() as conn:
        review = await store.review(conn, review_id, locked=True)
        if review is None:
            raise NotFound(f"review {review_id}")
        if review.reviewer != "officer":
            raise Conflict("provider-review", "The provider's review", "the provider decides it")
        event = "officer_approved" if action == "approve" else "officer_rejected"
        try:
            status = move_review(review.status, event)
        except ReviewRefused:
            raise Conflict(
                "already-decided", "Review already decided", f"review is {review.status}"
            ) from None
        result = await _apply(svc, conn, review, status, caller.key_id, reason, now)
        before = {"status": review.status, "tier": review.from_tier}
        await audit_trail.record(
            svc, conn, now, caller.key_id, f"kyc.{action}", review_id, before=before, after=result
        )
    log.info("kyc_review_decided", review_id=review_id, status=status, by="officer")
    return await review_detail(svc, caller, review_id)


REVIEW_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        **strings("id", "customer_id", "from_tier", "tier", "created_at"),
        "reviewer": {"type": "string", "enum": ["provider", "officer"]},
        "status": {
            "type": "string",
            "enum": ["provider_review", "officer_review", "approved", "rejected"],
        },
        **nullable_strings("submitted_at", "decided_by", "reason", "decided_at"),
    },
}


def review_view(row: Any) -> dict[str, Any]:
    """A review as officers see it; its schema is `REVIEW_SCHEMA`, just above."""
    return {
        "id": row.id,
        "customer_id": row.customer_id,
        "from_tier": row.from_tier,
        "tier": row.tier,
        "reviewer": row.reviewer,
        "status": row.status,
        "submitted_at": row.submitted_at.isoformat() if row.submitted_at else None,
        "decided_by": row.decided_by,
        "reason": row.reason,
        "created_at": row.created_at.isoformat(),
        "decided_at": row.decided_at.isoformat() if row.decided_at else None,
    }


def sender_review_view(row: Any) -> dict[str, Any]:
    """What the sending app sees of its customer's latest review (no internal reason)."""
    outcome = "approved" if row.status == APPROVED else "rejected"
    decided = row.status not in OPEN_REVIEWS
    return {
        "id": row.id,
        "tier": row.tier,
        "status": row.status,
        "reviewer": row.reviewer,
        "message": SENDER_TEXT[outcome] if decided else "under review",
        "created_at": row.created_at.isoformat(),
        "decided_at": row.decided_at.isoformat() if row.decided_at else None,
    }


REVIEW_LIST_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "reviews": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    **REVIEW_SCHEMA["properties"],
                    "customer_name": STR,
                    "country": STR,
                },
            },
        }
    },
}


async def list_reviews(svc: Services, caller: Caller, status: str | None = None) -> list[dict]:
    """Reviews, oldest first; `status` "open" (default: both reviewers' open ones), a status,
    or "all"."""
    require(caller, "read")
    wanted = status or "open"
    statuses = OPEN_REVIEWS if wanted == "open" else None if wanted == "all" else (wanted,)
    async with reading(svc.engine) as conn:
        rows = await store.reviews(conn, statuses, limit=500)
    return [{**review_view(r), "customer_name": r.name, "country": r.country} for r in rows]


REVIEW_DETAIL_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        **REVIEW_SCHEMA["properties"],
        "customer": {
            "type": "object",
            "properties": {
                **strings("id", "name", "country", "status"),
                **nullable_strings("phone", "phone_verified_by", "tier"),
            },
        },
        "fields": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"name": STR, "description": STR, "value": NULL_STR},
            },
        },
        "decidable": {"type": "boolean"},
    },
}


async def review_detail(svc: Services, caller: Caller, review_id: str) -> dict[str, Any]:
    """A review with what the officer decides on: the customer and the submitted fields of the
    tier sought (the documents' references and values)."""
    require(caller, "read")
    async with reading(svc.engine) as conn:
        row = await store.review(conn, review_id)
        if row is None:
            raise NotFound(f"review {review_id}")
        customer = await customer_store.customer(conn, row.customer_id)
        kyc = await customer_store.kyc(conn, row.customer_id)
    tier = svc.tiers.get(row.tier)
    fields: Mapping[str, Any] = kyc.fields if kyc else {}
    wanted = tier.required_fields if tier else ()
    return {
        **review_view(row),
        "customer": {
            "id": customer.id,
            "name": customer.name,
            "country": customer.country,
            "phone": customer.phone,
            "phone_verified_by": kyc.phone_verified_by if kyc else None,
            "tier": customer.tier,
            "status": customer.status,
        },
        "fields": [
            {"name": n, "description": svc.kyc_fields.get(n, n), "value": fields.get(n)}
            for n in wanted
        ],
        "decidable": row.reviewer == "officer" and row.status == OFFICER_REVIEW,
    }


async def latest_review(conn: AsyncConnection, customer_id: str) -> Any:
    """The open review if there is one (at most one is open), else the newest decided one."""
    return await store.latest_review(conn, customer_id, OPEN_REVIEWS)

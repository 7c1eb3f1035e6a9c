"""A transfer the travel rule covers but whose data is incomplete is held before screening
(`created -> needs_info`, the reason naming the rule and each missing field); the sender
supplies exactly those fields (for this remittance: the profile stays as it is, so no
screened identity changes here) and it goes on to screening (`needs_info -> screening`).

Only a transfer that was never screened takes that way back: a compliance request for
information still answers to an officer (`needs_info -> on_hold`,
gateway.usecases.cases.information)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from compliance.kyc.birth import birth_date_problem
from fx.money import Money
from gateway.domain.callers import Caller
from gateway.domain.outcomes import Advance, Outcome
from gateway.domain.states import Status
from gateway.errors import Conflict, field_error
from gateway.services import Services
from gateway.storage import audit
from gateway.storage import remittances as rem_store
from gateway.storage import travel as travel_store
from gateway.usecases import travel_rule
from gateway.usecases.ownership import own_remittance
from gateway.usecases.remittances import _usd_value
from gateway.usecases.schemas import STR
from ledger_adapter.sessions import reading

HOLD_MARK = "travel rule ("


async def _assess(svc: Services, rem: Any, supplied: dict[str, Any] | None = None):
    sender = await svc.reads.sender_with_kyc.first(rem.sender_id)
    corridor = svc.corridors[rem.corridor_id]
    send = Money.from_minor(rem.send_amount_minor, rem.send_currency)
    usd = await _usd_value(svc, Money.parse("1", rem.send_currency))
    return await travel_rule.assess(svc, corridor, send, sender, dict(rem.recipient), usd, supplied)


def _bind_effect(remittance_id: str, record: dict[str, Any], now):
    async def write(conn: AsyncConnection) -> None:
        if not await travel_store.is_bound(conn, remittance_id):
            await travel_rule.bind(conn, remittance_id, record, now)

    return write


async def hold_if_missing(svc: Services, rem: Any) -> Outcome | None:
    """At `created`: a covered transfer without its record is held asking for the gaps, or
    (the sender's profile was completed meanwhile) gets its record bound now; None: go on."""
    if await svc.reads.travel_bound.first(rem.id) is not None:
        return None
    record, gaps = await _assess(svc, rem)
    if record is None:
        return None
    if gaps:
        return Advance(S.NEEDS_INFO, travel_rule.asking_reason(record["rule"], gaps))
    return Advance(
        S.SCREENING, "screening started", effects=(_bind_effect(rem.id, record, svc.now()),)
    )


S = Status


async def held_for_travel(conn: AsyncConnection, rem: Any) -> bool:
    """needs_info from created (never screened), and no compliance case."""
    if rem.status != S.NEEDS_INFO:
        return False
    if await rem_store.has_case(conn, rem.id):
        return False
    history = await rem_store.history(conn, rem.id)
    return bool(history) and history[-1].from_status == S.CREATED


TRAVEL_STATUS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "remittance_id": STR,
        "rule": STR,
        "required": {"type": "boolean", "description": "the regime's travel rule covers it"},
        "bound": {"type": "boolean", "description": "its record is kept with the remittance"},
        "held": {"type": "boolean", "description": "held in needs_info for the data"},
        "missing": {
            "type": "array",
            "items": {"type": "object", "properties": {"field": STR, "message": STR}},
        },
    },
}


async def status(svc: Services, caller: Caller, remittance_id: str) -> dict[str, Any]:
    """Whether the rule covers this transfer, whether its record is bound, and what is
    missing while it is held for it; the body's schema is `TRAVEL_STATUS_SCHEMA`, just above."""
    async with reading(svc.engine) as conn:
        rem = await own_remittance(conn, caller, remittance_id)
        bound = await travel_store.is_bound(conn, rem.id)
        held = await held_for_travel(conn, rem)
    record, gaps = (None, []) if bound else await _assess(svc, rem)
    regime = svc.regimes.for_country(svc.corridors[rem.corridor_id].send_country)
    return {
        "remittance_id": rem.id,
        "rule": regime.travel_rule,
        "required": bound or record is not None,
        "bound": bound,
        "held": held,
        "missing": [{"field": g.field, "message": g.message} for g in gaps],
    }


async def missing_for(svc: Services, caller: Caller, remittance_id: str) -> list[str] | None:
    """The fields a held transfer asks for (e.g. ["sender.address"]), or None if not held."""
    body = await status(svc, caller, remittance_id)
    return [m["field"] for m in body["missing"]] if body["held"] else None


def check_supplied(svc: Services, sender: dict[str, Any]) -> None:
    """Originator data that cannot be right is refused naming the field, nothing written: a
    birth date must be plausible (compliance.kyc.birth, the configured age range)."""
    dob = sender.get("birth_date")
    if dob:
        why = birth_date_problem(dob, svc.now().date(), svc.settings.birth_ages)
        if why is not None:
            raise field_error("sender.birth_date", why)


async def supply(
    svc: Services, caller: Caller, remittance_id: str, sender: dict[str, Any]
) -> dict[str, Any]:
    """The sender's answer: complete, the record is bound and the transfer goes to screening
    (audit-chained, ids only); still incomplete, a problem naming what is left, nothing
    written."""
    from gateway.usecases.remittances import get_remittance

    check_supplied(svc, sender)
    async with reading(svc.engine) as conn:
        rem = await own_remittance(conn, caller, remittance_id)
        held = await held_for_travel(conn, rem)
    if not held:
        raise Conflict(
            "not-awaiting-travel-rule-data",
            "No travel-rule data requested",
            f"the remittance is {rem.status}; travel-rule data is taken only while it is held "
            "for it",
        )
    record, gaps = await _assess(svc, rem, sender)
    if record is None:  # the regime changed meanwhile: nothing to ask any more
        gaps = []
    if gaps:
        raise travel_rule.missing_problem(
            record["rule"], gaps, "send them in POST /v1/remittances/{id}/travel-rule"
        )
    now = svc.now()
    async with svc.engine.begin() as conn:
        if record is not None and not await travel_store.is_bound(conn, rem.id):
            await travel_rule.bind(conn, rem.id, record, now)
        try:
            await rem_store.transition(
                conn,
                rem.id,
                S.NEEDS_INFO,
                S.SCREENING,
                now=now,
                reason="travel-rule data supplied; screening",
            )
        except rem_store.StaleState:
            raise Conflict("state-changed", "State changed", "reload the remittance") from None
        await audit.append(
            conn,
            key=svc.settings.audit_hmac_key,
            at=now,
            actor=caller.key_id,
            action="remittance.travel_rule",
            object_id=rem.id,
            before={"remittance_status": "needs_info"},
            after={"remittance_status": "screening", "fields": sorted(sender)},
        )
    svc.wake_workers()
    return await get_remittance(svc, caller, remittance_id)

"""Officers resolve a sender's error report: acknowledge, investigate, resolve with a remedy
(a refund to the wallet, or the transfer resent at no cost, both posted through the ledger from
the provider's `remedies:{CUR}` account; or a finding of no error). Each action is audit-chained
in the transaction that makes it; the outcome is a history event on the remittance, which the
webhooks and the bots tell the sender.

A resolve that moves money claims the case first (`resolving`, the remedy fixed), then posts
the ledger transfer under an id made from the case id, then commits the outcome: a crash in
between leaves `resolving`, and resolving again with the same remedy finishes it, never paying
twice; two officers at once: one claims, the other is refused."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from compliance.protections.error_cases import ErrorMoveRefused, Remedy, next_status, remedy_for
from fx.money import Money
from gateway.domain.callers import Caller
from gateway.domain.states import Status
from gateway.errors import Conflict, NotFound
from gateway.ids import new_id
from gateway.services import Services
from gateway.storage import audit
from gateway.storage import errors as error_store
from gateway.storage import remittances as rem_store
from gateway.storage import travel as travel_store
from gateway.storage.sealed import row_value
from gateway.usecases.cancellation import sending_country
from gateway.usecases.cases.access import require
from gateway.usecases.error_reports import ERROR_CASE_SCHEMA, case_view
from gateway.usecases.remittances import REMITTANCE_SCHEMA
from gateway.usecases.schemas import strings
from ledger_adapter import chart
from ledger_adapter.sessions import reading

RESOLVED_EVENT = "error_case.resolved"
RESOLVING = "resolving"


def _refused(exc: ErrorMoveRefused):
    return Conflict(exc.code, "Error case action refused", exc.message)


async def _case(conn: AsyncConnection, case_id: str) -> Any:
    row = await error_store.get_case(conn, case_id)
    if row is None:
        raise NotFound(f"error case {case_id}")
    return row


async def _set(conn: AsyncConnection, row: Any, **values: Any) -> None:
    """Update only if the case is still as we read it (two officers at once: one wins)."""
    if not await error_store.set_if_status(conn, row.id, row.status, values):
        raise Conflict("state-changed", "State changed", "the case changed meanwhile; reload it")


async def _audit(svc: Services, conn, caller: Caller, action: str, row: Any, after: dict) -> None:
    await audit.append(
        conn,
        key=svc.settings.audit_hmac_key,
        at=svc.now(),
        actor=caller.key_id,
        action=f"error_case.{action}",
        object_id=row.id,
        before={"status": row.status, "remittance_id": row.remittance_id},
        after=after,
    )


ERROR_CASE_DETAIL_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        **ERROR_CASE_SCHEMA["properties"],
        "remittance": {
            "type": "object",
            "properties": {
                **strings(
                    "id",
                    "status",
                    "corridor_id",
                    "send_amount",
                    "fee",
                    "send_currency",
                    "receive_amount",
                    "receive_currency",
                ),
                "history": REMITTANCE_SCHEMA["properties"]["history"],
            },
        },
    },
}


async def case_detail(svc: Services, caller: Caller, case_id: str) -> dict[str, Any]:
    """The case with its clocks, the remittance it is about (status, amounts, history) and the
    remedy once resolved; its schema is `ERROR_CASE_DETAIL_SCHEMA`, just above."""
    require(caller, "read")
    async with reading(svc.engine) as conn:
        row = await _case(conn, case_id)
        rem = await rem_store.get(conn, row.remittance_id)
        history = await rem_store.history(conn, row.remittance_id)
    body = case_view(row, svc.now(), rem.send_currency, sending_country(svc, rem))
    send = Money.from_minor(rem.send_amount_minor, rem.send_currency)
    fee = Money.from_minor(rem.fee_minor, rem.send_currency)
    receive = Money.from_minor(rem.receive_amount_minor, rem.receive_currency)
    body["remittance"] = {
        "id": rem.id,
        "status": rem.status,
        "corridor_id": rem.corridor_id,
        "send_amount": str(send.amount),
        "fee": str(fee.amount),
        "send_currency": rem.send_currency,
        "receive_amount": str(receive.amount),
        "receive_currency": rem.receive_currency,
        "history": [
            {"from": h.from_status, "to": h.to_status, "at": h.at.isoformat(), "reason": h.reason}
            for h in history
        ],
    }
    return body


async def acknowledge(svc: Services, caller: Caller, case_id: str) -> dict[str, Any]:
    return await _step(svc, caller, case_id, "acknowledge", "acknowledged_at")


async def investigate(svc: Services, caller: Caller, case_id: str) -> dict[str, Any]:
    return await _step(svc, caller, case_id, "investigate", None)


async def _step(svc: Services, caller: Caller, case_id: str, action: str, stamp: str | None):
    require(caller, "decide")
    now = svc.now()
    async with svc.engine.begin() as conn:
        row = await _case(conn, case_id)
        try:
            target = next_status(row.status, action)
        except ErrorMoveRefused as exc:
            raise _refused(exc) from None
        values: dict[str, Any] = {"status": target, "updated_at": now}
        if stamp:
            values[stamp] = now
        await _set(conn, row, **values)
        await _audit(svc, conn, caller, action, row, {"status": target})
    return await case_detail(svc, caller, case_id)


async def resolve(
    svc: Services,
    caller: Caller,
    case_id: str,
    remedy: str,
    finding: str,
    amount: str | None = None,
) -> dict[str, Any]:
    """Resolve an investigated case; `amount` (send currency) only for a partial refund."""
    require(caller, "decide")
    claimed = await _claim(svc, caller, case_id, remedy, finding, amount)
    async with reading(svc.engine) as conn:
        rem = await rem_store.get(conn, claimed.remittance_id)
    if claimed.remedy == "refund":
        refund = chart.remedy_refund(
            f"{claimed.id}:remedy-refund", rem.sender_id, rem.send_currency, claimed.remedy_minor
        )
        await svc.ledger.transfer([refund])
    elif claimed.remedy == "resend":
        # The provider funds the resend: the original principal, no fee.
        principal = rem.send_amount_minor - rem.fee_minor
        funding = chart.remedy_resend(f"{claimed.resend_id}:fund0", rem.send_currency, principal)
        await svc.ledger.transfer([funding])
    await _finish(svc, caller, case_id, rem)
    if claimed.remedy == "resend":
        svc.wake_workers()
    return await case_detail(svc, caller, case_id)


async def _claim(
    svc: Services, caller: Caller, case_id: str, remedy: str, finding: str, amount: str | None
) -> Any:
    """investigating -> resolving with the remedy fixed; a case already resolving with the
    same remedy is continued (a crash after the claim)."""
    now = svc.now()
    async with svc.engine.begin() as conn:
        row = await _case(conn, case_id)
        rem = await rem_store.get(conn, row.remittance_id)
        try:
            minor = Money.parse(amount, rem.send_currency).to_minor() if amount else None
        except Exception:
            raise Conflict("remedy-amount", "Error case action refused", "bad amount") from None
        if row.status == RESOLVING:
            if row.remedy != remedy or (minor is not None and minor != row.remedy_minor):
                raise Conflict(
                    "error-case-resolving",
                    "Error case action refused",
                    f"the case is being resolved with remedy {row.remedy}",
                )
            return row
        try:
            next_status(row.status, "resolve")
            chosen: Remedy = remedy_for(remedy, rem.send_amount_minor, minor, rem.status)
        except ErrorMoveRefused as exc:
            raise _refused(exc) from None
        values = {
            "status": RESOLVING,
            "updated_at": now,
            "remedy": chosen.kind,
            "remedy_minor": chosen.amount_minor or None,
            "resend_id": new_id("rem") if chosen.kind == "resend" else None,
            "finding": finding,
            "found_at": now,
        }
        await _set(conn, row, **values)
        await _audit(
            svc,
            conn,
            caller,
            "resolving",
            row,
            {"status": RESOLVING, "remedy": chosen.kind, "remedy_minor": chosen.amount_minor},
        )
    async with reading(svc.engine) as conn:
        return await _case(conn, case_id)


def outcome_text(case: Any, rem: Any) -> str:
    """What the sender (and the sending app's webhook) is told, in plain words."""
    if case.remedy == "refund":
        money = Money.from_minor(case.remedy_minor, rem.send_currency)
        what = f"refund of {money} {money.currency} to the wallet"
    elif case.remedy == "resend":
        what = f"resent at no cost as {case.resend_id}"
    else:
        what = "no error found"
    return f"error case {case.id} resolved: {what}; {case.finding}"


async def _finish(svc: Services, caller: Caller, case_id: str, rem: Any) -> None:
    now = svc.now()
    async with svc.engine.begin() as conn:
        row = await _case(conn, case_id)
        if row.status != RESOLVING:
            return  # finished by a concurrent retry
        if row.remedy == "resend":
            await _create_resend(conn, row, rem, now)
        await _set(conn, row, status="resolved", reported_outcome_at=now, updated_at=now)
        current = (await rem_store.get(conn, rem.id)).status
        await rem_store.add_history(
            conn, rem.id, current, current, now, outcome_text(row, rem), event=RESOLVED_EVENT
        )
        await _audit(
            svc,
            conn,
            caller,
            "resolve",
            row,
            {"status": "resolved", "remedy": row.remedy, "resend_id": row.resend_id},
        )


async def _create_resend(conn: AsyncConnection, case: Any, rem: Any, now) -> None:
    """The same transfer again, funded already (by the provider), fee zero: the pipeline
    converts and pays it out from `funded`. Its travel-rule record is the original's."""
    principal = rem.send_amount_minor - rem.fee_minor
    values = {
        "id": case.resend_id,
        "owner": rem.owner,
        "status": Status.FUNDED.value,
        "quote_id": rem.quote_id,
        "sender_id": rem.sender_id,
        "corridor_id": rem.corridor_id,
        "partner_id": rem.partner_id,
        "recipient": row_value(case.resend_id, rem.recipient),
        "recipient_key": rem.recipient_key,
        "funding_method": "remedy",
        "send_currency": rem.send_currency,
        "receive_currency": rem.receive_currency,
        "send_amount_minor": principal,
        "fee_minor": 0,
        "receive_amount_minor": rem.receive_amount_minor,
        "settlement_asset": rem.settlement_asset,
        "created_at": now,
        "updated_at": now,
        "next_attempt_at": now,
        "attempts": 0,
    }
    reason = f"resend of {rem.id} at no cost (error case {case.id}), funded by the provider"
    await rem_store.create(conn, values, reason)
    await travel_store.copy_record(conn, rem.id, case.resend_id)


async def outcome_for(svc: Services, remittance_id: str) -> dict[str, Any] | None:
    """The latest resolved case of a remittance, as the bots word it."""
    async with reading(svc.engine) as conn:
        row = await error_store.latest_resolved(conn, remittance_id)
        if row is None:
            return None
        rem = await rem_store.get(conn, remittance_id)
    body = {"remedy": row.remedy, "finding": row.finding or "", "resend_id": row.resend_id}
    if row.remedy_minor:
        money = Money.from_minor(row.remedy_minor, rem.send_currency)
        body["amount"] = f"{money.amount} {money.currency}"
    return body

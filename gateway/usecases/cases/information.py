"""The sender's answer to a request for information: the case goes back to the officers' queue,
and a corrected recipient is recorded as an identity change."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from corridors.recipients import RecipientInvalid, validate_recipient
from gateway.domain.callers import Caller
from gateway.domain.recipient_keys import recipient_key
from gateway.domain.states import Status
from gateway.errors import Conflict, validation
from gateway.ids import new_id
from gateway.services import Services
from gateway.storage import cases as store
from gateway.storage import remittances as rem_store
from gateway.storage.sealed import keyring_of, row_value
from gateway.usecases import audit_trail, identity
from gateway.usecases.ownership import own_remittance
from gateway.usecases.remittances import remittance_view
from ledger_adapter.sessions import reading


async def answer_information(
    svc: Services,
    caller: Caller,
    remittance_id: str,
    text: str,
    recipient: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The sender answers a request for information: needs_info -> on_hold, and the case goes
    back to the officers' queue (info_received) for a decision. Nothing is screened to a pass:
    a hold ends only by an officer's decision. A corrected recipient is recorded as an
    identity change (before and after, both screened) and shown on the case."""
    now = svc.now()
    async with svc.engine.begin() as conn:
        rem = await own_remittance(conn, caller, remittance_id)
        if rem.status != Status.NEEDS_INFO:
            raise Conflict(
                "not-awaiting-information",
                "No information requested",
                f"the remittance is {rem.status}; answers are taken only in needs_info",
            )
        case = await store.waiting_for_information(conn, remittance_id)
        if case is None:
            from gateway.usecases.travel_hold import held_for_travel

            if await held_for_travel(conn, rem):
                raise Conflict(
                    "travel-rule-data-requested",
                    "Travel-rule data requested",
                    "this transfer waits for travel-rule data, not for a compliance answer: "
                    f"send it in POST /v1/remittances/{remittance_id}/travel-rule",
                )
        changed = {}
        if recipient is not None:
            changed = await _correct_recipient(svc, conn, rem, recipient, now)
        information_id = new_id("inf")
        case_id = case.id if case else None
        await store.add_information(conn, information_id, remittance_id, case_id, text, now)
        await rem_store.transition(
            conn,
            remittance_id,
            Status.NEEDS_INFO,
            Status.ON_HOLD,
            now=now,
            reason="the sender answered; back with compliance for a decision",
            **changed,
        )
        if case is not None:
            await store.set_status(conn, case.id, "info_received", now)
        after = {"remittance_status": "on_hold", "case_id": case_id}
        await audit_trail.record(
            svc,
            conn,
            now,
            caller.key_id,
            "remittance.information",
            remittance_id,
            before={"remittance_status": "needs_info"},
            after={**after, "recipient_changed": bool(changed)},
        )
    async with reading(svc.engine) as conn:
        row = await rem_store.get(conn, remittance_id)
        history = await rem_store.history(conn, remittance_id)
    return remittance_view(row, list(history))


async def _correct_recipient(
    svc: Services, conn: AsyncConnection, rem: Any, recipient: Mapping[str, Any], now
) -> dict[str, Any]:
    """The corrected recipient, validated for the corridor, recorded with the one screened
    before; returns the remittance columns to change (none when nothing differs)."""
    corridor = svc.corridors[rem.corridor_id]
    try:
        fresh = validate_recipient(corridor, dict(recipient))
    except RecipientInvalid as exc:
        raise validation(exc.errors) from None
    before = dict(rem.recipient)
    if fresh == before:
        return {}
    screener = svc.screening.current
    await identity.record_change(
        conn,
        party="recipient",
        remittance_id=rem.id,
        before=before,
        after=fresh,
        hits=identity.screen_both(screener, before, fresh, with_country=False),
        list_version=screener.version,
        now=now,
    )
    return {
        "recipient": row_value(rem.id, fresh),
        "recipient_key": recipient_key(corridor.id, fresh, keyring_of(conn).index),
    }

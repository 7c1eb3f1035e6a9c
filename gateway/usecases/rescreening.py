"""Re-screening when a new sanctions list version is loaded.

Screening at creation only knows the lists of that day. When `remit sanctions load` brings a
new version, every customer and every recipient of a remittance not yet in a final state is
screened again under it, in bounded batches: each batch commits its holds, its cases and the
run's cursor together, so a crash resumes after the last committed batch and never opens a case
twice. A new hit (one no earlier case of the remittance showed) opens a case for the officers
and holds each remittance it touches that the partner has not been instructed for (quoted,
requote, awaiting_funds: no money moved; funded, converted: the money is in, nothing has gone
out). One already instructed (in_transit, payout_pending) goes `withdrawing`: the pipeline
takes the instruction back from the partner and holds it (`payout.withdraw_for_hold`), or finds
the partner had paid and reports it too late. Beyond that (payout_unknown, a pull partner that
accepted the payout) it is too late to stop: recorded in the run and reported by `remit
sanctions status`. Holds and withdrawals need the remittance unleased: a worker advancing it
this instant makes the batch roll back and run again (Busy).
"""

from __future__ import annotations

import asyncio
from dataclasses import asdict, dataclass
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from gateway.domain.screening import recipient_parties, screen_parties, sender_parties
from gateway.domain.states import HOLDABLE_AFTER_SCREENING, WITHDRAWABLE_FOR_HOLD, Status
from gateway.services import Services
from gateway.storage import cases as case_store
from gateway.storage import remittances as rem_store
from gateway.storage import rescreen as store
from gateway.storage.cases import open_case
from gateway.usecases import sanctions
from ledger_adapter.evm.items import drop as chain_drop
from ledger_adapter.sessions import reading

log = structlog.get_logger("gateway.rescreening")

BATCH = 200
BUSY_RETRY_S = 0.05


class Busy(Exception):
    """A remittance to hold is leased by a worker this instant; the batch is rolled back and
    screened again (it will be holdable a moment later, or funded and too late)."""


REASON = "possible sanctions match on re-screening"


@dataclass(frozen=True, slots=True)
class Progress:
    list_id: str
    phase: str
    senders: int
    recipients: int
    hits: int
    held: int
    too_late: int


def run_view(row: Any) -> dict[str, Any]:
    return {
        "list_id": row.list_id,
        "list_version": row.list_version,
        "phase": row.phase,
        "senders_screened": row.senders,
        "recipients_screened": row.recipients,
        "hits": row.hits,
        "held": list(row.held),
        "too_late": list(row.too_late),
        "started_at": row.started_at.isoformat(),
        "finished_at": row.finished_at.isoformat() if row.finished_at else None,
    }


async def status(engine: AsyncEngine, limit: int = 20) -> list[dict[str, Any]]:
    """Re-screening runs, newest first (`remit sanctions status`, /metrics)."""
    async with reading(engine) as conn:
        return [run_view(r) for r in await store.runs(conn, limit)]


async def step(svc: Services, batch: int = BATCH) -> Progress | None:
    """Screen the next batch of the pending run; None when no run is pending."""
    async with reading(svc.engine) as conn:
        run = await store.pending(conn)
    if run is None:
        return None
    if svc.screening.list_id != run.list_id:
        await sanctions.refresh(svc)  # the version the run is for is the active one
    screener = svc.screening.current
    if svc.screening.list_id != run.list_id:  # a newer version is active: its own run follows
        return None
    try:
        return await _batch(svc, screener, run.list_id, batch)
    except Busy as busy:
        log.info("rescreening_batch_retried", remittance=busy.args[0])
        await asyncio.sleep(BUSY_RETRY_S)
        return await step(svc, batch)


async def _batch(svc: Services, screener: Any, list_id: str, batch: int) -> Progress | None:
    async with svc.engine.begin() as conn:
        run = await store.lock(conn, list_id)
        if run.phase not in store.PENDING_PHASES:
            return None
        held, too_late = list(run.held), list(run.too_late)
        hits_found = 0
        if run.phase == "senders":
            rows = await store.senders_after(conn, run.cursor, batch)
            hit_senders = {}
            for sender in rows:
                hits = screen_parties(screener, sender_parties(sender))
                if hits:
                    hit_senders[sender.id] = hits
            for rem in await store.open_remittances_of(conn, list(hit_senders)):
                hits_found += await _hold_or_report(
                    svc, conn, rem, hit_senders[rem.sender_id], held, too_late
                )
            done = len(rows) < batch
            values = {"senders": run.senders + len(rows)}
        else:
            rows = await store.open_remittances_after(conn, run.cursor, batch)
            for rem in rows:
                hits = screen_parties(screener, recipient_parties(rem))
                if hits:
                    hits_found += await _hold_or_report(svc, conn, rem, hits, held, too_late)
            done = len(rows) < batch
            values = {"recipients": run.recipients + len(rows)}
        now = svc.now()
        cursor = rows[-1].id if rows else run.cursor
        phase = run.phase
        if done:
            phase, cursor = ("recipients", "") if run.phase == "senders" else ("done", cursor)
        values |= {
            "phase": phase,
            "cursor": cursor,
            "hits": run.hits + hits_found,
            "held": held,
            "too_late": too_late,
            "updated_at": now,
            "finished_at": now if phase == "done" else None,
        }
        await store.save(conn, run.list_id, **values)
    if held != list(run.held):
        svc.wake_workers()
    progress = Progress(
        run.list_id,
        phase,
        values.get("senders", run.senders),
        values.get("recipients", run.recipients),
        values["hits"],
        len(held),
        len(too_late),
    )
    if phase == "done":
        log.info("rescreening_done", **asdict(progress))
    return progress


async def _hold_or_report(
    svc: Services,
    conn: AsyncConnection,
    rem: Any,
    hits: list[dict],
    held: list[str],
    too_late: list[str],
) -> int:
    """Hold `rem` for its new hits (1 if any were new), in the batch's transaction."""
    seen = await store.entries_seen(conn, rem.id)
    new = [h for h in hits if (h["list_name"], h["entry_id"]) not in seen]
    if not new:
        return 0
    status = Status(rem.status)
    version = svc.screening.current.version
    if status in HOLDABLE_AFTER_SCREENING:
        target, reason = Status.ON_HOLD, f"{REASON} (lists {version})"
    elif status in WITHDRAWABLE_FOR_HOLD and not await _pull_accepted(svc, rem):
        target = Status.WITHDRAWING
        reason = f"{REASON} (lists {version}): withdrawing the instruction from the partner"
    else:
        if status in (Status.ON_HOLD, Status.NEEDS_INFO):
            return 1  # with the officers already; the hold's own case stands
        # Nothing can stop it now: the case records it for the officers (a report, a recall).
        if rem.id not in too_late:
            too_late.append(rem.id)
            log.warning("rescreening_hit_too_late", remittance=rem.id, status=rem.status)
        why = TOO_LATE_BY_STATE.get(status)
        if why is not None:
            await _open_case(svc, conn, rem.id, new, status, version, too_late=why)
        return 1
    try:
        await rem_store.transition(
            conn, rem.id, rem.status, target, now=svc.now(), reason=reason, unleased=True
        )
    except rem_store.StaleState:
        raise Busy(rem.id) from None  # a worker holds it this instant: redo the batch
    if status == Status.CONVERTED:
        await chain_drop(conn, rem.id)  # its coin stays home while held (if not signed yet)
    await _open_case(svc, conn, rem.id, new, status, version)
    held.append(rem.id)
    return 1


# The states a hit cannot stop that get a case saying so (created and screening are screened
# under the new lists by their own screening; failed is being refunded).
TOO_LATE_BY_STATE = {
    Status.PAYOUT_UNKNOWN: "the partner may have paid: its answer timed out (an inquiry follows)",
    Status.PAYOUT_PENDING: "a pull partner had taken the payout on",
    Status.CANCELLING: "the sender's cancel is already withdrawing it",
    Status.APPROVED: "approved meanwhile by the officers",
}


async def _open_case(
    svc: Services,
    conn: AsyncConnection,
    remittance_id: str,
    hits: list[dict],
    status: Status,
    version: str,
    too_late: str | None = None,
) -> None:
    evidence = {
        "sanctions": hits,
        "aml": None,
        "reasons": [REASON],
        "list_version": version,
        "rescreening": True,
        "held_from": status.value,
    }
    if too_late:
        evidence["too_late"] = too_late
    risk = max(int(h["score"] * 100) for h in hits)
    await open_case(
        conn,
        remittance_id,
        status="open",
        risk=risk,
        evidence=evidence,
        list_version=version,
        now=svc.now(),
    )


async def _pull_accepted(svc: Services, rem: Any) -> bool:
    """A pull partner that accepted the payout cannot be asked to withdraw it."""
    partner = await svc.partners.info(rem.partner_id, svc.now())
    return partner is not None and partner.pull and rem.payout_status == "accepted"


TOO_LATE = "the partner had paid before the withdrawal reached it"


def report_too_late(remittance_id: str):
    """With `withdrawing -> payout_unknown` (the partner had paid): the run lists the transfer
    as too late instead of held, and its case says so, in the transition's transaction."""

    async def effect(conn: AsyncConnection) -> None:
        case = await store.rescreening_case(conn, remittance_id)
        if case is None:
            return
        evidence = {**case.evidence, "too_late": TOO_LATE}
        await case_store.set_evidence(conn, case.id, evidence)
        await store.move_to_too_late(conn, case.list_version, remittance_id)

    return effect


async def run_to_end(svc: Services, batch: int = BATCH) -> Progress | None:
    """Every pending batch, now (the CLI's `remit sanctions rescreen`)."""
    last = None
    while (progress := await step(svc, batch)) is not None:
        last = progress
        if progress.phase == "done":
            break
    return last


async def rescreen_forever(svc: Services, idle_s: float) -> None:
    """The background job one process runs (like the webhook dispatcher): batches while a run
    is pending, a check every `idle_s` otherwise."""
    while True:
        try:
            progress = await step(svc)
        except Exception:  # a database hiccup must not stop re-screening for good
            log.exception("rescreening_failed")
            progress = None
        if progress is None or progress.phase == "done":
            await asyncio.sleep(idle_s)
        else:
            await asyncio.sleep(0)  # let requests in between batches

"""created -> screening -> quoted | on_hold | rejected, and back from a review.

Screening runs the sanctions lists over both parties and the AML rules over the transfer and
its history. Anything found opens a compliance case and holds the remittance (a rule may
reject outright); nothing is released automatically. With no list loaded everything holds."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from compliance.aml import AmlDecision, evaluate
from compliance.sanctions import Screener
from fx.rates import RateUnavailable
from gateway.domain.outcomes import Advance, Outcome, Retry
from gateway.domain.screening import recipient_parties, screen_parties, sender_parties
from gateway.domain.states import Status, held_from, resume_after_hold
from gateway.errors import UseCaseError
from gateway.pipeline.aml_facts import gather_facts
from gateway.pipeline.common import Row, backoff, quote_of
from gateway.services import Services
from gateway.storage import remittances as rem_store
from gateway.storage.cases import open_case
from ledger_adapter.evm.items import item as chain_item
from ledger_adapter.evm.items import requeue
from ledger_adapter.sessions import reading

S = Status

# AML outcome -> (remittance state, case status). A rejected transfer's case is a closed
# record; a held one waits in the officers' queue.
AML_OUTCOMES: dict[str, tuple[Status, str]] = {
    "reject": (S.REJECTED, "closed"),
    "hold": (S.ON_HOLD, "open"),
}


async def start_screening(svc: Services, rem: Row) -> Outcome:
    """A transfer the travel rule covers without its data is held for it first (needs_info,
    asking for exactly what is missing); screening runs once the data is there."""
    from gateway.usecases.travel_hold import hold_if_missing

    try:
        held = await hold_if_missing(svc, rem)
    except UseCaseError as problem:  # no USD rate to tell whether the rule applies
        return Retry(backoff(rem.attempts), f"travel rule: {problem.detail}")
    return held or Advance(S.SCREENING, "screening started")


def case_effect(rem_id: str, status: str, risk: int, evidence: dict, version: str, now: Any):
    """Open the case in the same transaction as the hold."""

    async def write(conn: AsyncConnection) -> None:
        await open_case(
            conn, rem_id, status=status, risk=risk, evidence=evidence, list_version=version, now=now
        )

    return write


def _sanctions(screener: Screener, sender: Row, rem: Row) -> tuple[list[dict], list[str]]:
    """Hits on either party (as evidence) and the reasons they give to hold."""
    reasons = []
    if screener.entry_count == 0:
        reasons.append("no sanctions list loaded: screening fails closed")
    hits = screen_parties(screener, sender_parties(sender) + recipient_parties(rem))
    if hits:
        reasons.append("possible sanctions match")
    return hits, reasons


def _aml_reasons(decision: AmlDecision) -> list[str]:
    if decision.outcome == "pass":
        return []
    return [f"AML {decision.outcome}: {flag.reason}" for flag in decision.flags]


async def screen(svc: Services, rem: Row) -> Outcome:
    """Sanctions screening of both parties, then the AML rules; one case holds all evidence."""
    screener = svc.screening.current  # one version for the whole screening
    now = svc.now()
    sender = await svc.reads.sender_with_kyc.one(rem.sender_id)
    kyc = sender.kyc_fields or {}
    hits, reasons = _sanctions(screener, sender, rem)
    corridor = svc.corridors[rem.corridor_id]
    try:
        facts = await gather_facts(svc, rem, sender, kyc, corridor, now)
    except RateUnavailable as exc:
        return Retry(backoff(rem.attempts), f"no USD rate for AML: {exc}")
    decision = evaluate(facts, svc.aml_rules, now)
    reasons += _aml_reasons(decision)
    if not reasons:
        return Advance(S.QUOTED, f"screening passed (lists {screener.version})")
    to, case_status = AML_OUTCOMES.get(decision.outcome, AML_OUTCOMES["hold"])
    risk = max(
        decision.risk_score,
        max((int(h["score"] * 100) for h in hits), default=0),
        100 if screener.entry_count == 0 else 0,
    )
    evidence = {
        "sanctions": hits,
        "aml": decision.to_dict(),
        "reasons": reasons,
        "list_version": screener.version,
    }
    effect = case_effect(rem.id, case_status, risk, evidence, screener.version, now)
    return Advance(to, "; ".join(reasons)[:300], effects=(effect,))


async def resume_after_approval(svc: Services, rem: Row) -> Outcome:
    """Back where the hold took it. Held with the money in (a re-screening hit): the same
    state again, on the quote the funding locked (never requoted); withdrawn from its partner:
    refunded in full. Held before funding: quoted, or requote if the quote lapsed."""
    async with reading(svc.engine) as conn:
        frm = held_from(await rem_store.history(conn, rem.id))
        item = await chain_item(conn, rem.id)
    if frm is not None:
        coin_home = item is None or item.status == "dropped"
        again = rem.payout_status != "cancelled" and coin_home
        target = resume_after_hold(frm, can_send_again=again)
        if target == S.FAILED:
            return Advance(
                S.FAILED,
                "approved, but the instruction was withdrawn from the partner and cannot go "
                "again under its key: refunded in full, the sender may send again",
                {"failure_reason": "withdrawn_for_review"},
            )
        return Advance(
            target,
            f"approved; resumes {target} on the locked quote",
            {},
            (requeue_on_chain(rem.id),),
        )
    quote = await quote_of(svc, rem.quote_id)
    if quote.expires_at <= svc.now():
        return Advance(S.REQUOTE, "quote lapsed while on hold: the sender must accept a new one")
    return Advance(S.QUOTED, "approved; quote still valid")


def requeue_on_chain(remittance_id: str):
    """With the approval's transition: a coin dropped from its settlement batch by the hold
    goes back in the queue (nothing when it was never on chain)."""

    async def effect(conn: AsyncConnection) -> None:
        await requeue(conn, remittance_id)

    return effect

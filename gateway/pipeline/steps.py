"""One function per state a worker advances, as a table. Each step does its side effect
idempotently (ledger transfer ids, partner idempotency keys derived from the remittance id) and
returns an outcome; the worker commits it with its history row before anything else happens."""

from __future__ import annotations

from collections.abc import Iterable

from gateway.domain.outcomes import Advance
from gateway.domain.states import Status
from gateway.pipeline import funding, payout, screening
from gateway.pipeline.common import Step

S = Status

STEPS: dict[Status, Step] = {
    S.CREATED: screening.start_screening,
    S.SCREENING: screening.screen,
    S.APPROVED: screening.resume_after_approval,
    S.QUOTED: funding.await_funds,
    S.AWAITING_FUNDS: funding.fund,
    S.FUNDED: payout.convert,
    S.CONVERTED: payout.send_to_partner_ledger,
    S.IN_TRANSIT: payout.instruct_partner,
    S.PAYOUT_PENDING: payout.settle_payout,
    S.PAYOUT_UNKNOWN: payout.settle_payout,
    S.FAILED: payout.refund,
    S.CANCELLING: payout.withdraw,
    S.WITHDRAWING: payout.withdraw_for_hold,
}

# Fused runs (#28): the steps from these states never leave the gateway (no partner call, no
# chain broadcast, no webhook or bot message: those read committed rows), so a claim runs them
# one after another and commits the run once, every move with its history row, before
# anything leaves. Steps that decide (screening, the quote's expiry) and steps that move money
# in the ledger (under transfer ids derived from the remittance) do not share a run: a crash
# before the run's commit reruns it from its first state, and a step that moves money finds
# its own transfer already booked and goes on, where a decision made again (a new sanctions
# list, a lapsed quote) could contradict money already moved.
DECIDES: frozenset[Status] = frozenset({S.CREATED, S.SCREENING, S.APPROVED, S.QUOTED})
MOVES_MONEY: frozenset[Status] = frozenset({S.AWAITING_FUNDS, S.FUNDED, S.CONVERTED})
FUSES: frozenset[Status] = DECIDES | MOVES_MONEY


def goes_on(ran: Iterable[Status], outcome: Advance) -> bool:
    """Whether the step of `outcome.to` runs in the same run as the steps of `ran` (the states
    whose steps the run has run, the last of which gave `outcome`). A run ends at a state whose
    step may leave the gateway or waits, at a move with effects (rows a later step may read,
    committed first), and before a step that moves money after one that decided."""
    if outcome.effects or outcome.wait is not None or outcome.to not in FUSES:
        return False
    return outcome.to not in MOVES_MONEY or all(state in MOVES_MONEY for state in ran)

"""One function per state a worker advances, as a table. Each step does its side effect
idempotently (ledger transfer ids, partner idempotency keys derived from the remittance id) and
returns an outcome; the worker commits it with its history row before anything else happens."""

from __future__ import annotations

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

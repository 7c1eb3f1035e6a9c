"""The remittance state machine of DESIGN.md, as data: which transitions are legal, which states
are terminal, which a worker advances and which wait for someone else."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    CREATED = "created"
    SCREENING = "screening"
    ON_HOLD = "on_hold"
    NEEDS_INFO = "needs_info"
    APPROVED = "approved"
    REJECTED = "rejected"
    QUOTED = "quoted"
    REQUOTE = "requote"
    AWAITING_FUNDS = "awaiting_funds"
    EXPIRED = "expired"
    FUNDED = "funded"
    CONVERTED = "converted"
    IN_TRANSIT = "in_transit"
    PAYOUT_PENDING = "payout_pending"
    PAYOUT_UNKNOWN = "payout_unknown"
    PAID_OUT = "paid_out"
    FAILED = "failed"
    REFUNDED = "refunded"
    CANCELLED = "cancelled"
    # The sender cancelled after paying, within the regime's window: the instruction is being
    # withdrawn from the partner; then everything is refunded (cancelled), or the partner had
    # already paid (payout_unknown: the inquiry settles it as paid_out).
    CANCELLING = "cancelling"


S = Status

TRANSITIONS: dict[Status, frozenset[Status]] = {
    # needs_info: the travel rule covers it and data is missing (held before any screening).
    S.CREATED: frozenset({S.SCREENING, S.NEEDS_INFO, S.CANCELLED}),
    S.SCREENING: frozenset({S.QUOTED, S.ON_HOLD, S.REJECTED, S.REQUOTE}),
    S.ON_HOLD: frozenset({S.APPROVED, S.NEEDS_INFO, S.REJECTED}),
    # The sender's answer goes back to the officers (on_hold), never through screening again:
    # a hold ends only by an officer's decision. Screening only for a transfer held for
    # travel-rule data before it was ever screened, with no compliance case (the use case
    # checks: gateway.usecases.travel_hold).
    S.NEEDS_INFO: frozenset({S.ON_HOLD, S.REJECTED, S.SCREENING}),
    S.APPROVED: frozenset({S.QUOTED, S.REQUOTE}),
    # A list version loaded later may hit a party of a screened transfer: until money moves it
    # can still be held for the officers (re-screening, gateway/usecases/rescreening.py).
    S.QUOTED: frozenset({S.AWAITING_FUNDS, S.REQUOTE, S.CANCELLED, S.ON_HOLD}),
    # The sender accepts a new quote offered to this remittance (POST .../accept-quote), or
    # cancels. Back to quoted, never to screening: the screening result or approval stands.
    S.REQUOTE: frozenset({S.QUOTED, S.CANCELLED, S.ON_HOLD}),
    S.AWAITING_FUNDS: frozenset({S.FUNDED, S.EXPIRED, S.CANCELLED, S.ON_HOLD}),
    # A conversion that cannot be priced (no fresh rate for the coin) fails, to be refunded in
    # full, instead of holding the sender's money in `funded` until a rate comes back.
    S.FUNDED: frozenset({S.CONVERTED, S.FAILED}),
    S.CONVERTED: frozenset({S.IN_TRANSIT}),
    # A partner may refuse an instruction outright (failed); a timeout is never a failure.
    S.IN_TRANSIT: frozenset({S.PAYOUT_PENDING, S.PAYOUT_UNKNOWN, S.FAILED, S.CANCELLING}),
    S.PAYOUT_PENDING: frozenset({S.PAID_OUT, S.PAYOUT_UNKNOWN, S.FAILED, S.CANCELLING}),
    S.CANCELLING: frozenset({S.CANCELLED, S.PAYOUT_UNKNOWN}),
    # The inquiry settles an unknown payout; "never received" lets the same instruction go again.
    S.PAYOUT_UNKNOWN: frozenset({S.PAID_OUT, S.FAILED, S.PAYOUT_PENDING, S.IN_TRANSIT}),
    S.FAILED: frozenset({S.REFUNDED}),
    S.PAID_OUT: frozenset(),
    S.REFUNDED: frozenset(),
    S.REJECTED: frozenset(),
    S.EXPIRED: frozenset(),
    S.CANCELLED: frozenset(),
}

TERMINAL: frozenset[Status] = frozenset(s for s, targets in TRANSITIONS.items() if not targets)

# States a pipeline worker advances on its own. The others wait for a person or a partner:
# on_hold and needs_info (compliance, sender), requote (sender accepts a new quote).
AUTOMATIC: frozenset[Status] = frozenset(
    {
        S.CREATED,
        S.SCREENING,
        S.APPROVED,
        S.QUOTED,
        S.AWAITING_FUNDS,
        S.FUNDED,
        S.CONVERTED,
        S.IN_TRANSIT,
        S.PAYOUT_PENDING,
        S.PAYOUT_UNKNOWN,
        S.FAILED,
        S.CANCELLING,
    }
)

# Before money moved the sender may cancel outright.
CANCELLABLE: frozenset[Status] = frozenset(
    s for s, targets in TRANSITIONS.items() if S.CANCELLED in targets and s != S.CANCELLING
)
# After paying, within the regime's window, while the recipient is not yet paid.
CANCELLABLE_AFTER_PAYMENT: frozenset[Status] = frozenset(
    s for s, targets in TRANSITIONS.items() if S.CANCELLING in targets
)
# Screened, not yet funded: a re-screening hit holds these (the money has not moved).
HOLDABLE_AFTER_SCREENING: frozenset[Status] = frozenset(
    s for s, targets in TRANSITIONS.items() if S.ON_HOLD in targets and s != S.SCREENING
) - {S.NEEDS_INFO}
# Paid, but moving on by itself within one worker claim: a cancel waits a moment and retries.
MOVING_ON: frozenset[Status] = frozenset({S.FUNDED, S.CONVERTED})


class IllegalTransition(Exception):
    def __init__(self, current: str, target: str) -> None:
        super().__init__(f"illegal transition {current} -> {target}")
        self.current = current
        self.target = target


def check_transition(current: str, target: str) -> Status:
    """Return the target state if the table allows current -> target, else raise."""
    try:
        src, dst = Status(current), Status(target)
    except ValueError as exc:
        raise IllegalTransition(current, target) from exc
    if dst not in TRANSITIONS[src]:
        raise IllegalTransition(current, target)
    return dst

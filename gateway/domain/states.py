"""The remittance state machine of DESIGN.md, as data: which transitions are legal, which states
are terminal, which a worker advances and which wait for someone else."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Any, TypeVar


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
    # A re-screening hit on a transfer already instructed to its partner: the instruction is
    # being withdrawn, to hold it for the officers (on_hold), or the partner had already paid
    # (payout_unknown: the inquiry settles it as paid_out, reported as too late).
    WITHDRAWING = "withdrawing"


S = Status

TRANSITIONS: dict[Status, frozenset[Status]] = {
    # needs_info: the travel rule covers it and data is missing (held before any screening).
    S.CREATED: frozenset({S.SCREENING, S.NEEDS_INFO, S.CANCELLED}),
    S.SCREENING: frozenset({S.QUOTED, S.ON_HOLD, S.REJECTED, S.REQUOTE}),
    # failed: the officers reject a transfer held after its money was taken (a re-screening
    # hit on a funded one): the refund step returns all of it (failed -> refunded).
    S.ON_HOLD: frozenset({S.APPROVED, S.NEEDS_INFO, S.REJECTED, S.FAILED}),
    # The sender's answer goes back to the officers (on_hold), never through screening again:
    # a hold ends only by an officer's decision. Screening only for a transfer held for
    # travel-rule data before it was ever screened, with no compliance case (the use case
    # checks: gateway.usecases.travel_hold).
    S.NEEDS_INFO: frozenset({S.ON_HOLD, S.REJECTED, S.SCREENING, S.FAILED}),
    # An approval resumes where the hold took the transfer: before funding, quoted (requote if
    # the quote lapsed); held funded or converted, the same state again (the locked quote was
    # used by the funding and is honoured, never requoted); withdrawn from its partner,
    # in_transit if the partner never had the instruction, else refunded (failed): a cancelled
    # instruction cannot go again under its idempotency key.
    S.APPROVED: frozenset({S.QUOTED, S.REQUOTE, S.FUNDED, S.CONVERTED, S.IN_TRANSIT, S.FAILED}),
    # A list version loaded later may hit a party of a screened transfer: until money moves it
    # can still be held for the officers (re-screening, gateway/usecases/rescreening.py).
    S.QUOTED: frozenset({S.AWAITING_FUNDS, S.REQUOTE, S.CANCELLED, S.ON_HOLD}),
    # The sender accepts a new quote offered to this remittance (POST .../accept-quote), or
    # cancels. Back to quoted, never to screening: the screening result or approval stands.
    S.REQUOTE: frozenset({S.QUOTED, S.CANCELLED, S.ON_HOLD}),
    S.AWAITING_FUNDS: frozenset({S.FUNDED, S.EXPIRED, S.CANCELLED, S.ON_HOLD}),
    # A conversion that cannot be priced (no fresh rate for the coin) fails, to be refunded in
    # full, instead of holding the sender's money in `funded` until a rate comes back.
    # on_hold: a re-screening hit after the money came in and before anything reached the
    # partner (rescreening holds it only while no worker leases it).
    S.FUNDED: frozenset({S.CONVERTED, S.FAILED, S.ON_HOLD}),
    S.CONVERTED: frozenset({S.IN_TRANSIT, S.ON_HOLD}),
    # A partner may refuse an instruction outright (failed); a timeout is never a failure.
    # withdrawing: a re-screening hit once the partner has the instruction.
    S.IN_TRANSIT: frozenset(
        {S.PAYOUT_PENDING, S.PAYOUT_UNKNOWN, S.FAILED, S.CANCELLING, S.WITHDRAWING}
    ),
    S.PAYOUT_PENDING: frozenset(
        {S.PAID_OUT, S.PAYOUT_UNKNOWN, S.FAILED, S.CANCELLING, S.WITHDRAWING}
    ),
    S.CANCELLING: frozenset({S.CANCELLED, S.PAYOUT_UNKNOWN}),
    # The partner confirmed the withdrawal (on_hold, the coin still reserved to it), or had
    # already paid (payout_unknown, settled by the inquiry as paid_out: too late to hold), or
    # is a pull partner that took the payout on meanwhile (payout_pending: too late as well).
    S.WITHDRAWING: frozenset({S.ON_HOLD, S.PAYOUT_UNKNOWN, S.PAYOUT_PENDING}),
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
        S.WITHDRAWING,
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
# Screened, nothing instructed to the partner yet: a re-screening hit holds these at once
# (quoted, requote, awaiting_funds: no money moved; funded, converted: money in, none out).
HOLDABLE_AFTER_SCREENING: frozenset[Status] = frozenset(
    s for s, targets in TRANSITIONS.items() if S.ON_HOLD in targets
) - {S.SCREENING, S.NEEDS_INFO, S.WITHDRAWING}
# Instructed: a re-screening hit first withdraws the instruction from the partner.
WITHDRAWABLE_FOR_HOLD: frozenset[Status] = frozenset(
    s for s, targets in TRANSITIONS.items() if S.WITHDRAWING in targets
)
# Where a hold may find the sender's money taken: rejecting (or, after a withdrawal,
# approving) it refunds through failed -> refunded.
MONEY_TAKEN_ON_HOLD: frozenset[Status] = frozenset({S.FUNDED, S.CONVERTED, S.WITHDRAWING})


def resume_after_hold(held: Status, *, can_send_again: bool) -> Status:
    """What an approval resumes for a hold that found the money taken: funded and converted
    go on from where they were; a transfer taken back from its partner goes in_transit again
    when the instruction can go again under its idempotency key (the partner never had it, or
    a pull partner had not taken it on, and its coin is home), else it is refunded (failed)."""
    if held == S.WITHDRAWING:
        return S.IN_TRANSIT if can_send_again else S.FAILED
    return held


def held_from(history: Iterable[Any]) -> Status | None:
    """The state the remittance's latest hold took it from, when that hold found money taken
    (funded, converted, withdrawing); None for a hold before funding. A hold's round trips
    through needs_info keep the state the hold first came from."""
    for row in reversed(list(history)):
        if row.to_status == S.ON_HOLD and row.from_status != S.NEEDS_INFO:
            frm = Status(row.from_status)
            return frm if frm in MONEY_TAKEN_ON_HOLD else None
    return None


# Paid, but moving on by itself within one worker claim: a cancel waits a moment and retries.
MOVING_ON: frozenset[Status] = frozenset({S.FUNDED, S.CONVERTED})


class IllegalTransition(Exception):
    def __init__(self, current: str, target: str) -> None:
        super().__init__(f"illegal transition {current} -> {target}")
        self.current = current
        self.target = target


E = TypeVar("E", bound=StrEnum)


def check_in(table: Mapping[E, frozenset[E]], states: type[E], current: str, target: str) -> E:
    """Return the target state if `table` (of `states`) allows current -> target, else raise.
    Every state machine kept as data checks with it: the remittance's, the pay-in's
    (gateway.domain.payin_states), the bot conversation's (gateway.bots.conversation.states)."""
    try:
        src, dst = states(current), states(target)
    except ValueError as exc:
        raise IllegalTransition(current, target) from exc
    if dst not in table[src]:
        raise IllegalTransition(current, target)
    return dst


def check_transition(current: str, target: str) -> Status:
    """Return the target state if the table allows current -> target, else raise."""
    return check_in(TRANSITIONS, Status, current, target)

"""The pay-in's states as data, like the remittance's (gateway/domain/states.py): where a
credited pay-in landed, and which operator's or sender's action may move it on. Checked by
the compare-and-set that moves a pay-in (gateway/storage/payins.py)."""

from __future__ import annotations

from enum import StrEnum

from gateway.domain.states import check_in


class PayinStatus(StrEnum):
    # A card authorisation: it moves no money until its capture is matched.
    AUTHORIZED = "authorized"
    # Where the matching put the money (gateway.domain.payins.match).
    CREDITED = "credited"  # a customer's wallet
    SUSPENSE = "suspense"  # ours, not attributed yet (unknown reference, wrong currency)
    # An operator's action on a suspense pay-in.
    RESOLVED = "resolved"  # credited to a customer
    RETURNING = "returning"  # the partner is asked to send it back
    RETURNED = "returned"
    # The sender's refund to source (only methods that can return money).
    REFUND_PENDING = "refund_pending"
    REFUNDED = "refunded"


P = PayinStatus

#: A return is done only when the partner confirms it: `returning` holds it until then, and a
#: retry from `returning` asks the partner again with the same return id (returned once).
#: A refund to source claims the pay-in (refund_pending) before the wallet is debited, and
#: goes back to where it was when the wallet no longer holds the amount.
TRANSITIONS: dict[PayinStatus, frozenset[PayinStatus]] = {
    P.AUTHORIZED: frozenset({P.CREDITED, P.SUSPENSE}),
    P.SUSPENSE: frozenset({P.RESOLVED, P.RETURNING}),
    P.RETURNING: frozenset({P.RETURNED}),
    P.RETURNED: frozenset(),
    P.CREDITED: frozenset({P.REFUND_PENDING}),
    P.RESOLVED: frozenset({P.REFUND_PENDING}),
    P.REFUND_PENDING: frozenset({P.REFUNDED, P.CREDITED, P.RESOLVED}),
    P.REFUNDED: frozenset(),
}

#: Pay-ins whose money is (or was) the customer's; suspense ones are nobody's yet.
CUSTOMER_MONEY: tuple[PayinStatus, ...] = (P.CREDITED, P.RESOLVED, P.REFUND_PENDING, P.REFUNDED)


def check_transition(current: str, target: str) -> PayinStatus:
    """Return the target state if the table allows current -> target, else raise."""
    return check_in(TRANSITIONS, PayinStatus, current, target)

"""Error-resolution cases as data (12 CFR 1005.33 and the like): which officer action moves a
case where, and which remedies close it. Pure: no I/O, tested without a database."""

from __future__ import annotations

from dataclasses import dataclass

# open -> acknowledged -> investigating -> resolved (with a remedy, or a finding of no error).
MOVES: dict[tuple[str, str], str] = {
    ("open", "acknowledge"): "acknowledged",
    ("acknowledged", "investigate"): "investigating",
    ("investigating", "resolve"): "resolved",
}
ACTIONS = ("acknowledge", "investigate", "resolve")
STATUSES = ("open", "acknowledged", "investigating", "resolved")
OPEN_STATUSES = ("open", "acknowledged", "investigating")
# refund: money back to the sender's wallet; resend: the amount delivered again at no cost to
# the sender; no_error: the investigation found none (the sender is told why).
REMEDIES = ("refund", "resend", "no_error")


class ErrorMoveRefused(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class Remedy:
    """What the provider owes the sender: a refund of `amount_minor` (send currency), a resend
    of the original transfer at no cost, or nothing (no error found)."""

    kind: str
    amount_minor: int = 0


def next_status(status: str, action: str) -> str:
    """The case's status after `action`, or ErrorMoveRefused naming why not."""
    target = MOVES.get((status, action))
    if target is None:
        if status == "resolved":
            raise ErrorMoveRefused("error-case-resolved", "the case is already resolved")
        raise ErrorMoveRefused(
            "error-case-order",
            f"a case that is {status} cannot be {action}d "
            "(acknowledge, then investigate, then resolve)",
        )
    return target


def remedy_for(
    kind: str, send_amount_minor: int, amount_minor: int | None, remittance_status: str
) -> Remedy:
    """Check a remedy against the remittance: a refund is at most what the sender paid (fee
    included; the default is all of it); refund and resend need a payout that settled (paid
    out), since a transfer still running or already refunded has nothing to remedy by money."""
    if kind not in REMEDIES:
        raise ErrorMoveRefused("remedy-unknown", f"remedy must be one of {', '.join(REMEDIES)}")
    if kind == "no_error":
        if amount_minor:
            raise ErrorMoveRefused("remedy-amount", "a finding of no error moves no money")
        return Remedy("no_error")
    if remittance_status != "paid_out":
        raise ErrorMoveRefused(
            "remedy-needs-payout",
            f"the remittance is {remittance_status}: a {kind} remedies a paid-out transfer; "
            "wait until it settles (a failed or cancelled one is refunded by the pipeline)",
        )
    if kind == "resend":
        if amount_minor:
            raise ErrorMoveRefused("remedy-amount", "a resend sends the original amount again")
        return Remedy("resend")
    amount = send_amount_minor if amount_minor is None else amount_minor
    if not 0 < amount <= send_amount_minor:
        raise ErrorMoveRefused(
            "remedy-amount", "a refund is more than zero and at most what the sender paid"
        )
    return Remedy("refund", amount)

"""Pay-in matching and its ledger transfers. Pure: the use case loads the reference and the
remittance, this decides where the money goes, and the transfer ids derive from the partner's
pay-in id so a duplicate callback repeats the same transfer and the ledger ignores it.

Every matched pay-in lands in the sender's wallet; the wallet-funding step then takes exactly the
send amount. Over-payment therefore stays in the wallet, an under-payment waits there until the
remittance expires, and money for an expired remittance is simply the sender's again."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ledger_adapter import chart
from ledger_adapter.port import Account, AccountFlags, TransferSpec

# Remittance states in which a pay-in to its reference still funds it.
FUNDABLE = frozenset({"created", "screening", "quoted", "awaiting_funds", "on_hold", "approved"})


def suspense(currency: str) -> str:
    """Money we hold but cannot attribute yet (unknown reference, wrong currency)."""
    return f"suspense:{currency}"


def receivable(partner_id: str, currency: str) -> str:
    """What a pay-in partner has collected for us and owes at settlement (debit-normal)."""
    return f"payin:{partner_id}:{currency}"


def accounts_for(partner_id: str, currency: str, customer_id: str | None) -> list[Account]:
    accounts = [
        Account(receivable(partner_id, currency), currency),
        Account(suspense(currency), currency, AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS),
    ]
    if customer_id is not None:
        accounts.append(chart.wallet_account(customer_id, currency))
    return accounts


@dataclass(frozen=True, slots=True)
class Match:
    """Where a credited pay-in goes: a customer's wallet, or suspense with the reason."""

    customer_id: str | None
    remittance_id: str | None
    reason: str
    late: bool = False

    @property
    def status(self) -> str:
        return "credited" if self.customer_id else "suspense"


def match(ref: Any | None, currency: str, remittance_status: str | None) -> Match:
    """`ref` is the payin_references row (None: unknown or check digits wrong)."""
    if ref is None:
        return Match(None, None, "unknown reference")
    if ref.currency != currency:
        return Match(
            None, ref.remittance_id, f"paid in {currency}, reference is for {ref.currency}"
        )
    if ref.remittance_id is None:
        return Match(ref.customer_id, None, "wallet top-up")
    if remittance_status in FUNDABLE:
        return Match(ref.customer_id, ref.remittance_id, "matched to remittance")
    return Match(
        ref.customer_id,
        ref.remittance_id,
        f"arrived when the remittance was {remittance_status}: credited to the wallet",
        late=True,
    )


def credit(payin_id: str, partner_id: str, amount: int, currency: str, m: Match) -> TransferSpec:
    target = chart.wallet(m.customer_id, currency) if m.customer_id else suspense(currency)
    return TransferSpec(
        f"payin:{payin_id}",
        receivable(partner_id, currency),
        target,
        amount,
        currency,
        code="payin",
    )


def release(payin_id: str, amount: int, currency: str, customer_id: str) -> TransferSpec:
    """An operator attributes a suspense pay-in to a customer."""
    return TransferSpec(
        f"payin-resolve:{payin_id}",
        suspense(currency),
        chart.wallet(customer_id, currency),
        amount,
        currency,
        code="payin-resolve",
    )


def give_back(
    payin_id: str, partner_id: str, amount: int, currency: str, customer_id: str | None
) -> TransferSpec:
    """Money returned through the partner it came from: from a wallet (the sender asked for a
    refund to source) or, with no customer, from suspense (an operator returns an unattributable
    pay-in). Separate ids: a suspense pay-in released to a wallet may later be refunded."""
    source = chart.wallet(customer_id, currency) if customer_id else suspense(currency)
    kind = "payin-refund" if customer_id else "payin-return"
    return TransferSpec(
        f"{kind}:{payin_id}",
        source,
        receivable(partner_id, currency),
        amount,
        currency,
        code=kind,
    )


#: Pay-in statuses an operator's or sender's action moves between (a state machine as data).
#: A return is done only when the partner confirms it: `returning` holds it until then, and a
#: retry from `returning` asks the partner again with the same return id (returned once).
PAYIN_MOVES: dict[str, frozenset[str]] = {
    "suspense": frozenset({"resolved", "returning"}),
    "returning": frozenset({"returned"}),
    "returned": frozenset(),
    "credited": frozenset({"refund_pending"}),
    "resolved": frozenset({"refund_pending"}),
    "refund_pending": frozenset({"refunded", "credited", "resolved"}),
    "refunded": frozenset(),
}


def may_move(frm: str, to: str) -> bool:
    return to in PAYIN_MOVES.get(frm, frozenset())

"""Pay-in matching and its ledger transfers. Pure: the use case loads the reference and the
remittance, this decides where the money goes, and the transfer ids derive from the partner's
pay-in id so a duplicate callback repeats the same transfer and the ledger ignores it.

Every matched pay-in lands in the sender's wallet; the wallet-funding step then takes exactly the
send amount. Over-payment therefore stays in the wallet, an under-payment waits there until the
remittance expires, and money for an expired remittance is simply the sender's again. The accounts
(`payin:`, `suspense:`) and the transfers are the chart's (ledger_adapter.chart); this module
picks which, and their ids."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ledger_adapter import chart
from ledger_adapter.port import Account, TransferSpec

# Remittance states in which a pay-in to its reference still funds it.
FUNDABLE = frozenset({"created", "screening", "quoted", "awaiting_funds", "on_hold", "approved"})


def accounts_for(partner_id: str, currency: str, customer_id: str | None) -> list[Account]:
    return chart.payin_accounts(partner_id, currency, customer_id)


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
    """The matched wallet, or suspense with no customer."""
    return chart.payin_credit(f"payin:{payin_id}", partner_id, amount, currency, m.customer_id)


def release(payin_id: str, amount: int, currency: str, customer_id: str) -> TransferSpec:
    """An operator attributes a suspense pay-in to a customer."""
    return chart.payin_release(f"payin-resolve:{payin_id}", amount, currency, customer_id)


def give_back(
    payin_id: str, partner_id: str, amount: int, currency: str, customer_id: str | None
) -> TransferSpec:
    """Money returned through the partner it came from: from a wallet (the sender asked for a
    refund to source) or, with no customer, from suspense (an operator returns an unattributable
    pay-in). Separate ids: a suspense pay-in released to a wallet may later be refunded."""
    kind = "payin-refund" if customer_id else "payin-return"
    return chart.payin_give_back(
        f"{kind}:{payin_id}", partner_id, amount, currency, customer_id, code=kind
    )

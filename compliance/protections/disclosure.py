"""The pre-payment disclosure (and the receipt's money part): what the sender pays, what arrives.

Pure: built from a priced quote and the regime; the gateway adds it to every actionable quote.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from compliance.protections.regimes import Provider, Regime
from fx.money import Money


@dataclass(frozen=True, slots=True)
class Disclosure:
    regime: Regime
    provider: Provider
    transfer_amount: Money  # what is converted, in the send currency
    fees: Money  # the provider's fees, in the send currency
    taxes: Money  # taxes the provider collects, in the send currency
    total: Money  # what the sender pays
    rate: Decimal  # receive units per send unit
    covered_third_party_fees: Money  # in the receive currency, deducted before payout
    receive_amount: Money  # what the recipient gets, in the receive currency
    covered: bool

    def to_dict(self) -> dict[str, Any]:
        regime = self.regime
        return {
            "regime": regime.name,
            "regime_title": regime.title,
            "rule": regime.disclosure_rule,
            "covered": self.covered,
            "coverage_threshold": _text(regime.coverage_threshold.get(self.total.currency)),
            "not_covered_reason": None
            if self.covered
            else (
                f"transfers of {regime.coverage_threshold[self.total.currency]} "
                f"{self.total.currency} or less are not covered by {regime.title}"
            ),
            "transfer_amount": str(self.transfer_amount),
            "fees": str(self.fees),
            "taxes": str(self.taxes),
            "total": str(self.total),
            "send_currency": self.total.currency,
            "exchange_rate": str(self.rate),
            "covered_third_party_fees": str(self.covered_third_party_fees),
            "amount_received": str(self.receive_amount),
            "receive_currency": self.receive_amount.currency,
            "statement": dict(regime.statement),
            "provider": {
                "name": self.provider.name,
                "phone": self.provider.phone,
                "website": self.provider.website,
            },
        }


def _text(amount: Decimal | None) -> str | None:
    return None if amount is None else str(amount)


def disclose(
    regime: Regime,
    provider: Provider,
    *,
    send_amount: Money,
    fee: Money,
    receive_amount: Money,
    rate: Decimal,
) -> Disclosure:
    """`send_amount` is what the sender pays, fee included (the gateway's quotes are priced so);
    the provider collects no taxes and no third party takes a cut before payout, so both are
    disclosed as zero rather than left out."""
    return Disclosure(
        regime=regime,
        provider=provider,
        transfer_amount=send_amount - fee,
        fees=fee,
        taxes=Money.zero(send_amount.currency),
        total=send_amount,
        rate=rate,
        covered_third_party_fees=Money.zero(receive_amount.currency),
        receive_amount=receive_amount,
        covered=regime.covered(send_amount.currency, (send_amount - fee).amount),
    )

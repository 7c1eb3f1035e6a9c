"""The travel rule (FATF R16, 31 CFR 1010.410(f), EU TFR 2023/1113): which remittances must
carry originator and beneficiary data, and what exactly is missing. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from compliance.protections.regimes import Regime


@dataclass(frozen=True, slots=True)
class Missing:
    field: str  # "sender.address", "recipient.account", ...
    message: str


def applies(
    regime: Regime, currency: str, amount: Decimal, usd_amount: Decimal, coin: bool
) -> bool:
    """At or above the regime's threshold (in the send currency, else its USD figure); a
    stablecoin-settled transfer at any amount where the regime says so (EU TFR Art. 14)."""
    if coin and regime.travel_crypto_any_amount:
        return True
    if currency in regime.travel_threshold:
        return amount >= regime.travel_threshold[currency]
    if "USD" in regime.travel_threshold:
        return usd_amount >= regime.travel_threshold["USD"]
    return False


def _given(data: Mapping[str, Any], key: str) -> bool:
    value = data.get(key)
    return value is not None and str(value).strip() != ""


def missing(
    regime: Regime, originator: Mapping[str, Any], beneficiary: Mapping[str, Any]
) -> list[Missing]:
    """Every field the regime needs and the data lacks, named as the sender must give it."""
    out = [
        Missing(f"sender.{key}", f"{regime.travel_rule} requires the sender's {key}")
        for key in regime.originator_required
        if not _given(originator, key)
    ]
    groups = regime.originator_one_of
    if groups and not any(all(_given(originator, k) for k in group) for group in groups):
        choices = " or ".join(" and ".join(group) for group in groups)
        for key in groups[0]:
            out.append(
                Missing(f"sender.{key}", f"{regime.travel_rule} requires the sender's {choices}")
            )
    out += [
        Missing(f"recipient.{key}", f"{regime.travel_rule} requires the recipient's {key}")
        for key in regime.beneficiary_required
        if not _given(beneficiary, key)
    ]
    return out

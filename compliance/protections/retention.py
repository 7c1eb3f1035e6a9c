"""How long the law keeps a person's records, per regime, and what an erasure request may erase
now. Plain data and date arithmetic: the gateway's erasure use case applies it.

Identity (KYC) records are kept `kyc_retention_years` after the relationship ends; transfer and
travel-rule records `transfer_retention_years` after each transfer. Contact and convenience data
(phone, chat conversations, saved recipients) no law keeps: erased on request at once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from compliance.protections.regimes import Regime

# Erased at once on request: nothing requires keeping them.
ERASED_ON_REQUEST = ("phone", "bot_conversations", "bot_saved_recipients", "bot_actions")
# Identity records the law keeps after the relationship ends.
KYC_RECORDS = (
    "name",
    "birth_date",
    "external_id",
    "kyc_fields",
    "former_identities",
    "identity_changes",
)
# Kept per transfer.
TRANSFER_RECORDS = ("recipient", "travel_rule_record", "case_evidence", "case_information")


def _years(at: datetime, years: int) -> datetime:
    """`years` after `at`, as a calendar date would say (29 February -> 28 February)."""
    try:
        return at.replace(year=at.year + years)
    except ValueError:
        return at.replace(year=at.year + years, day=28)


def kyc_keep_until(regime: Regime, ended_at: datetime) -> datetime:
    return _years(ended_at, regime.kyc_retention_years)


def transfer_keep_until(regime: Regime, transfer_at: datetime) -> datetime:
    return _years(transfer_at, regime.transfer_retention_years)


@dataclass(frozen=True, slots=True)
class Kept:
    """Records an erasure left in place, why and until when."""

    what: str
    fields: tuple[str, ...]
    until: datetime
    rule: str

    def to_dict(self) -> dict:
        return {
            "what": self.what,
            "fields": list(self.fields),
            "until": self.until.isoformat(),
            "rule": self.rule,
        }


def oldest_transfer_cutoff(regimes: list[Regime], now: datetime) -> datetime:
    """Transfers before this may be past retention under some regime (a cheap first filter)."""
    shortest = min(r.transfer_retention_years for r in regimes)
    return now - timedelta(days=365 * shortest - 2)

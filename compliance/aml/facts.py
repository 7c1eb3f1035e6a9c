"""What the rules look at: the transfer and the history around it, as plain data. The gateway
gathers these from its database (loading history back `RuleSet.history_window()`); the rules
never query anything themselves, so they can be tested and replayed exactly."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal


def _require_decimal(value: object, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, Decimal) or not value.is_finite():
        raise TypeError(f"{name} must be a finite Decimal (never a float), got {value!r}")


def _require_aware(value: datetime, name: str) -> None:
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise TypeError(f"{name} must be a timezone-aware datetime, got {value!r}")


@dataclass(frozen=True)
class PastTransfer:
    """An earlier remittance: who sent it to whom, how much (USD) and when (UTC aware)."""

    amount_usd: Decimal
    at: datetime
    recipient_key: str = ""
    sender_id: str = ""

    def __post_init__(self) -> None:
        _require_decimal(self.amount_usd, "PastTransfer.amount_usd")
        _require_aware(self.at, "PastTransfer.at")


@dataclass(frozen=True, kw_only=True)
class TransferFacts:
    """The transfer being screened and its context.

    - `amount_usd`: the send amount valued in USD; `send_amount`/`send_currency` the same in
      the sender's currency (used for the EUR travel-rule threshold and round amounts).
    - `originator_fields` / `beneficiary_fields`: names of the details present and non-empty
      (vocabulary: name, account_number, address, national_id, customer_id, birth_date,
      birth_place, transaction_reference).
    - `sender_history`: the sender's earlier remittances (any recipient) inside the history
      window, this one excluded. `recipient_history`: earlier remittances to this recipient
      (any sender, `sender_id` set) inside the window, this one excluded.
    - `recipient_is_new`: the sender has never sent to this recipient before (all time).
    - `other_countries`: further countries tied to the parties (nationality, the
      beneficiary's bank), checked against the high-risk list.
    """

    amount_usd: Decimal
    send_country: str
    receive_country: str
    sender_id: str
    recipient_key: str
    originator_fields: frozenset[str] = frozenset()
    beneficiary_fields: frozenset[str] = frozenset()
    sender_history: tuple[PastTransfer, ...] = ()
    recipient_history: tuple[PastTransfer, ...] = ()
    recipient_is_new: bool = False
    send_amount: Decimal | None = None
    send_currency: str | None = None
    other_countries: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _require_decimal(self.amount_usd, "amount_usd")
        if self.amount_usd <= 0:
            raise ValueError("amount_usd must be positive")
        if self.send_amount is not None:
            _require_decimal(self.send_amount, "send_amount")
            if not self.send_currency:
                raise ValueError("send_currency is required with send_amount")
        # Accept any iterable of names or transfers, store immutable forms.
        for name in ("originator_fields", "beneficiary_fields"):
            object.__setattr__(self, name, frozenset(getattr(self, name)))
        for name in ("sender_history", "recipient_history", "other_countries"):
            object.__setattr__(self, name, tuple(getattr(self, name)))

    def countries(self) -> tuple[str, ...]:
        """Every country tied to this transfer, upper-cased, without repeats."""
        seen = (self.send_country, self.receive_country, *self.other_countries)
        return tuple(dict.fromkeys(c.upper() for c in seen if c))

"""The pure limit check. The gateway sums what the sender already sent inside the same
database transaction that records the new transfer (so two concurrent sends cannot both
squeeze under a limit); this module only decides, exactly, with Decimal arithmetic."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, Inexact, localcontext
from typing import Literal

from compliance.kyc.tiers import Tier, tier_order

LimitName = Literal["per_transfer", "per_day", "per_30d"]

# limit name -> (tier attribute, which prior total is added to the amount, wording)
LIMITS: tuple[tuple[LimitName, str, str | None, str], ...] = (
    ("per_transfer", "per_transfer_usd", None, "per transfer"),
    ("per_day", "per_day_usd", "sent_24h_usd", "in 24 hours"),
    ("per_30d", "per_30d_usd", "sent_30d_usd", "in 30 days"),
)


@dataclass(frozen=True)
class LimitBreach:
    """A limit the transfer would exceed: the limit, and the total it would reach."""

    limit: LimitName
    limit_usd: Decimal
    would_be_usd: Decimal
    reason: str

    def to_dict(self) -> dict[str, str]:
        """JSON-friendly form (amounts as strings)."""
        return {
            "limit": self.limit,
            "limit_usd": str(self.limit_usd),
            "would_be_usd": str(self.would_be_usd),
            "reason": self.reason,
        }


def _amount(value: object, name: str, *, positive: bool) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
        raise TypeError(f"{name} must be a Decimal (never a float), got {type(value).__name__}")
    number = Decimal(value)
    if not number.is_finite() or number < 0 or (positive and number == 0):
        raise ValueError(
            f"{name} must be a finite {'positive' if positive else 'non-negative'}"
            f" amount, got {value}"
        )
    return number


def check_limits(
    tier: Tier, amount_usd: Decimal, sent_24h_usd: Decimal, sent_30d_usd: Decimal
) -> list[LimitBreach]:
    """Every limit of `tier` that `amount_usd` would exceed, given what was already sent in
    the last 24 hours and 30 days (not counting this transfer). Reaching a limit exactly is
    allowed; an empty list means the transfer fits. Apply a corridor's overrides first with
    `tier.for_corridor(corridor_id)`."""
    prior = {
        "sent_24h_usd": _amount(sent_24h_usd, "sent_24h_usd", positive=False),
        "sent_30d_usd": _amount(sent_30d_usd, "sent_30d_usd", positive=False),
    }
    amount = _amount(amount_usd, "amount_usd", positive=True)
    breaches = []
    with localcontext() as ctx:
        ctx.prec = 400  # wide enough that sums of any realistic amounts are exact
        ctx.traps[Inexact] = True  # a rounded sum could hide a breach: fail loudly instead
        for limit, attribute, prior_key, wording in LIMITS:
            limit_usd: Decimal = getattr(tier, attribute)
            would_be = amount + prior[prior_key] if prior_key else amount
            if would_be > limit_usd:
                breaches.append(
                    LimitBreach(
                        limit=limit,
                        limit_usd=limit_usd,
                        would_be_usd=would_be,
                        reason=(
                            f"tier {tier.name} allows USD {limit_usd} {wording}; "
                            f"{'the total would be' if prior_key else 'this transfer is'}"
                            f" USD {would_be}"
                        ),
                    )
                )
    return breaches


def lowest_tier_allowing(
    tiers: Mapping[str, Tier],
    amount_usd: Decimal,
    sent_24h_usd: Decimal,
    sent_30d_usd: Decimal,
    corridor: str | None = None,
) -> Tier | None:
    """The lowest tier under which the transfer fits (to tell a sender what to verify to send
    it); None if no tier allows it."""
    for tier in tier_order(tiers):
        if not check_limits(tier.for_corridor(corridor), amount_usd, sent_24h_usd, sent_30d_usd):
            return tier
    return None

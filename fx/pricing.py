"""Firm quotes: spread, fee schedule, rounding that never promises more than is paid.

Semantics (docs/contracts.md): `send_amount` is the total debited and includes the fee (in the
send currency); `send_amount - fee` is converted at the customer `rate` (the mid-market rate
less the spread, rounded down) and the result rounds down to the receive currency's minor
unit. Fees round up. From the receive side, the quote is the smallest send_amount whose result
is at least the requested receive_amount. Everything here is pure: `now` and the `Rate` come in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_CEILING, ROUND_DOWN, ROUND_HALF_EVEN, Context, Decimal
from typing import Any, Literal

from fx.money import (
    MAX_MINOR,
    MONEY_CONTEXT,
    AmountError,
    CurrencyError,
    Money,
    require_asset,
    to_decimal,
)
from fx.rate import RATE_DIGITS, Rate

ROUNDING_NOTE = "receive amounts round down, fees round up"
BPS = Decimal(10_000)
_CUSTOMER_RATE_CONTEXT = Context(prec=RATE_DIGITS, rounding=ROUND_DOWN)


def _non_negative(value: Any, name: str) -> Decimal:
    d = to_decimal(value, name)
    if d < 0:
        raise AmountError(f"{name} must not be negative, got {d}", name)
    return d


@dataclass(frozen=True)
class FeeSchedule:
    """Fee in the send currency: fixed + percent of the total debited, clamped to [min, max].

    `percent` is a percentage (Decimal("1.5") = 1.5 %). The result rounds up to a minor unit.
    """

    fixed: Decimal = Decimal(0)
    percent: Decimal = Decimal(0)
    minimum: Decimal = Decimal(0)
    maximum: Decimal | None = None

    def __post_init__(self) -> None:
        for name in ("fixed", "percent", "minimum"):
            object.__setattr__(self, name, _non_negative(getattr(self, name), name))
        if self.maximum is not None:
            object.__setattr__(self, "maximum", _non_negative(self.maximum, "maximum"))
            if self.maximum < self.minimum:
                raise AmountError("fee maximum is below the minimum", "maximum")
        if self.percent >= 100:
            raise AmountError("fee percent must be below 100", "percent")

    def fee_for(self, send_amount: Money) -> Money:
        """The fee on a total debit of `send_amount`, rounded up; never negative."""
        raw = MONEY_CONTEXT.fma(send_amount.amount, self.percent / 100, self.fixed)
        raw = max(raw, self.minimum)
        if self.maximum is not None:
            raw = min(raw, self.maximum)
        return Money(raw, send_amount.currency).quantize(ROUND_CEILING)


@dataclass(frozen=True)
class PricingPolicy:
    """A corridor's pricing: spread against the customer, fee schedule, quote lifetime."""

    spread_bps: int
    fee: FeeSchedule
    quote_ttl: timedelta = timedelta(minutes=10)

    def __post_init__(self) -> None:
        if isinstance(self.spread_bps, bool) or not isinstance(self.spread_bps, int):
            raise ValueError("spread_bps must be an int (basis points)")
        if not 0 <= self.spread_bps < 10_000:
            raise ValueError(f"spread_bps must be in [0, 10000), got {self.spread_bps}")
        if self.quote_ttl <= timedelta(0):
            raise ValueError("quote_ttl must be positive")

    def customer_rate(self, mid: Decimal) -> Decimal:
        """Mid less the spread, rounded down to RATE_DIGITS significant digits."""
        return _CUSTOMER_RATE_CONTEXT.multiply(mid, (BPS - self.spread_bps) / BPS).normalize(
            _CUSTOMER_RATE_CONTEXT
        )


@dataclass(frozen=True)
class Quote:
    """A firm quote: honoured until `expires_at` whatever the market does afterwards."""

    send_amount: Money
    fee: Money
    receive_amount: Money
    mid_rate: Decimal
    rate: Decimal
    rate_source: str
    rate_as_of: datetime
    created_at: datetime
    expires_at: datetime
    fixed_side: Literal["send", "receive"] = "send"
    spread_bps: int = 0

    @property
    def send_currency(self) -> str:
        return self.send_amount.currency

    @property
    def receive_currency(self) -> str:
        return self.receive_amount.currency

    @property
    def converted_amount(self) -> Money:
        """The part of the debit that is converted: send_amount - fee."""
        return self.send_amount - self.fee

    def is_expired(self, now: datetime) -> bool:
        return now >= self.expires_at

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: amounts and rates as strings, datetimes ISO 8601."""
        return {
            "send_amount": str(self.send_amount),
            "send_currency": self.send_currency,
            "fee": str(self.fee),
            "fee_currency": self.fee.currency,
            "converted_amount": str(self.converted_amount),
            "receive_amount": str(self.receive_amount),
            "receive_currency": self.receive_currency,
            "mid_rate": format(self.mid_rate, "f"),
            "rate": format(self.rate, "f"),
            "spread_bps": self.spread_bps,
            "rate_source": self.rate_source,
            "rate_as_of": self.rate_as_of.isoformat(),
            "created_at": self.created_at.isoformat(),
            "expires_at": self.expires_at.isoformat(),
            "fixed_side": self.fixed_side,
            "rounding": ROUNDING_NOTE,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Quote:
        """Inverse of to_dict (for storage); trusts the data to be one of ours."""
        return cls(
            send_amount=Money.parse(data["send_amount"], data["send_currency"]),
            fee=Money.parse(data["fee"], data["fee_currency"]),
            receive_amount=Money.parse(data["receive_amount"], data["receive_currency"]),
            mid_rate=Decimal(data["mid_rate"]),
            rate=Decimal(data["rate"]),
            rate_source=data["rate_source"],
            rate_as_of=datetime.fromisoformat(data["rate_as_of"]),
            created_at=datetime.fromisoformat(data["created_at"]),
            expires_at=datetime.fromisoformat(data["expires_at"]),
            fixed_side=data.get("fixed_side", "send"),
            spread_bps=int(data.get("spread_bps", 0)),
        )


def _amount(value: Any, currency: str, field: str) -> Money:
    if isinstance(value, Money):
        if value.currency != currency:
            raise CurrencyError(
                f"{field} is in {value.currency}, expected {currency}",
                field.replace("_amount", "_currency"),
            )
        value = value.amount
    money = Money.parse(value, currency, field)
    if not money.is_positive():
        raise AmountError(f"{field} must be positive, got {money}", field)
    return money


def _oriented(mid: Rate, send_currency: str, receive_currency: str) -> Rate:
    if (mid.base, mid.quote) == (send_currency, receive_currency):
        return mid
    if (mid.quote, mid.base) == (send_currency, receive_currency):
        return mid.inverse()
    raise ValueError(f"rate {mid.pair} does not price {send_currency}->{receive_currency}")


def _receive_for(send: Money, fee: FeeSchedule, rate: Decimal, receive_currency: str):
    """(fee, receive) for a total debit; receive is zero when the fee eats everything."""
    charged = fee.fee_for(send)
    net = send.amount - charged.amount
    if net <= 0:
        return charged, Money.zero(receive_currency)
    received = Money(MONEY_CONTEXT.multiply(net, rate), receive_currency).round_down()
    return charged, received


def _smallest_send(
    want: Money, fee: FeeSchedule, rate: Decimal, send_currency: str
) -> tuple[Money, Money, Money]:
    """Smallest total debit whose result is >= want (S - fee(S) never decreases with S)."""

    def result(minor: int) -> tuple[Money, Money, Money]:
        send = Money.from_minor(minor, send_currency)
        charged, received = _receive_for(send, fee, rate, want.currency)
        return send, charged, received

    def ok(minor: int) -> bool:
        try:
            return result(minor)[2] >= want
        except AmountError:  # it would receive more than minor units hold: more than `want`
            return True

    # Net amount needed, then the total whose fee leaves that net (solved per clamp branch).
    need = Money(MONEY_CONTEXT.divide(want.amount, rate), send_currency).quantize(ROUND_CEILING)
    guess = need.to_minor() + _fee_estimate(fee, need.amount, send_currency)
    lo, hi = 0, 2**63 - 1  # lo never enough (receives zero), hi assumed enough
    if ok(guess):
        hi = guess
        for _ in range(4):  # usually the guess is exact or one unit high
            if hi - 1 <= lo or not ok(hi - 1):
                return result(hi)
            hi -= 1
    else:
        lo = guess
        for _ in range(4):
            if ok(lo + 1):
                return result(lo + 1)
            lo += 1
        if not ok(hi):
            raise AmountError(f"receive_amount {want} is too large", "receive_amount")
    while hi - lo > 1:  # fallback bisection; invariant: lo not enough, hi enough
        mid = (lo + hi) // 2
        if ok(mid):
            hi = mid
        else:
            lo = mid
    return result(hi)


def _fee_estimate(fee: FeeSchedule, net: Decimal, currency: str) -> int:
    """Minor units of fee on the total S with S - fee(S) = net, ignoring the fee's rounding."""
    keep = 1 - fee.percent / 100
    unclamped = MONEY_CONTEXT.divide(net + fee.fixed, keep) - net  # fee if within [min, max]
    value = max(unclamped, fee.minimum)
    if fee.maximum is not None:
        value = min(value, fee.maximum)
    return Money(value, currency).quantize(ROUND_CEILING).to_minor()


def price(
    policy: PricingPolicy,
    mid: Rate,
    *,
    send_currency: str,
    receive_currency: str,
    send_amount: Any = None,
    receive_amount: Any = None,
    now: datetime,
) -> Quote:
    """Price a firm quote from exactly one of send_amount (total debit) or receive_amount.

    Amounts may be str/int/Decimal/Money; they are parsed strictly. Raises AmountError,
    CurrencyError (each with `field`) or ValueError for a rate that does not fit the pair.
    """
    require_asset(send_currency, "send_currency")
    require_asset(receive_currency, "receive_currency")
    if (send_amount is None) == (receive_amount is None):
        raise AmountError(
            "give exactly one of send_amount or receive_amount "
            + ("(both were given)" if send_amount is not None else "(neither was given)"),
            "send_amount",
        )
    if now.tzinfo is None:
        raise ValueError("now must be timezone aware")
    mid = _oriented(mid, send_currency, receive_currency)
    rate = policy.customer_rate(mid.value)
    if send_amount is not None:
        send = _amount(send_amount, send_currency, "send_amount")
        charged, received = _receive_for(send, policy.fee, rate, receive_currency)
        if charged >= send:
            raise AmountError(
                f"send_amount {send} {send_currency} does not cover the fee {charged}",
                "send_amount",
            )
        if received.is_zero():
            raise AmountError(
                f"send_amount {send} {send_currency} is too small: nothing would be received",
                "send_amount",
            )
        if received.to_minor() > MAX_MINOR:
            raise AmountError(
                f"send_amount {send} {send_currency} is too large: {received.currency} minor "
                "units cannot hold what it would receive",
                "send_amount",
            )
        side: Literal["send", "receive"] = "send"
    else:
        want = _amount(receive_amount, receive_currency, "receive_amount")
        send, charged, received = _smallest_send(want, policy.fee, rate, send_currency)
        if send.to_minor() > MAX_MINOR:
            raise AmountError(f"receive_amount {want} is too large", "receive_amount")
        side = "receive"
    return Quote(
        send_amount=send,
        fee=charged,
        receive_amount=received,
        mid_rate=mid.value,
        rate=rate,
        rate_source=mid.source,
        rate_as_of=mid.as_of,
        created_at=now,
        expires_at=now + policy.quote_ttl,
        fixed_side=side,
        spread_bps=policy.spread_bps,
    )


def _mid_value(quote: Quote, current_mid: Rate) -> Decimal:
    return _oriented(current_mid, quote.send_currency, quote.receive_currency).value


def fx_gain_loss(quote: Quote, current_mid: Rate) -> Money:
    """Market move on a locked quote, in the send currency (positive = gain for us).

    What the promised receive_amount costs at the quote's mid minus what it costs at the
    current mid. The spread margin is separate (see spread_margin). Rounded half-even.
    """
    promised = quote.receive_amount.amount
    then = MONEY_CONTEXT.divide(promised, quote.mid_rate)
    now = MONEY_CONTEXT.divide(promised, _mid_value(quote, current_mid))
    return Money(then - now, quote.send_currency).quantize(ROUND_HALF_EVEN)


def spread_margin(quote: Quote) -> Money:
    """What the spread and rounding earned at the quote's own mid, in the send currency."""
    cost = MONEY_CONTEXT.divide(quote.receive_amount.amount, quote.mid_rate)
    return Money(quote.converted_amount.amount - cost, quote.send_currency).quantize(
        ROUND_HALF_EVEN
    )

"""Money kernel: amounts as Decimal with a currency, ISO 4217 minor units, explicit rounding.

Why its own module: every package (ledger, compliance, corridors) needs money and nothing else of
fx, so this file imports only the two tables below it: fiat minor units (fx.currency, ISO 4217)
and the coins with their decimals (fx.stablecoins, the one place a coin is stated).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_UP, Context, Decimal, InvalidOperation
from typing import Any

from fx.currency import CurrencyError, fiat_exponents, is_currency
from fx.stablecoins import DECIMALS

__all__ = [
    "COIN_DECIMALS",
    "MAX_AMOUNT_CHARS",
    "MONEY_CONTEXT",
    "ROUND_DOWN",
    "ROUND_HALF_EVEN",
    "ROUND_UP",
    "AmountError",
    "CurrencyError",
    "MixedCurrencyError",
    "Money",
    "exponent",
    "is_asset",
    "is_coin",
    "is_currency",
    "non_negative",
    "require_asset",
    "to_decimal",
]

#: Stablecoin asset codes and their decimals, as fx.stablecoins defines them.
COIN_DECIMALS: dict[str, int] = dict(DECIMALS)

#: Wide enough that products of amounts and rates are exact (no silent rounding by the context).
MONEY_CONTEXT = Context(prec=60)

#: Largest minor-unit amount accepted by parse: it must fit a signed 64-bit ledger column.
MAX_MINOR = 2**63 - 1

#: Longest amount text accepted by parse (and by the API's amount fields). The largest amount
#: there is, MAX_MINOR with a sign and a point, takes 21 characters; beyond 32 it is padding.
MAX_AMOUNT_CHARS = 32

_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


class AmountError(ValueError):
    """A bad amount: float, NaN, Infinity, too many decimals, not a number, out of range."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class MixedCurrencyError(ValueError):
    """Arithmetic or comparison between two different currencies."""

    field: str | None = None


#: Every asset a Money may hold, fiat and coin, with its decimals: one dict lookup answers both
#: "is this an asset" and "how many decimals", which every Money construction asks.
_ASSET_EXPONENTS: dict[str, int] = {**fiat_exponents(), **COIN_DECIMALS}
_QUANTA: dict[str, Decimal] = {code: Decimal(1).scaleb(-e) for code, e in _ASSET_EXPONENTS.items()}


def is_coin(code: object) -> bool:
    """True for a stablecoin asset code known to the kernel."""
    return isinstance(code, str) and code in COIN_DECIMALS


def is_asset(code: object) -> bool:
    """True for anything a Money may be denominated in: fiat or stablecoin."""
    return isinstance(code, str) and code in _ASSET_EXPONENTS


def require_asset(code: object, field: str | None = None) -> str:
    """Return the code if it is a known asset, else raise CurrencyError naming the field."""
    if not isinstance(code, str):
        raise CurrencyError(f"currency code must be a string, got {type(code).__name__}", field)
    if code not in _ASSET_EXPONENTS:
        raise CurrencyError(f"unknown or unsupported currency {code!r}", field)
    return code


def exponent(code: str) -> int:
    """Number of decimals of the asset's minor unit (USD 2, JPY 0, IQD 3, USDC 6)."""
    try:
        return _ASSET_EXPONENTS[code]
    except (KeyError, TypeError):
        raise CurrencyError(f"unknown or unsupported currency {code!r}") from None


def _quantum(code: str) -> Decimal:
    try:
        return _QUANTA[code]
    except (KeyError, TypeError):
        raise CurrencyError(f"unknown or unsupported currency {code!r}") from None


def to_decimal(value: Any, field: str | None = None) -> Decimal:
    """Strictly convert str/int/Decimal to a finite Decimal; floats and bools are refused."""
    if isinstance(value, bool):
        raise AmountError("amount must be a decimal string, not a boolean", field)
    if isinstance(value, float):
        raise AmountError(
            "amount must be a decimal string, not float (floats cannot hold money exactly)", field
        )
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, str):
        if not _NUMBER.fullmatch(value):
            raise AmountError(f"amount {value!r} is not a decimal number", field)
        try:
            result = Decimal(value)
        except InvalidOperation:
            raise AmountError(f"amount {value!r} is not a decimal number", field) from None
    else:
        raise AmountError(f"amount must be a decimal string, got {type(value).__name__}", field)
    if result.is_nan():
        raise AmountError("amount is NaN", field)
    if result.is_infinite():
        raise AmountError("amount is infinite", field)
    return result


def non_negative(value: Any, field: str | None = None) -> Decimal:
    """A finite Decimal >= 0 from a decimal string (blanks around it allowed) or an integer:
    how configuration files (corridors, tiers, rules, regimes) state amounts, fees and
    thresholds. Floats are refused as everywhere (to_decimal)."""
    number = to_decimal(value.strip() if isinstance(value, str) else value, field)
    if number < 0:
        raise AmountError(f"amount {value!r} is negative", field)
    return number


@dataclass(frozen=True, slots=True)
class Money:
    """An exact amount of one asset. May carry extra decimals until quantized explicitly."""

    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        require_asset(self.currency)
        if type(self.amount) is Decimal and self.amount.is_finite():
            return  # the common case, checked first: every arithmetic result lands here
        if isinstance(self.amount, int) and not isinstance(self.amount, bool):
            object.__setattr__(self, "amount", Decimal(self.amount))
        elif not isinstance(self.amount, Decimal):
            raise AmountError(
                f"Money amount must be Decimal, got {type(self.amount).__name__}; "
                "use Money.parse for untrusted input"
            )
        if not self.amount.is_finite():
            raise AmountError(f"amount {self.amount} is not finite")

    # ---- construction -------------------------------------------------------------------
    @classmethod
    def parse(cls, value: Any, currency: str, field: str | None = None) -> Money:
        """Strict parse of external input: no floats, NaN, Infinity, no more decimals than the
        currency has (a string's trailing zeros count), at most MAX_AMOUNT_CHARS characters.

        `field` is attached to any error so the API can point at the offending input.
        """
        code = require_asset(currency, None if field is None else _currency_field(field))
        if isinstance(value, str) and len(value) > MAX_AMOUNT_CHARS:
            raise AmountError(f"amount is longer than {MAX_AMOUNT_CHARS} characters", field)
        amount = to_decimal(value, field)
        places = exponent(code)
        if amount and amount.adjusted() > 19:  # cheap guard before any context arithmetic
            raise AmountError(f"amount {value} is too large", field)
        exp = amount.as_tuple().exponent
        assert isinstance(exp, int)  # finite, checked above
        # Text from outside says how many decimals it means: more than the currency has is
        # refused even when they are zeros ("100.000" USD), so "100.0…0" and "100.001" are
        # treated alike. A Decimal from our own arithmetic only has to be exact.
        written = isinstance(value, str)
        if exp < -places and (
            written or amount != amount.quantize(_quantum(code), context=MONEY_CONTEXT)
        ):
            raise AmountError(
                f"amount {value} has more decimals than {code} allows ({places})", field
            )
        if amount.copy_abs() > Decimal(MAX_MINOR).scaleb(-places):
            raise AmountError(f"amount {value} is too large", field)
        return cls(amount.quantize(_quantum(code), context=MONEY_CONTEXT), code)

    @classmethod
    def from_minor(cls, minor: int, currency: str) -> Money:
        """From an integer count of minor units (cents for USD, micro-units for USDC)."""
        if isinstance(minor, bool) or not isinstance(minor, int):
            raise AmountError(f"minor units must be an int, got {type(minor).__name__}")
        return cls(Decimal(minor).scaleb(-exponent(require_asset(currency))), currency)

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls.from_minor(0, currency)

    # ---- conversion ---------------------------------------------------------------------
    @property
    def exponent(self) -> int:
        return exponent(self.currency)

    @property
    def quantum(self) -> Decimal:
        """The smallest unit of this currency as a Decimal (0.01 for USD)."""
        return _quantum(self.currency)

    def to_minor(self) -> int:
        """Exact integer minor units; refuses an amount with more decimals than the currency."""
        scaled = self.amount.scaleb(self.exponent, context=MONEY_CONTEXT)
        if scaled != scaled.to_integral_value():
            raise AmountError(
                f"{self.amount} {self.currency} is not a whole number of minor units; "
                "quantize it first"
            )
        return int(scaled)

    def quantize(self, rounding: str = ROUND_HALF_EVEN) -> Money:
        """Round to the currency's minor unit with an explicit rounding mode."""
        return Money(
            self.amount.quantize(self.quantum, rounding=rounding, context=MONEY_CONTEXT),
            self.currency,
        )

    def round_down(self) -> Money:
        """Toward zero: used for what the customer receives."""
        return self.quantize(ROUND_DOWN)

    def round_up(self) -> Money:
        """Away from zero: used for fees."""
        return self.quantize(ROUND_UP)

    def is_zero(self) -> bool:
        return self.amount == 0

    def is_positive(self) -> bool:
        return self.amount > 0

    def is_negative(self) -> bool:
        return self.amount < 0

    # ---- arithmetic ---------------------------------------------------------------------
    def _same(self, other: object, op: str) -> Money:
        if not isinstance(other, Money):
            raise TypeError(f"cannot {op} Money and {type(other).__name__}")
        if other.currency != self.currency:
            raise MixedCurrencyError(
                f"cannot {op} {self.currency} and {other.currency}; convert first"
            )
        return other

    def __add__(self, other: Money) -> Money:
        o = self._same(other, "add")
        return Money(MONEY_CONTEXT.add(self.amount, o.amount), self.currency)

    def __sub__(self, other: Money) -> Money:
        o = self._same(other, "subtract")
        return Money(MONEY_CONTEXT.subtract(self.amount, o.amount), self.currency)

    def __mul__(self, factor: Decimal | int) -> Money:
        """Scale by a Decimal or int (not by Money); the result is not rounded."""
        if isinstance(factor, bool) or not isinstance(factor, Decimal | int):
            raise TypeError(f"cannot multiply Money by {type(factor).__name__}")
        return Money(MONEY_CONTEXT.multiply(self.amount, Decimal(factor)), self.currency)

    __rmul__ = __mul__

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __abs__(self) -> Money:
        return Money(abs(self.amount), self.currency)

    def __lt__(self, other: Money) -> bool:
        return self.amount < self._same(other, "compare").amount

    def __le__(self, other: Money) -> bool:
        return self.amount <= self._same(other, "compare").amount

    def __gt__(self, other: Money) -> bool:
        return self.amount > self._same(other, "compare").amount

    def __ge__(self, other: Money) -> bool:
        return self.amount >= self._same(other, "compare").amount

    # ---- text ---------------------------------------------------------------------------
    def __str__(self) -> str:
        """The JSON form: exactly the currency's decimals ("100.00"), more only if carried."""
        exact = self.amount.quantize(_quantum(self.currency), context=MONEY_CONTEXT)
        return format(exact if exact == self.amount else self.amount, "f")

    def __repr__(self) -> str:
        return f"Money('{self}', '{self.currency}')"

    def to_dict(self) -> dict[str, str]:
        return {"amount": str(self), "currency": self.currency}


def _currency_field(field: str) -> str:
    """send_amount -> send_currency: where a currency error points when parsing an amount."""
    return field.removesuffix("_amount") + "_currency" if field.endswith("_amount") else field

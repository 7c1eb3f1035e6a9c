"""Money kernel: strict parsing, ISO minor units, arithmetic that refuses mixed currencies."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fx.money import (
    AmountError,
    CurrencyError,
    MixedCurrencyError,
    Money,
    exponent,
    is_asset,
    is_currency,
)


@pytest.mark.parametrize(
    ("code", "places"),
    [("USD", 2), ("JPY", 0), ("IQD", 3), ("RSD", 2), ("ALL", 2), ("KWD", 3), ("USDC", 6)],
)
def test_exponents_follow_iso4217_not_cldr(code: str, places: int) -> None:
    assert exponent(code) == places


def test_currency_predicates() -> None:
    assert is_currency("USD") and not is_currency("USDC") and is_asset("USDC")
    assert not is_currency("usd") and not is_currency("XAU") and not is_asset("ZZZ")
    with pytest.raises(CurrencyError, match="ZZZ"):
        exponent("ZZZ")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (1.5, "float"),
        (True, "boolean"),
        ("NaN", "not a decimal"),
        (Decimal("NaN"), "NaN"),
        (Decimal("-Infinity"), "infinite"),
        ("Infinity", "not a decimal"),
        ("1.001", "more decimals"),
        ("1E-3", "more decimals"),
        ("1.2000", "more decimals"),  # zeros count: the text means four decimals
        ("100." + "0" * 35, "longer than 32"),
        ("12abc", "not a decimal"),
        (" 1", "not a decimal"),
        ("1e999999999999", "too large"),
        (None, "got NoneType"),
    ],
)
def test_parse_refuses_bad_amounts_and_names_field(value: object, message: str) -> None:
    with pytest.raises(AmountError, match=message) as info:
        Money.parse(value, "USD", field="send_amount")
    assert info.value.field == "send_amount"


def test_parse_accepts_exact_forms() -> None:
    assert str(Money.parse("100", "USD")) == "100.00"
    assert str(Money.parse("1.20", "USD")) == "1.20"
    assert str(Money.parse(Decimal("1.2000"), "USD")) == "1.20"  # our own arithmetic: exact
    assert str(Money.parse("1E+2", "JPY")) == "100"
    assert Money.parse(5, "IQD").to_minor() == 5000
    assert str(Money.parse(Decimal("0.000001"), "USDC")) == "0.000001"


def test_parse_unknown_currency_points_at_currency_field() -> None:
    with pytest.raises(CurrencyError) as info:
        Money.parse("1", "XYZ", field="send_amount")
    assert info.value.field == "send_currency"


def test_mixed_currency_arithmetic_refused() -> None:
    usd, eur = Money.parse("1", "USD"), Money.parse("1", "EUR")
    with pytest.raises(MixedCurrencyError):
        usd + eur
    with pytest.raises(MixedCurrencyError):
        usd < eur  # noqa: B015
    assert usd != eur


def test_rounding_is_explicit() -> None:
    m = Money(Decimal("1.005"), "USD")
    assert str(m.round_down()) == "1.00" and str(m.round_up()) == "1.01"
    assert str(m) == "1.005"
    with pytest.raises(AmountError, match="minor units"):
        m.to_minor()


def test_float_refused_by_constructor() -> None:
    with pytest.raises(AmountError):
        Money(1.0, "USD")  # type: ignore[arg-type]


codes = st.sampled_from(["USD", "JPY", "IQD", "USDC", "KWD", "VND"])


@given(st.integers(min_value=-(10**15), max_value=10**15), codes)
def test_minor_units_round_trip(minor: int, code: str) -> None:
    m = Money.from_minor(minor, code)
    assert m.to_minor() == minor
    assert Money.parse(str(m), code) == m


@given(
    st.integers(min_value=0, max_value=10**12),
    st.integers(min_value=0, max_value=10**12),
    codes,
)
def test_addition_matches_minor_units(a: int, b: int, code: str) -> None:
    total = Money.from_minor(a, code) + Money.from_minor(b, code)
    assert total.to_minor() == a + b
    assert (total - Money.from_minor(b, code)).to_minor() == a


@given(
    st.decimals(
        allow_nan=False, allow_infinity=False, places=8, min_value=-(10**9), max_value=10**9
    )
)
def test_rounding_never_creates_money(x: Decimal) -> None:
    m = Money(x, "USD")
    assert m.round_down().amount.copy_abs() <= x.copy_abs() <= m.round_up().amount.copy_abs()
    assert abs(m.quantize() - m).amount <= Decimal("0.005")

"""Properties of fx.money's parsing of amounts from outside (#20): text with at most the
currency's decimals round-trips exactly; one decimal more is refused, zeros or not; text
longer than MAX_AMOUNT_CHARS is refused; nothing else than AmountError or CurrencyError is
ever raised, whatever the text."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fx.money import MAX_AMOUNT_CHARS, MAX_MINOR, AmountError, CurrencyError, Money, exponent

CODES = st.sampled_from(["USD", "JPY", "IQD", "PHP", "EUR", "USDC"])


def _text(minor: int, places: int) -> str:
    sign = "-" if minor < 0 else ""
    digits = str(abs(minor)).rjust(places + 1, "0")
    return sign + (f"{digits[:-places]}.{digits[-places:]}" if places else digits)


@given(st.integers(min_value=-(10**12), max_value=10**12), CODES, st.integers(0, 6))
def test_at_most_the_currencys_decimals_round_trip(units: int, code: str, fewer: int) -> None:
    places = exponent(code)
    shown = max(places - fewer, 0)  # "100", "100.5", "100.50" are all fine for USD
    money = Money.parse(_text(units, shown), code)
    assert money.to_minor() == units * 10 ** (places - shown)
    assert Money.parse(str(money), code) == money


@given(
    st.integers(min_value=0, max_value=10**12),
    CODES,
    st.integers(min_value=1, max_value=20),
    st.sampled_from(["0", "1", "5", "9"]),
)
def test_one_decimal_too_many_is_refused_zeros_or_not(
    minor: int, code: str, extra: int, digit: str
) -> None:
    places = exponent(code)
    base = _text(minor, places)
    text = (base if places else base + ".") + "0" * (extra - 1) + digit
    if len(text) > MAX_AMOUNT_CHARS:
        return
    with pytest.raises(AmountError, match="more decimals") as info:
        Money.parse(text, code, field="amount")
    assert info.value.field == "amount"


@given(st.integers(min_value=MAX_AMOUNT_CHARS + 1, max_value=500), CODES)
def test_longer_than_the_limit_is_refused(length: int, code: str) -> None:
    text = "1" if length < 2 else "0" * (length - 1) + "1"
    with pytest.raises(AmountError, match=f"longer than {MAX_AMOUNT_CHARS}"):
        Money.parse(text, code, field="amount")


@given(st.text(max_size=60), CODES)
def test_any_text_is_money_or_an_amount_error(text: str, code: str) -> None:
    try:
        money = Money.parse(text, code, field="amount")
    except (AmountError, CurrencyError) as exc:
        assert exc.field == "amount"
        return
    assert abs(money.to_minor()) <= MAX_MINOR
    assert Money.parse(str(money), code) == money  # what we print, we read back


@given(st.from_regex(r"-?[0-9]{1,25}(\.[0-9]{1,8})?", fullmatch=True), CODES)
def test_decimal_text_is_accepted_exactly_when_it_fits(text: str, code: str) -> None:
    places = exponent(code)
    decimals = len(text.partition(".")[2])
    try:
        money = Money.parse(text, code)
    except AmountError as exc:
        assert decimals > places or "too large" in str(exc)
        return
    assert decimals <= places
    assert money.amount == Decimal(text)  # exactly what was written, nothing rounded

"""Quote pricing: exactness, honesty about fees, rounding that never creates money."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import ROUND_FLOOR, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fx.money import AmountError, CurrencyError, Money
from fx.pricing import FeeSchedule, PricingPolicy, Quote, fx_gain_loss, price, spread_margin
from fx.rate import Rate

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)
POLICY = PricingPolicy(
    spread_bps=100,
    fee=FeeSchedule(Decimal("2.99"), Decimal("0.5"), Decimal("3"), Decimal("25")),
    quote_ttl=timedelta(minutes=10),
)
USD_PHP = Rate("USD", "PHP", Decimal("58.1234"), "ecb", NOW - timedelta(days=3))


def quote(**kw) -> Quote:
    args = {"send_currency": "USD", "receive_currency": "PHP", "now": NOW} | kw
    return price(POLICY, USD_PHP, **args)


def test_send_side_quote_is_itemised_and_exact() -> None:
    q = quote(send_amount="200")
    assert str(q.send_amount) == "200.00" and str(q.fee) == "3.99"  # 2.99 + 0.5 % of 200
    assert q.rate == Decimal("57.542166")  # mid less 1 %, rounded down
    assert str(q.receive_amount) == "11278.83"  # floor(196.01 * 57.542166)
    assert q.rate_source == "ecb" and q.rate_as_of == USD_PHP.as_of
    assert q.expires_at == NOW + timedelta(minutes=10) and q.fixed_side == "send"


def test_to_dict_is_strings_and_iso_and_round_trips() -> None:
    d = quote(send_amount="200").to_dict()
    assert d["send_amount"] == "200.00" and d["fee"] == "3.99" and d["mid_rate"] == "58.1234"
    assert d["expires_at"] == "2026-11-25T12:10:00+00:00"
    assert "round down" in d["rounding"] and "round up" in d["rounding"]
    assert not any(isinstance(v, float) for v in d.values())
    assert Quote.from_dict(d) == quote(send_amount="200")


def test_fee_clamps_to_minimum_and_maximum() -> None:
    fee = POLICY.fee
    assert str(fee.fee_for(Money.parse("0.01", "USD"))) == "3.00"
    assert str(fee.fee_for(Money.parse("100000", "USD"))) == "25.00"
    assert str(FeeSchedule(percent=Decimal("1")).fee_for(Money.parse("1.01", "USD"))) == "0.02"


def test_receive_side_finds_smallest_send() -> None:
    q = quote(receive_amount="10000")
    assert q.receive_amount >= Money.parse("10000", "PHP") and q.fixed_side == "receive"
    smaller = q.send_amount - Money.from_minor(1, "USD")
    assert quote(send_amount=smaller).receive_amount < Money.parse("10000", "PHP")


def test_rate_in_the_other_direction_is_inverted() -> None:
    inverse = Rate("PHP", "USD", Decimal("0.02"), "x", NOW)
    q = price(
        POLICY, inverse, send_currency="USD", receive_currency="PHP", send_amount="100", now=NOW
    )
    assert q.mid_rate == Decimal(50)
    with pytest.raises(ValueError, match="does not price"):
        price(
            POLICY, inverse, send_currency="USD", receive_currency="NGN", send_amount="1", now=NOW
        )


@pytest.mark.parametrize(
    ("kw", "error", "field", "message"),
    [
        ({}, AmountError, "send_amount", "neither"),
        ({"send_amount": "1", "receive_amount": "1"}, AmountError, "send_amount", "both"),
        ({"send_amount": "0"}, AmountError, "send_amount", "positive"),
        ({"send_amount": "-5"}, AmountError, "send_amount", "positive"),
        ({"send_amount": "NaN"}, AmountError, "send_amount", "not a decimal"),
        ({"send_amount": "Infinity"}, AmountError, "send_amount", "not a decimal"),
        ({"send_amount": 10.5}, AmountError, "send_amount", "float"),
        ({"send_amount": "10.001"}, AmountError, "send_amount", "decimals"),
        ({"receive_amount": "10.001"}, AmountError, "receive_amount", "decimals"),
        ({"send_amount": "2.00"}, AmountError, "send_amount", "fee"),
        ({"send_amount": "1", "send_currency": "ZZZ"}, CurrencyError, "send_currency", "ZZZ"),
        ({"send_amount": "1", "receive_currency": "php"}, CurrencyError, "receive_currency", "php"),
        (
            {"send_amount": Money.parse("1", "EUR")},
            CurrencyError,
            "send_currency",
            "expected USD",
        ),
    ],
)
def test_bad_input_is_refused_with_field(kw, error, field, message) -> None:
    with pytest.raises(error, match=message) as info:
        quote(**kw)
    assert info.value.field == field


def test_bad_policy_refused() -> None:
    with pytest.raises(ValueError):
        PricingPolicy(spread_bps=-1, fee=FeeSchedule())
    with pytest.raises(AmountError):
        FeeSchedule(fixed=Decimal("-1"))
    with pytest.raises(AmountError):
        FeeSchedule(minimum=Decimal("5"), maximum=Decimal("1"))


def test_locked_quote_gain_or_loss_when_market_moves() -> None:
    q = quote(send_amount="200")
    same = fx_gain_loss(q, USD_PHP)
    better = fx_gain_loss(q, Rate("USD", "PHP", Decimal("60"), "ecb", NOW))
    worse = fx_gain_loss(q, Rate("PHP", "USD", Decimal("1") / Decimal("56"), "ecb", NOW))
    assert same.is_zero() and better.is_positive() and worse.is_negative()
    assert better.currency == "USD"
    # The receive amount promised does not move with the market: the quote is a value.
    assert q.receive_amount == quote(send_amount="200").receive_amount
    assert spread_margin(q).is_positive()


# ---- properties ---------------------------------------------------------------------------
SEND = st.sampled_from(["USD", "EUR", "JPY", "KWD", "USDC"])
RECEIVE = st.sampled_from(["PHP", "NGN", "JPY", "IQD", "VND", "USD", "BSKT"])
MID = st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("30000"), places=6).filter(
    lambda d: d > 0
)
SCHEDULE = st.builds(
    FeeSchedule,
    fixed=st.decimals(min_value=0, max_value=10, places=2),
    percent=st.decimals(min_value=0, max_value=5, places=2),
    minimum=st.decimals(min_value=0, max_value=5, places=2),
    maximum=st.one_of(st.none(), st.decimals(min_value=5, max_value=50, places=2)),
)
POLICIES = st.builds(
    PricingPolicy, spread_bps=st.integers(0, 500), fee=SCHEDULE, quote_ttl=st.just(timedelta(1))
)
MINOR = st.integers(min_value=1, max_value=10**11)


def _floor(value: Decimal, currency: str) -> Decimal:
    return Money(value, currency).quantize(ROUND_FLOOR).amount


def _price(policy, mid, send_ccy: str, recv_ccy: str, **amount):
    """price() at the mid-market rate `mid` from `send_ccy` to `recv_ccy`, now, for the
    properties below; `amount`: the send or the receive amount."""
    rate = Rate(send_ccy, recv_ccy, mid, "t", NOW)
    return price(policy, rate, send_currency=send_ccy, receive_currency=recv_ccy, now=NOW, **amount)


@settings(max_examples=150, deadline=None)
@given(POLICIES, MID, SEND, RECEIVE, MINOR)
def test_send_side_properties(policy, mid, send_ccy, recv_ccy, minor) -> None:
    send = Money.from_minor(minor, send_ccy)
    try:
        q = _price(policy, mid, send_ccy, recv_ccy, send_amount=send)
    except AmountError as exc:  # too small to cover the fee or to receive one minor unit
        assert exc.field == "send_amount"
        return
    assert not q.fee.is_negative() and q.fee < q.send_amount and q.send_amount == send
    net = q.converted_amount.amount
    # Never more than the mid-market conversion of (send - fee); never more than the rate gives.
    assert q.receive_amount.amount <= _floor(net * mid, recv_ccy)
    assert q.receive_amount.amount == _floor(net * q.rate, recv_ccy)
    # Rounding never creates money: what is left over is under one receive minor unit.
    assert 0 <= net * q.rate - q.receive_amount.amount < q.receive_amount.quantum
    assert q.rate <= mid
    q.send_amount.to_minor(), q.fee.to_minor(), q.receive_amount.to_minor()  # exact units


@settings(max_examples=150, deadline=None)
@given(POLICIES, MID, SEND, RECEIVE, MINOR)
def test_send_and_receive_side_agree(policy, mid, send_ccy, recv_ccy, minor) -> None:
    try:
        by_send = _price(
            policy, mid, send_ccy, recv_ccy, send_amount=Money.from_minor(minor, send_ccy)
        )
    except AmountError:
        return
    by_receive = _price(policy, mid, send_ccy, recv_ccy, receive_amount=by_send.receive_amount)
    # Same receive amount (within one minor unit: here exactly), never a dearer send amount.
    diff = abs(by_receive.receive_amount - by_send.receive_amount)
    assert diff.amount <= by_send.receive_amount.quantum
    assert by_receive.send_amount <= by_send.send_amount
    assert not by_receive.fee.is_negative()
    # Minimal: one send minor unit less no longer delivers the requested amount.
    one_less = by_receive.send_amount - Money.from_minor(1, send_ccy)
    if one_less.is_positive():
        try:
            short = _price(policy, mid, send_ccy, recv_ccy, send_amount=one_less).receive_amount
        except AmountError:
            short = Money.zero(recv_ccy)
        assert short < by_send.receive_amount


@settings(max_examples=100, deadline=None)
@given(POLICIES, MID, SEND, RECEIVE, MINOR)
def test_receive_side_delivers_at_least_requested(policy, mid, send_ccy, recv_ccy, minor) -> None:
    want = Money.from_minor(minor, recv_ccy)
    try:
        q = _price(policy, mid, send_ccy, recv_ccy, receive_amount=want)
    except AmountError as exc:
        # Only a send amount beyond what minor units can hold may be refused, and clearly.
        assert exc.field == "receive_amount" and "too large" in str(exc)
        return
    assert q.receive_amount >= want
    assert q.receive_amount.amount == _floor(q.converted_amount.amount * q.rate, recv_ccy)
    assert q.receive_amount.amount <= _floor(q.converted_amount.amount * mid, recv_ccy)
    assert q.fee == policy.fee.fee_for(q.send_amount) and not q.fee.is_negative()


def test_absurd_receive_amount_refused() -> None:
    tiny = Rate("USD", "VND", Decimal("0.000001"), "t", NOW)
    with pytest.raises(AmountError, match="too large") as info:
        price(
            POLICY,
            tiny,
            send_currency="USD",
            receive_currency="VND",
            receive_amount="90000000000000000",
            now=NOW,
        )
    assert info.value.field == "receive_amount"


def test_send_amount_whose_receipt_minor_units_cannot_hold_is_refused() -> None:
    """Found by the properties above: 4.9 billion JPY into BSKT (six decimals) at 1,895 would
    receive more than 2**63 - 1 micro-units, a quote no receive-side price could repeat."""
    rate = Rate("JPY", "BSKT", Decimal("1895.226485"), "t", NOW)
    free = PricingPolicy(spread_bps=0, fee=FeeSchedule(), quote_ttl=timedelta(1))
    with pytest.raises(AmountError, match="too large") as info:
        price(
            free,
            rate,
            send_currency="JPY",
            receive_currency="BSKT",
            send_amount="4866633150",
            now=NOW,
        )
    assert info.value.field == "send_amount"

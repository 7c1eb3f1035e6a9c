"""KYC limit checks: boundaries, corridor overrides, and the property that no sum above a
limit ever passes."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from compliance.kyc import Tier, check_limits, load_tiers, lowest_tier_allowing

D = Decimal
TIERS = load_tiers()
PHONE = TIERS["phone_verified"]  # 500 / 1000 / 3000


def kinds(breaches):
    return [b.limit for b in breaches]


@pytest.mark.parametrize(
    ("amount", "expected"),
    [("499.99", []), ("500", []), ("500.01", ["per_transfer"])],
)
def test_per_transfer_boundary(amount, expected):
    assert kinds(check_limits(PHONE, D(amount), D(0), D(0))) == expected


@pytest.mark.parametrize(
    ("sent_24h", "expected"),
    [("599.99", []), ("600", []), ("600.01", ["per_day"])],
)
def test_per_day_boundary(sent_24h, expected):
    assert kinds(check_limits(PHONE, D(400), D(sent_24h), D(sent_24h))) == expected


@pytest.mark.parametrize(
    ("sent_30d", "expected"),
    [("2599.99", []), ("2600", []), ("2600.01", ["per_30d"])],
)
def test_per_30d_boundary(sent_30d, expected):
    assert kinds(check_limits(PHONE, D(400), D(0), D(sent_30d))) == expected


def test_breach_carries_figures_and_reason():
    [breach] = check_limits(PHONE, D(300), D(800), D(800))
    assert breach.limit == "per_day"
    assert breach.limit_usd == D(1000)
    assert breach.would_be_usd == D(1100)
    assert "1000" in breach.reason and "1100" in breach.reason
    assert breach.to_dict() == {
        "limit": "per_day",
        "limit_usd": "1000",
        "would_be_usd": "1100",
        "reason": breach.reason,
    }


def test_all_three_breaches_reported():
    assert kinds(check_limits(PHONE, D(600), D(900), D(2900))) == [
        "per_transfer",
        "per_day",
        "per_30d",
    ]


@pytest.mark.parametrize("bad", [100.0, "100", None, True])
def test_refuses_non_decimal_amounts(bad):
    with pytest.raises(TypeError):
        check_limits(PHONE, bad, D(0), D(0))


@pytest.mark.parametrize(
    ("amount", "sent"), [(D(0), D(0)), (D(-1), D(0)), (D(1), D(-1)), (D("NaN"), D(0))]
)
def test_refuses_zero_negative_nan(amount, sent):
    with pytest.raises(ValueError):
        check_limits(PHONE, amount, sent, D(0))


def test_lowest_tier_allowing():
    assert lowest_tier_allowing(TIERS, D(400), D(0), D(0)).name == "phone_verified"
    assert lowest_tier_allowing(TIERS, D(2000), D(0), D(0)).name == "id_verified"
    assert lowest_tier_allowing(TIERS, D(5000), D(0), D(0)).name == "enhanced"
    assert lowest_tier_allowing(TIERS, D("10000.01"), D(0), D(0)) is None


amounts = st.decimals(min_value=D("0.01"), max_value=D("1000000"), places=2)
totals = st.decimals(min_value=D(0), max_value=D("1000000"), places=2)


@given(amount=amounts, sent_24h=totals, extra_30d=totals, limit=amounts)
def test_no_sum_above_a_limit_passes(amount, sent_24h, extra_30d, limit):
    sent_30d = sent_24h + extra_30d  # the 30-day total includes the last 24 hours
    tier = Tier("t", 1, limit, limit * 2, limit * 5, ())
    breaches = {b.limit: b for b in check_limits(tier, amount, sent_24h, sent_30d)}
    for name, cap, total in (
        ("per_transfer", tier.per_transfer_usd, amount),
        ("per_day", tier.per_day_usd, amount + sent_24h),
        ("per_30d", tier.per_30d_usd, amount + sent_30d),
    ):
        assert (name in breaches) == (total > cap)
        if name in breaches:
            assert breaches[name].would_be_usd == total
            assert breaches[name].limit_usd == cap

"""Regimes as data, and the disclosure's money: pure, no server."""

from __future__ import annotations

import shutil
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from compliance.protections import RegimeConfigError, disclose, load_provider, load_regimes
from compliance.protections.regimes import default_regimes_dir
from fx.money import Money


def test_shipped_regimes_pick_by_sending_country() -> None:
    regimes = load_regimes()
    assert regimes.for_country("US").name == "us_reg_e"
    assert regimes.for_country("de").name == "eu_tfr"
    assert regimes.for_country("EU").name == "eu_tfr"
    assert regimes.for_country("GB").name == "fatf_r16"  # the baseline
    us = regimes.for_country("US")
    assert us.coverage_threshold == {"USD": Decimal("15.00")}
    assert us.cancel_window_minutes == 30 and us.refund_business_days == 3
    assert us.error_report_days == 180 and us.investigate_days == 90
    assert us.travel_threshold["USD"] == Decimal("1000.00") and not us.travel_crypto_any_amount
    assert regimes.for_country("FR").travel_crypto_any_amount
    assert {"en", "zh-Hans"} <= set(us.statement)


def test_another_regime_is_a_file(tmp_path) -> None:
    for path in default_regimes_dir().glob("*.toml"):
        shutil.copy(path, tmp_path)
    text = (default_regimes_dir() / "fatf_r16.toml").read_text()
    text = text.replace('name = "fatf_r16"', 'name = "uk_psr"').replace('["*"]', '["GB"]')
    text = text.replace(
        'threshold = { USD = "1000.00", EUR = "1000.00" }', 'threshold = { GBP = "840.00" }'
    )
    (tmp_path / "uk_psr.toml").write_text(text)
    gb = load_regimes(str(tmp_path)).for_country("GB")
    assert gb.name == "uk_psr" and gb.travel_threshold == {"GBP": Decimal("840.00")}


def test_a_broken_regime_file_is_refused(tmp_path) -> None:
    text = (default_regimes_dir() / "us_reg_e.toml").read_text()
    (tmp_path / "bad.toml").write_text(text.replace("window_minutes = 30", "window_minutes = 0"))
    with pytest.raises(RegimeConfigError, match="window_minutes"):
        load_regimes(str(tmp_path))


cents = st.integers(min_value=1, max_value=10**9)


@given(send=cents, fee=st.integers(min_value=0, max_value=10**6), receive=cents)
def test_disclosure_adds_up(send: int, fee: int, receive: int) -> None:
    regime = load_regimes().for_country("US")
    fee = min(fee, send)
    d = disclose(
        regime,
        load_provider(),
        send_amount=Money.from_minor(send, "USD"),
        fee=Money.from_minor(fee, "USD"),
        receive_amount=Money.from_minor(receive, "PHP"),
        rate=Decimal("56.1"),
    )
    assert d.transfer_amount + d.fees + d.taxes == d.total == Money.from_minor(send, "USD")
    assert d.covered == (send - fee > 1500)  # at or under USD 15 transferred: not covered
    body = d.to_dict()
    assert body["covered"] is d.covered
    assert (body["not_covered_reason"] is None) == d.covered

"""Stablecoins: pegged coins, the basket coin valued from rate sources, settlement choice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fx.coinmath import basket_value, settlement_coin_for
from fx.coinrates import StablecoinRates
from fx.money import COIN_DECIMALS, CurrencyError, Money, exponent
from fx.rates import ChainedRates, Rate, RateUnavailable, default_rate_source
from fx.stablecoins import BSKT, EURC, USDC, Stablecoin, stablecoin

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)


class Table:
    """Fiat source with fixed rates per unit of USD (crosses computed exactly)."""

    name = "table"

    def __init__(self, per_usd: dict[str, str]) -> None:
        self.per_usd = {k: Decimal(v) for k, v in per_usd.items()} | {"USD": Decimal(1)}

    async def rate(self, base: str, quote: str) -> Rate:
        if base not in self.per_usd or quote not in self.per_usd:
            raise RateUnavailable(f"no {base}/{quote}", base, quote)
        value = self.per_usd[quote] / self.per_usd[base]
        return Rate(base, quote, value, self.name, NOW - timedelta(hours=1))


FIAT = Table({"EUR": "0.9", "JPY": "150", "GBP": "0.8", "SGD": "1.3", "NGN": "1500"})


def test_coins_have_six_decimals_and_agree_with_kernel() -> None:
    for coin in (USDC, EURC, BSKT):
        assert coin.decimals == 6 == exponent(coin.code) == COIN_DECIMALS[coin.code]
    assert str(Money.parse("1.000001", "BSKT")) == "1.000001"
    assert stablecoin("USDC") is USDC
    with pytest.raises(CurrencyError):
        stablecoin("USDT")


def test_coin_definition_checks() -> None:
    with pytest.raises(ValueError):
        Stablecoin("XX", peg="USD", basket={"USD": Decimal(1)})
    with pytest.raises(CurrencyError):
        Stablecoin("XX", peg="ZZZ")
    with pytest.raises(ValueError):
        Stablecoin("XX", basket={"USD": Decimal(0)})
    with pytest.raises(TypeError):
        BSKT.basket["USD"] = Decimal(1)  # type: ignore[index]


def test_settlement_coin() -> None:
    assert settlement_coin_for("EUR") is EURC
    assert settlement_coin_for("USD") is USDC and settlement_coin_for("GBP") is USDC
    assert settlement_coin_for("BSKT") is BSKT


def test_basket_value_is_sum_of_components() -> None:
    legs = {
        "USD": Rate("USD", "USD", Decimal(1), "identity", NOW),
        "EUR": Rate("EUR", "USD", Decimal("1.1"), "ecb", NOW - timedelta(days=1)),
        "JPY": Rate("JPY", "USD", Decimal("0.0066"), "ecb", NOW),
        "GBP": Rate("GBP", "USD", Decimal("1.3"), "ecb", NOW),
        "SGD": Rate("SGD", "USD", Decimal("0.77"), "ecb", NOW),
    }
    v = basket_value(BSKT, legs, "USD")
    expected = Decimal("0.50") + Decimal("0.176") + Decimal("0.1452") + Decimal("0.1066")
    assert v.value == expected + Decimal("0.0693")
    assert v.source == "ecb" and v.as_of == NOW - timedelta(days=1)
    with pytest.raises(ValueError, match="missing rate"):
        basket_value(BSKT, {k: r for k, r in legs.items() if k != "SGD"}, "USD")


async def test_pegged_coins_quote_as_their_peg() -> None:
    rates = StablecoinRates(FIAT)
    assert (await rates.rate("USD", "USDC")).value == 1
    assert (await rates.rate("USDC", "NGN")).value == Decimal(1500)
    assert (await rates.rate("EURC", "USD")).value == Decimal(1) / Decimal("0.9")
    assert (await rates.rate("NGN", "EUR")).source == "table"


async def test_basket_coin_valued_in_any_currency() -> None:
    rates = StablecoinRates(FIAT)
    in_usd = await rates.rate("BSKT", "USD")
    manual = sum(amount / FIAT.per_usd[code] for code, amount in BSKT.basket.items())
    assert abs(in_usd.value - manual) < Decimal("1e-11")
    in_ngn = await rates.rate("BSKT", "NGN")
    assert abs(in_ngn.value - manual * 1500) < Decimal("1e-8")
    usd_to_coin = await rates.rate("USD", "BSKT")
    assert abs(usd_to_coin.value * in_usd.value - 1) < Decimal("1e-10")
    assert (await rates.rate("BSKT", "BSKT")).value == 1


@given(st.decimals(min_value=Decimal("0.5"), max_value=Decimal("2"), places=4))
async def test_basket_moves_with_components(eur_per_usd: Decimal) -> None:
    cheap = StablecoinRates(Table({"EUR": str(eur_per_usd), "JPY": "150", "GBP": "1", "SGD": "1"}))
    dear = StablecoinRates(
        Table({"EUR": str(eur_per_usd / 2), "JPY": "150", "GBP": "1", "SGD": "1"})
    )
    # A stronger euro (fewer euros per dollar) makes the basket worth more dollars.
    assert (await dear.rate("BSKT", "USD")).value > (await cheap.rate("BSKT", "USD")).value


async def test_default_chain_values_coins_from_embedded_rates() -> None:
    rates = default_rate_source(clock=lambda: NOW)
    assert (await rates.rate("USDC", "EURC")).source == "ecb"
    bskt = await rates.rate("BSKT", "USD")
    assert Decimal("0.9") < bskt.value < Decimal("1.1") and bskt.source == "ecb"
    ngn = await rates.rate("EURC", "NGN")
    assert ngn.source == "ecb+sample:sample_rates.json"
    assert isinstance(rates.inner, ChainedRates)

"""Rate sources: ECB embedded data, rates files, the live source, the chain and its max ages."""

from __future__ import annotations

import json
import threading
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from fx.money import CurrencyError
from fx.rates import (
    SAMPLE_RATES_FILE,
    ChainedRates,
    EcbRates,
    FileRates,
    ForexPythonRates,
    Rate,
    RatesFileError,
    RateUnavailable,
    default_rate_source,
)

SNAPSHOT = datetime(2026, 10, 30, 15, tzinfo=UTC)
NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)


class FakeSource:
    """A RateSource answering from a dict; counts its calls."""

    def __init__(self, name: str, rates: dict[tuple[str, str], str], as_of=NOW, max_age=None):
        self.name = name
        self._rates = rates
        self.as_of = as_of
        self.calls = 0
        if max_age is not None:
            self.max_age = max_age

    async def rate(self, base: str, quote: str) -> Rate:
        self.calls += 1
        if (base, quote) not in self._rates:
            raise RateUnavailable(f"{self.name} has no {base}/{quote}", base, quote)
        return Rate(base, quote, Decimal(self._rates[(base, quote)]), self.name, self.as_of)


class FlakyClient:
    """Blocking client like forex-python's: fails `failures` times, then answers."""

    def __init__(self, failures: int, answer: object = Decimal("1.25")) -> None:
        self.failures = failures
        self.answer = answer
        self.calls = 0

    def get_rate(self, base_cur: str, dest_cur: str) -> object:
        self.calls += 1
        if self.calls <= self.failures:
            raise ConnectionError("network unreachable")
        return self.answer


class HangingClient:
    """Blocks until released: stands for a call with no timeout of its own."""

    def __init__(self) -> None:
        self.release = threading.Event()

    def get_rate(self, base_cur: str, dest_cur: str) -> object:
        self.release.wait(5)
        return Decimal("1")


# ---- ECB ----------------------------------------------------------------------------------
async def test_ecb_embedded_rates_name_source_and_date() -> None:
    ecb = EcbRates()
    r = await ecb.rate("EUR", "USD")
    assert r.value == Decimal("1.1172") and r.source == "ecb"
    assert r.as_of.date() == date(2026, 10, 30)
    cross = await ecb.rate("USD", "JPY")
    assert Decimal(150) < cross.value < Decimal(170)
    assert "NGN" not in ecb.currencies and "CYP" not in ecb.currencies


async def test_ecb_does_not_invent_unpublished_currency() -> None:
    with pytest.raises(RateUnavailable, match="NGN"):
        await EcbRates().rate("USD", "NGN")


# ---- files --------------------------------------------------------------------------------
def test_sample_file_is_marked_and_covers_non_ecb_currencies() -> None:
    doc = json.loads(SAMPLE_RATES_FILE.read_text())
    assert doc["sample"] is True and "SAMPLE" in doc["note"] and doc["as_of"]
    src = FileRates(SAMPLE_RATES_FILE)
    assert src.name == "sample:sample_rates.json"
    assert {"NGN", "KES", "GHS", "PKR", "BDT", "VND", "EGP", "AED"} <= src.currencies


async def test_csv_file_direct_inverse_and_cross(tmp_path: Path) -> None:
    path = tmp_path / "feed.csv"
    path.write_text(
        "base,quote,rate,as_of\n"
        "USD,NGN,1500,2026-11-25T10:00:00Z\n"
        "USD,KES,125,2026-11-25T09:00:00+00:00\n"
    )
    src = FileRates(path)
    assert src.name == "file:feed.csv"
    assert (await src.rate("USD", "NGN")).value == Decimal(1500)
    assert (await src.rate("NGN", "USD")).value == Decimal("0.000666666666667")
    cross = await src.rate("NGN", "KES")
    assert cross.value == Decimal("0.0833333333333")
    assert cross.as_of == datetime(2026, 11, 25, 9, tzinfo=UTC)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"as_of": "2026-11-25", "base": "USD", "rates": {"NGN": "-1"}}, "positive"),
        ({"as_of": "2026-11-25", "base": "USD", "rates": {"ZZZ": "1"}}, "unknown currency"),
        ({"as_of": "yesterday", "base": "USD", "rates": {"NGN": "1"}}, "ISO 8601"),
        ({"as_of": "2026-11-25", "base": "USD", "rates": {"NGN": "NaN"}}, "not a decimal"),
        ({"as_of": "2026-11-25", "base": "USD", "rates": {}}, "no rates"),
    ],
)
def test_bad_rates_file_refused(tmp_path: Path, body: dict, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(body))
    with pytest.raises(RatesFileError, match=message):
        FileRates(path)


def test_json_numbers_read_exactly(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_text('{"as_of": "2026-11-25T00:00:00Z", "base": "USD", "rates": {"NGN": 1500.1}}')
    assert FileRates(path).rate_now("USD", "NGN").value == Decimal("1500.1")


# ---- live source --------------------------------------------------------------------------
async def test_live_source_retries_then_answers_and_converts_float_through_str() -> None:
    client = FlakyClient(failures=2, answer=1.1)
    live = ForexPythonRates(client, attempts=3, backoff=0, clock=lambda: NOW)
    r = await live.rate("EUR", "USD")
    assert client.calls == 3 and r.value == Decimal("1.1") and r.source == "forex-python"
    assert r.as_of == NOW


async def test_live_timeout_becomes_rate_unavailable() -> None:
    client = HangingClient()
    live = ForexPythonRates(client, timeout=0.05, attempts=1, backoff=0)
    try:
        with pytest.raises(RateUnavailable, match="timed out"):
            await live.rate("EUR", "USD")
    finally:
        client.release.set()


async def test_chain_falls_through_failing_live_source() -> None:
    client = FlakyClient(failures=10)
    live = ForexPythonRates(client, attempts=2, backoff=0, clock=lambda: NOW)
    backup = FakeSource("backup", {("EUR", "USD"): "1.10"})
    chain = ChainedRates([live, backup], clock=lambda: NOW)
    r = await chain.rate("EUR", "USD")
    assert r.source == "backup" and client.calls == 2


async def test_chain_survives_a_source_that_raises_anything() -> None:
    class Broken:
        name = "broken"

        async def rate(self, base: str, quote: str) -> Rate:
            raise KeyError("bug")

    chain = ChainedRates([Broken(), FakeSource("ok", {("EUR", "USD"): "1.1"})], clock=lambda: NOW)
    assert (await chain.rate("EUR", "USD")).source == "ok"


# ---- chain: priority, pivot, staleness ----------------------------------------------------
async def test_chain_priority_first_fresh_source_wins() -> None:
    a = FakeSource("a", {("EUR", "USD"): "1.1"})
    b = FakeSource("b", {("EUR", "USD"): "1.2"})
    chain = ChainedRates([a, b], max_age=timedelta(days=30), clock=lambda: NOW)
    assert (await chain.rate("EUR", "USD")).value == Decimal("1.1") and b.calls == 0


async def test_cross_rate_through_pivot_names_both_sources() -> None:
    ecbish = FakeSource("ecb", {("EUR", "USD"): "1.1"}, as_of=SNAPSHOT)
    feed = FakeSource("feed", {("USD", "NGN"): "1500"}, as_of=SNAPSHOT - timedelta(days=1))
    chain = ChainedRates([feed, ecbish], max_age=timedelta(days=30), clock=lambda: NOW)
    r = await chain.rate("EUR", "NGN")
    assert r.value == Decimal("1650.0") and r.source == "ecb+feed"
    assert r.as_of == SNAPSHOT - timedelta(days=1)


async def test_chain_memo_reuses_an_answer_without_asking_again() -> None:
    a = FakeSource("a", {("EUR", "USD"): "1.1"})
    chain = ChainedRates([a], max_age=timedelta(days=1), clock=lambda: NOW, memo_s=60)
    for _ in range(5):
        assert (await chain.rate("EUR", "USD")).value == Decimal("1.1")
    assert a.calls == 1


async def test_chain_without_memo_asks_every_time() -> None:
    a = FakeSource("a", {("EUR", "USD"): "1.1"})
    chain = ChainedRates([a], max_age=timedelta(days=1), clock=lambda: NOW)
    for _ in range(3):
        await chain.rate("EUR", "USD")
    assert a.calls == 3


async def test_chain_memo_never_serves_a_rate_past_its_maximum_age() -> None:
    now = [NOW]
    a = FakeSource("a", {("EUR", "USD"): "1.1"}, as_of=NOW)
    b = FakeSource("b", {("USD", "NGN"): "1500"}, as_of=NOW)
    limits = {"a": timedelta(minutes=15), "b": timedelta(days=1)}
    chain = ChainedRates([a, b], max_age=limits, clock=lambda: now[0], memo_s=3600)
    await chain.rate("EUR", "USD")
    await chain.rate("EUR", "NGN")  # crossed: the stricter leg's limit applies to the memo
    now[0] = NOW + timedelta(minutes=16)
    with pytest.raises(RateUnavailable, match="older"):
        await chain.rate("EUR", "USD")
    with pytest.raises(RateUnavailable, match="older"):
        await chain.rate("EUR", "NGN")


async def test_stale_rate_refused_not_used() -> None:
    old = FakeSource("old", {("EUR", "USD"): "1.1"}, as_of=NOW - timedelta(hours=3))
    chain = ChainedRates([old], max_age=timedelta(hours=1), clock=lambda: NOW)
    with pytest.raises(RateUnavailable, match="older than the maximum age"):
        await chain.rate("EUR", "USD")


async def test_stale_source_falls_through_to_fresh_one() -> None:
    old = FakeSource("old", {("EUR", "USD"): "9"}, as_of=NOW - timedelta(hours=3))
    fresh = FakeSource("fresh", {("EUR", "USD"): "1.1"}, as_of=NOW)
    chain = ChainedRates([old, fresh], max_age={"old": timedelta(hours=1)}, clock=lambda: NOW)
    assert (await chain.rate("EUR", "USD")).source == "fresh"


async def test_source_own_max_age_applies() -> None:
    strict = FakeSource(
        "s", {("EUR", "USD"): "1"}, as_of=NOW - timedelta(minutes=20), max_age=timedelta(minutes=15)
    )
    with pytest.raises(RateUnavailable, match="older"):
        await ChainedRates([strict], clock=lambda: NOW).rate("EUR", "USD")


async def test_chain_identity_and_unknown_currency() -> None:
    chain = ChainedRates([FakeSource("x", {})], clock=lambda: NOW)
    assert (await chain.rate("USD", "USD")).value == 1
    with pytest.raises(CurrencyError):
        await chain.rate("USD", "ZZZ")
    with pytest.raises(RateUnavailable, match="USD/NGN"):
        await chain.rate("USD", "NGN")


# ---- the standard chain -------------------------------------------------------------------
async def test_default_chain_accepts_dated_snapshot_and_names_it() -> None:
    rates = default_rate_source(clock=lambda: NOW)
    usd_ngn = await rates.rate("USD", "NGN")
    assert usd_ngn.source == "sample:sample_rates.json"
    eur_kes = await rates.rate("EUR", "KES")
    assert eur_kes.source == "ecb+sample:sample_rates.json"
    assert (await rates.rate("GBP", "PHP")).source == "ecb"


async def test_default_chain_refuses_snapshot_when_strict() -> None:
    rates = default_rate_source(max_age=timedelta(days=5), clock=lambda: NOW)
    with pytest.raises(RateUnavailable, match="older than"):
        await rates.rate("GBP", "PHP")


async def test_default_chain_refuses_dead_ecb_currency() -> None:
    with pytest.raises(RateUnavailable):
        await default_rate_source(clock=lambda: NOW).rate("USD", "RUB")


async def test_default_chain_live_first_then_falls_through() -> None:
    def live(client: FlakyClient) -> ForexPythonRates:
        return ForexPythonRates(client, attempts=2, backoff=0, clock=lambda: NOW)

    good = default_rate_source(
        live=True, live_source=live(FlakyClient(0, "1.5")), clock=lambda: NOW
    )
    assert (await good.rate("USD", "NGN")).source == "forex-python"
    down = FlakyClient(failures=100)
    bad = default_rate_source(live=True, live_source=live(down), clock=lambda: NOW)
    assert (await bad.rate("USD", "NGN")).source == "sample:sample_rates.json"
    assert down.calls >= 1


async def test_live_cache_serves_repeat_pairs_and_skips_failures() -> None:
    from fx.rates import CachedRates

    clock = [NOW]
    client = FlakyClient(failures=1, answer="1.5")
    live = ForexPythonRates(client, attempts=1, backoff=0, clock=lambda: clock[0])
    cached = CachedRates(live, timedelta(seconds=30), clock=lambda: clock[0])
    with pytest.raises(RateUnavailable):
        await cached.rate("EUR", "USD")  # a failure is not remembered
    assert (await cached.rate("EUR", "USD")).value == Decimal("1.5")
    assert (await cached.rate("EUR", "USD")).value == Decimal("1.5") and client.calls == 2
    clock[0] += timedelta(seconds=31)
    await cached.rate("EUR", "USD")
    assert client.calls == 3 and cached.max_age == live.max_age

"""Rates a firm quote may use: ECB XML and rates files parsed into sets, stored by
`remit rates refresh`, strict mode refusing sample data and stale sets, freshness shown."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from aiohttp import web

from fx.rate import round_rate
from fx.rates import (
    RatesFileError,
    RateUnavailable,
    firm_rate_source,
    is_sample_source,
    parse_rates,
)
from fx.rateset import ECB, ECB_MAX_AGE, FILE, RateSet
from gateway.commands import main as remit
from tests.rates_support import published_ecb_day

NOW = datetime(2026, 12, 2, 12, tzinfo=UTC)


def ecb_xml(days: list[date], usd: str = "1.0550", php: str = "61.20") -> bytes:
    """An eurofxref document (daily: one day; 90-day history: several, newest first)."""
    cubes = "".join(
        f'<Cube time="{d.isoformat()}"><Cube currency="USD" rate="{usd}"/>'
        f'<Cube currency="PHP" rate="{php}"/><Cube currency="JPY" rate="161.5"/></Cube>'
        for d in days
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" '
        'xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">'
        "<gesmes:subject>Reference rates</gesmes:subject>"
        "<gesmes:Sender><gesmes:name>European Central Bank</gesmes:name></gesmes:Sender>"
        f"<Cube>{cubes}</Cube></gesmes:Envelope>"
    ).encode()


def test_ecb_daily_xml_is_read_at_its_publication_time() -> None:
    rates = parse_rates(ecb_xml([date(2026, 12, 1)]), "https://ecb.example/eurofxref-daily.xml")
    assert rates.kind == ECB
    assert rates.name == "ecb-ref:eurofxref-daily.xml"
    assert rates.pairs[("EUR", "USD")] == (Decimal("1.0550"), datetime(2026, 12, 1, 15, tzinfo=UTC))
    assert rates.as_of == datetime(2026, 12, 1, 15, tzinfo=UTC)
    assert rates.max_age == ECB_MAX_AGE == timedelta(days=4)


def test_ecb_90_day_history_uses_its_newest_day() -> None:
    days = [date(2026, 12, 1) - timedelta(days=n) for n in range(0, 90, 7)]
    doc = ecb_xml(list(reversed(days)))  # order in the file does not matter
    rates = parse_rates(doc, "eurofxref-hist-90d.xml")
    assert rates.as_of.date() == date(2026, 12, 1)
    assert len(rates.pairs) == 3


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        (b"<Envelope><Cube/></Envelope>", "no <Cube time"),
        (b'<!DOCTYPE x [<!ENTITY a "b">]><x/>', "document type"),
        (b"<x", "not XML"),
        (b'{"base": "USD", "as_of": "2026-12-01", "rates": {}}', "no rates"),
        (b"plain text", "ECB XML, .json or .csv"),
    ],
)
def test_bad_documents_are_refused(doc: bytes, message: str) -> None:
    with pytest.raises(RatesFileError, match=message):
        parse_rates(doc, "rates.txt")


def test_rate_set_survives_storage_exactly() -> None:
    rates = parse_rates(ecb_xml([date(2026, 12, 1)]), "eurofxref-daily.xml")
    again = RateSet.from_json(rates.kind, rates.origin, rates.to_json(), rates.sample)
    assert again == rates


async def test_strict_chain_never_uses_sample_or_embedded_rates() -> None:
    strict = firm_rate_source([], mode="strict", clock=lambda: NOW)
    with pytest.raises(RateUnavailable, match="no rates loaded"):
        await strict.rate("USD", "PHP")
    sample = firm_rate_source([], mode="sample", clock=lambda: NOW)
    assert is_sample_source((await sample.rate("USD", "PHP")).source)
    assert is_sample_source((await sample.rate("USD", "PKR")).source)


async def test_strict_chain_refuses_a_stale_set_naming_it() -> None:
    stale = parse_rates(ecb_xml([date(2026, 11, 20)]), "eurofxref-daily.xml")
    chain = firm_rate_source([stale], mode="strict", clock=lambda: NOW)
    with pytest.raises(RateUnavailable) as refused:
        await chain.rate("USD", "PHP")
    name, _as_of, age, limit = refused.value.stale[0]
    assert name == "ecb-ref:eurofxref-daily.xml"
    assert age == NOW - datetime(2026, 11, 20, 15, tzinfo=UTC)
    assert limit == ECB_MAX_AGE
    assert "11 days" in str(refused.value)


async def test_fresh_set_prices_a_cross_rate_through_eur() -> None:
    fresh = parse_rates(ecb_xml([date(2026, 12, 1)]), "eurofxref-daily.xml")
    chain = firm_rate_source([fresh], mode="strict", clock=lambda: NOW)
    rate = await chain.rate("USD", "PHP")
    assert rate.value == round_rate(Decimal("61.20") / Decimal("1.0550"))
    assert rate.source == "ecb-ref:eurofxref-daily.xml"
    assert not is_sample_source(rate.source)


async def test_strict_chain_refuses_a_sample_rates_file(tmp_path: Path) -> None:
    path = tmp_path / "mine.json"
    path.write_text(
        json.dumps(
            {"sample": True, "base": "USD", "as_of": NOW.isoformat(), "rates": {"PKR": "280"}}
        )
    )
    chain = firm_rate_source([], mode="strict", rates_file=path, clock=lambda: NOW)
    with pytest.raises(RateUnavailable):
        await chain.rate("USD", "PKR")


def _refresh(path: Path, capsys) -> dict:
    assert remit(["rates", "refresh", str(path)]) == 0
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


async def test_cli_refresh_stores_a_file_and_a_url(
    migrated_database_url, monkeypatch, tmp_path, capsys, aiohttp_server
) -> None:
    monkeypatch.setenv("REMIT_DATABASE_URL", migrated_database_url)
    feed = tmp_path / "feed.csv"
    feed.write_text(f"base,quote,rate,as_of\nUSD,PKR,281.5,{datetime.now(UTC).isoformat()}\n")
    import asyncio

    view = await asyncio.to_thread(_refresh, feed, capsys)
    assert (view["kind"], view["source"], view["pairs"], view["fresh"]) == (
        FILE,
        "file:feed.csv",
        1,
        True,
    )

    calls = []

    async def eurofxref(request: web.Request) -> web.Response:
        calls.append(request.path)
        if len(calls) == 1:  # the first answer fails: tenacity retries
            return web.Response(status=503)
        return web.Response(body=ecb_xml([datetime.now(UTC).date()]), content_type="text/xml")

    app = web.Application()
    app.router.add_get("/eurofxref-daily.xml", eurofxref)
    server = await aiohttp_server(app, host="127.0.0.1")
    url = str(server.make_url("/eurofxref-daily.xml"))
    view = await asyncio.to_thread(_refresh, url, capsys)
    assert view["source"] == "ecb-ref:eurofxref-daily.xml" and len(calls) == 2

    assert await asyncio.to_thread(remit, ["rates", "list"]) == 0
    listed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [v["kind"] for v in listed] == [ECB, FILE]


def test_cli_refuses_a_bad_file_and_stores_nothing(
    migrated_database_url, monkeypatch, tmp_path, capsys
) -> None:
    monkeypatch.setenv("REMIT_DATABASE_URL", migrated_database_url)
    bad = tmp_path / "bad.json"
    bad.write_text('{"base": "USD", "as_of": "2026-12-01", "rates": {"PKR": "-1"}}')
    assert remit(["rates", "refresh", str(bad)]) == 2
    assert "positive" in capsys.readouterr().err
    assert remit(["rates", "refresh", str(tmp_path / "missing.xml")]) == 2
    assert remit(["rates", "list"]) == 0
    assert capsys.readouterr().out.strip() == ""


async def test_server_shows_rate_freshness(gateway) -> None:
    from gateway.usecases import rates

    svc = gateway.svc
    fresh = parse_rates(
        ecb_xml([published_ecb_day(gateway.clock()) - timedelta(days=1)]), "daily.xml"
    )
    await rates.store(svc.engine, fresh, gateway.clock())
    assert await rates.reload(svc)
    body = await (await gateway.client.get("/readyz")).json()
    source = body["rates"]["sources"][0]
    assert source["source"] == "ecb-ref:daily.xml"
    assert source["max_age_s"] == 4 * 86400 and source["fresh"] is True
    assert 86400 <= source["age_s"] <= 2 * 86400
    text = await (await gateway.client.get("/metrics", headers=gateway.auth("operator"))).text()
    assert f'remit_rates_age_seconds{{source="ecb-ref:daily.xml"}} {float(source["age_s"])}' in text
    assert 'remit_rates_max_age_seconds{source="ecb-ref:daily.xml"} 345600.0' in text


async def test_scheduled_refresh_fetches_the_configured_url(gateway, aiohttp_server) -> None:
    from gateway.usecases import rates

    served = []

    async def eurofxref(request: web.Request) -> web.Response:
        served.append(1)
        return web.Response(
            body=ecb_xml([published_ecb_day(gateway.clock())]), content_type="text/xml"
        )

    app = web.Application()
    app.router.add_get("/daily.xml", eurofxref)
    server = await aiohttp_server(app, host="127.0.0.1")
    svc = gateway.svc
    svc.settings = replace(
        svc.settings, rates_url=str(server.make_url("/daily.xml")), rates_reload_s=3600
    )
    await rates.refresh_once(svc)
    assert served and [s.name for s in svc.rates.stored] == ["ecb-ref:daily.xml"]


async def test_sample_mode_says_so_on_every_quote(gateway) -> None:
    """The default of tests and `remit demo`: sample data, and every quote says it."""
    quote = await gateway.quote()
    assert quote["sample_rates"] is True
    assert "sample rates" in quote["rates_notice"]


async def test_sample_mode_receipt_says_so(gateway) -> None:
    sender = await gateway.customer()
    await gateway.top_up(sender["id"])
    rem = await gateway.send(sender=sender)
    await gateway.drain()
    resp = await gateway.client.get(f"/v1/remittances/{rem['id']}/receipt", headers=gateway.auth())
    assert resp.status == 200, await resp.text()
    body = await resp.json()
    assert body["sample_rates"] is True and "sample rates" in body["rates_notice"]

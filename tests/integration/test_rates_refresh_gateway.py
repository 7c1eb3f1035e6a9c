"""Rates through the gateway: `remit rates refresh` stores a file or a URL and refuses a bad file,
the server shows freshness and refreshes on schedule, sample mode says so on every quote and
receipt (parsing and the strict chain: tests/unit/test_rates_refresh.py)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from aiohttp import web

from fx.rates import (
    parse_rates,
)
from fx.rateset import ECB, FILE
from gateway.commands import main as remit
from tests.rates_support import published_ecb_day
from tests.unit.test_rates_refresh import ecb_xml


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

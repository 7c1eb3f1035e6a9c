"""Journey: an operator on a fresh install. A firm quote is refused (no rates, then stale rates,
each problem naming the source, its age and the fix) until `remit rates refresh FILE` loads
fresh ECB rates; then the quote prices from them and the remittance is paid out.
Public interfaces only: HTTP and the CLI."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import date, timedelta
from pathlib import Path

import pytest

from gateway.commands import main as remit
from tests.rates_support import published_ecb_day


@pytest.fixture
def gateway_settings() -> dict:
    return {"rates_mode": "strict"}  # what a deployment runs: no sample data for firm quotes


def eurofxref(day: date) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" '
        'xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">'
        f'<Cube><Cube time="{day.isoformat()}"><Cube currency="USD" rate="1.0550"/>'
        '<Cube currency="PHP" rate="61.20"/></Cube></Cube></gesmes:Envelope>'
    ).encode()


QUOTE = {"send_currency": "USD", "receive_currency": "PHP", "send_amount": "100.00"}


async def _refresh(path: Path) -> int:
    return await asyncio.to_thread(remit, ["rates", "refresh", str(path)])


async def test_quote_refused_on_stale_rates_then_paid_out_after_refresh(
    gateway, monkeypatch, tmp_path
) -> None:
    monkeypatch.setenv("REMIT_DATABASE_URL", gateway.svc.engine.url.render_as_string(False))
    http = gateway.client

    resp = await http.post("/v1/quotes", json=QUOTE, headers=gateway.auth())
    assert resp.status == 422
    problem = await resp.json()
    assert problem["type"].endswith("/rate-unavailable")
    assert "no rates loaded" in problem["detail"]
    assert "remit rates refresh" in problem["fix"]

    stale = tmp_path / "eurofxref-stale.xml"
    stale.write_bytes(eurofxref(published_ecb_day(gateway.clock()) - timedelta(days=10)))
    assert await _refresh(stale) == 0
    resp = await http.post("/v1/quotes", json=QUOTE, headers=gateway.auth())
    assert resp.status == 422
    problem = await resp.json()
    [named] = {s["source"]: s for s in problem["stale_sources"]}.values()
    assert named["source"] == "ecb-ref:eurofxref-stale.xml"
    assert 9 * 86400 < named["age_s"] < 11 * 86400 and named["max_age_s"] == 4 * 86400
    assert "ecb-ref:eurofxref-stale.xml" in problem["detail"]
    # ECB rates are as of 15:00 UTC on their day: the age in whole days depends on the hour.
    days = int(named["age_s"] // 86400)
    assert f"is {days} days" in problem["detail"] and "remit rates refresh" in problem["detail"]

    fresh = tmp_path / "eurofxref-daily.xml"
    fresh.write_bytes(eurofxref(published_ecb_day(gateway.clock())))
    assert await _refresh(fresh) == 0
    resp = await http.post("/v1/quotes", json=QUOTE, headers=gateway.auth())
    assert resp.status == 201, await resp.text()
    quote = await resp.json()
    assert quote["rate_source"] == "ecb-ref:eurofxref-daily.xml"
    assert quote["sample_rates"] is False and quote["rates_notice"] is None
    assert quote["mid_rate"] == "58.009478673"

    sender = await gateway.customer()
    await gateway.top_up(sender["id"])
    resp = await http.post(
        "/v1/remittances",
        json=gateway.remittance_body(quote["id"], sender["id"]),
        headers={**gateway.auth(), "Idempotency-Key": str(uuid.uuid4())},
    )
    assert resp.status == 201, await resp.text()
    remittance = await resp.json()
    await gateway.drain()
    assert (await gateway.get(remittance["id"]))["status"] == "paid_out"

    ready = await (await http.get("/readyz")).json()
    assert ready["rates"]["mode"] == "strict"
    assert {s["source"]: s["fresh"] for s in ready["rates"]["sources"]} == {
        "ecb-ref:eurofxref-daily.xml": True
    }
    assert json.dumps(ready)  # the body is plain JSON

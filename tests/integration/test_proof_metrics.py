"""/metrics and /readyz: figures an operator scrapes must move when the pipeline does, and
readiness must fail when the database does not answer."""

from __future__ import annotations

import re

from prometheus_client.parser import text_string_to_metric_families


async def scrape(gateway) -> dict[tuple[str, tuple], float]:
    resp = await gateway.client.get("/metrics", headers=gateway.auth("operator"))
    assert resp.status == 200, await resp.text()
    assert resp.headers["Content-Type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(await resp.text()):
        for s in family.samples:
            samples[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return samples


def value(samples, name: str, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def step_count(samples, status: str) -> float:
    return sum(
        v
        for (name, labels), v in samples.items()
        if name == "remit_step_seconds_count" and ("status", status) in labels
    )


async def test_metrics_follow_the_pipeline(gateway) -> None:
    before = await scrape(gateway)
    sender = await gateway.customer()
    await gateway.top_up(sender["id"])
    await gateway.send("100.00", sender=sender)
    bad = await gateway.customer(external_id="bad", name="Vladimir Vladimirovich Putin")
    await gateway.top_up(bad["id"])
    await gateway.send("100.00", sender=bad)
    await gateway.drain()
    after = await scrape(gateway)

    assert value(after, "remit_remittances", status="paid_out") == 1
    assert value(after, "remit_remittances", status="on_hold") == 1
    assert value(after, "remit_remittances", status="created") == 0
    held = "remit_screening_holds_total"
    assert (
        value(after, held, reason="sanctions_match") - value(before, held, reason="sanctions_match")
        == 1
    )
    for status in ("created", "screening", "awaiting_funds", "in_transit"):
        assert step_count(after, status) > step_count(before, status), status
    moved = "remit_transitions_total"
    assert value(after, moved, frm="payout_pending", to="paid_out") + value(
        after, moved, frm="in_transit", to="payout_pending"
    ) > value(before, moved, frm="payout_pending", to="paid_out") + value(
        before, moved, frm="in_transit", to="payout_pending"
    )


async def test_metrics_need_an_operator_key(gateway) -> None:
    resp = await gateway.client.get("/metrics")
    assert resp.status == 401
    assert resp.content_type == "application/problem+json"
    resp = await gateway.client.get("/metrics", headers=gateway.auth("sender-app"))
    assert resp.status == 403


async def test_partner_outage_is_counted(gateway) -> None:
    """With the partner unreachable, the payout is unknown (or retried) and errors are counted."""
    from gateway.storage.tables import partners

    async with gateway.svc.engine.begin() as conn:
        await conn.execute(partners.update().values(base_url="http://127.0.0.1:9"))
    before = await scrape(gateway)
    sender = await gateway.customer()
    await gateway.top_up(sender["id"])
    created = await gateway.send("100.00", sender=sender)
    await gateway.drain()
    after = await scrape(gateway)
    assert (await gateway.get(created["id"]))["status"] in ("in_transit", "payout_unknown")
    errors = [
        v - before.get(k, 0.0) for k, v in after.items() if k[0] == "remit_partner_errors_total"
    ]
    assert sum(errors) >= 1


async def test_readyz_checks_the_database(gateway, monkeypatch) -> None:
    from gateway.storage.engine import create_engine

    resp = await gateway.client.get("/readyz")
    assert resp.status == 200
    assert (await resp.json())["database"] == "ok"

    broken = create_engine("sqlite+aiosqlite:////nonexistent-dir/never/remit.db")
    monkeypatch.setattr(gateway.svc, "engine", broken)
    resp = await gateway.client.get("/readyz")
    assert resp.status == 503
    assert resp.content_type == "application/problem+json"
    body = await resp.json()
    assert body["status"] == 503 and re.search("database", body["detail"])
    await broken.dispose()


async def test_ops_routes_are_documented(gateway) -> None:
    doc = await (await gateway.client.get("/openapi.json")).json()
    assert {"/readyz", "/metrics", "/healthz"} <= set(doc["paths"])

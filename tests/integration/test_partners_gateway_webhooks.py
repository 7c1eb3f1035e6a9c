"""Outgoing webhooks to a local receiver: signed events with the history id as event id, in
order, retried with backoff after failures (same event id), and the sender told when a payout
fails permanently and is refunded."""

import pytest
import sqlalchemy as sa
from aiohttp import web

from corridors.signing import verify
from corridors.simulator import Faults
from gateway.storage.tables_partners import webhook_deliveries, webhook_endpoints
from gateway.webhooks import dispatcher
from tests.partners_support import faulty_sim, send_distinct

SECRET = "app-webhook-secret-0123456789"


class Receiver:
    """A sending app's endpoint on 127.0.0.1 that fails its first `fail_first` requests."""

    def __init__(self, fail_first: int = 0) -> None:
        self.fail_first = fail_first
        self.requests: list[tuple[dict, bytes, dict]] = []

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        self.requests.append((dict(request.headers), body, await request.json()))
        if len(self.requests) <= self.fail_first:
            return web.Response(status=503)
        return web.Response(status=204)


@pytest.fixture
async def session(gateway):
    async with gateway.svc.outbound.session() as s:  # the dispatcher's own kind of session
        yield s


async def _receiver(aiohttp_server, gateway, fail_first: int = 0) -> Receiver:
    receiver = Receiver(fail_first)
    app = web.Application()
    app.router.add_post("/hooks", receiver.handle)
    server = await aiohttp_server(app, host="127.0.0.1")
    resp = await gateway.client.put(
        "/v1/webhooks",
        json={"url": str(server.make_url("/hooks")), "secret": SECRET},
        headers=gateway.auth(),
    )
    assert resp.status == 200, await resp.text()
    return receiver


async def _pump(gateway, session) -> None:
    await dispatcher.enqueue(gateway.svc)
    await dispatcher.deliver_due(gateway.svc, session)


async def _one_remittance(gateway) -> str:
    sender = await gateway.customer()
    await gateway.top_up(sender["id"], "100.00")
    rem = await send_distinct(gateway, sender, 1)
    await gateway.drain()
    return rem["id"]


async def test_signed_events_in_order(gateway, aiohttp_server, session) -> None:
    receiver = await _receiver(aiohttp_server, gateway)
    rem_id = await _one_remittance(gateway)
    await _pump(gateway, session)
    history = (await gateway.get(rem_id))["history"]
    got = [doc for _, _, doc in receiver.requests]
    assert [d["type"] for d in got] == [f"remittance.{h['to']}" for h in history]
    assert got[-1]["type"] == "remittance.paid_out"
    ids = [d["id"] for d in got]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    for headers, body, doc in receiver.requests:
        assert headers["X-Remit-Event-Id"] == str(doc["id"])
        assert doc["data"]["remittance_id"] == rem_id
        verify([SECRET.encode()], headers, body, gateway.clock().timestamp())
        assert b"Maria" not in body  # no personal data in events
    # Nothing left to send: a second pump sends nothing.
    await _pump(gateway, session)
    assert len(receiver.requests) == len(history)


async def test_failures_retry_with_backoff_and_the_same_event_id(
    gateway, aiohttp_server, session
) -> None:
    receiver = await _receiver(aiohttp_server, gateway, fail_first=3)
    rem_id = await _one_remittance(gateway)
    await _pump(gateway, session)
    total = len((await gateway.get(rem_id))["history"])
    failed_ids = [doc["id"] for _, _, doc in receiver.requests[:3]]
    async with gateway.svc.engine.connect() as conn:
        waiting = (
            await conn.execute(
                sa.select(webhook_deliveries).where(webhook_deliveries.c.delivered_at.is_(None))
            )
        ).all()
    assert sorted(w.event_id for w in waiting) == failed_ids
    assert all(w.next_attempt_at > gateway.clock() and w.attempts == 1 for w in waiting)
    await _pump(gateway, session)  # not due yet: nothing sent
    assert len(receiver.requests) == total
    gateway.clock.advance(seconds=30)
    await _pump(gateway, session)
    resent = [doc["id"] for _, _, doc in receiver.requests[total:]]
    assert resent == failed_ids
    delivered = {doc["id"] for _, _, doc in receiver.requests[3:]}
    assert len(delivered) == total


async def test_sender_is_told_of_failure_and_refund(
    gateway, aiohttp_server, aiohttp_client, session
) -> None:
    receiver = await _receiver(aiohttp_server, gateway)
    await faulty_sim(gateway, aiohttp_client, session, Faults(seed=3, fail_rate=1.0))
    rem_id = await _one_remittance(gateway)
    await _pump(gateway, session)
    types = [doc["type"] for _, _, doc in receiver.requests]
    assert types[-2:] == ["remittance.failed", "remittance.refunded"]
    assert receiver.requests[-1][2]["data"]["remittance_id"] == rem_id


async def test_apps_without_an_endpoint_get_nothing_queued(gateway, session) -> None:
    await _one_remittance(gateway)
    assert await dispatcher.enqueue(gateway.svc) == 0


async def test_bad_webhook_url_is_refused_and_nothing_written(gateway) -> None:
    for body, field in (
        ({"url": "ftp://example.com/x"}, "url"),
        ({"url": "https://example.com/x", "secret": "short"}, "secret"),
        ({}, "url"),
    ):
        resp = await gateway.client.put("/v1/webhooks", json=body, headers=gateway.auth())
        assert resp.status == 422
        assert field in [e["field"] for e in (await resp.json())["errors"]], body
    async with gateway.svc.engine.connect() as conn:
        count = await conn.scalar(sa.select(sa.func.count()).select_from(webhook_endpoints))
    assert count == 0
    assert (await gateway.client.get("/v1/webhooks", headers=gateway.auth())).status == 404
    partner = await gateway.client.put(
        "/v1/webhooks", json={"url": "https://example.com/x"}, headers=gateway.auth("partner")
    )
    assert partner.status == 403


async def test_generated_secret_is_returned_once(gateway) -> None:
    body = {"url": "https://example.com/hooks"}
    resp = await gateway.client.put("/v1/webhooks", json=body, headers=gateway.auth())
    assert resp.status == 200
    assert len((await resp.json())["secret"]) >= 32
    shown = await (await gateway.client.get("/v1/webhooks", headers=gateway.auth())).json()
    assert shown["url"] == body["url"] and "secret" not in shown

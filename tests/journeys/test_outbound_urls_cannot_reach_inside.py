"""Webhook and partner URLs cannot reach inside (#20): loopback, link-local, private, multicast
and unspecified addresses are refused, as written, as their names resolve when registered, and
at every connection (DNS rebinding); plain http only with the development switch."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import pytest
import sqlalchemy as sa
from aiohttp import web
from aiohttp.abc import AbstractResolver

from corridors.outbound import Outbound, OutboundRule, parse_networks
from gateway.commands import main
from gateway.storage.tables_partners import webhook_deliveries, webhook_endpoints
from gateway.webhooks import dispatcher
from tests.partners_support import stored_partner

PUBLIC = "93.184.216.34"
SECRET = "app-webhook-secret-0123456789"


@pytest.fixture
def gateway_settings() -> dict:
    return {"outbound": OutboundRule()}  # production: https to public addresses only


class Dns(AbstractResolver):
    """The gateway's resolver port answered from a table the test changes (a rebinding DNS)."""

    def __init__(self) -> None:
        self.table: dict[str, str] = {}

    async def resolve(self, host: str, port: int = 0, family: int = socket.AF_INET) -> list:
        if host not in self.table:
            raise OSError(f"{host} does not resolve")
        address = self.table[host]
        return [
            {
                "hostname": host,
                "host": address,
                "port": port,
                "family": socket.AF_INET6 if ":" in address else socket.AF_INET,
                "proto": 0,
                "flags": socket.AI_NUMERICHOST,
            }
        ]

    async def close(self) -> None:
        return None


INSIDE = [
    "http://127.0.0.1:8080/hooks",
    "https://127.0.0.1:8080/hooks",
    "https://169.254.169.254/latest/meta-data",
    "https://[::1]:5432/",
    "https://10.0.0.1/hooks",
    "https://192.168.1.20/hooks",
    "https://localhost:22/",  # a name: refused for what it resolves to
    "https://127.1/",
    "https://[::ffff:127.0.0.1]/",
    "https://0.0.0.0/",
    "https://224.0.0.1/",
    "https://[fe80::1]/",
    "http://example.com/hooks",  # not https
]


async def _endpoints(gateway) -> int:
    async with gateway.svc.engine.connect() as conn:
        return await conn.scalar(sa.select(sa.func.count()).select_from(webhook_endpoints))


async def test_webhook_urls_inside_are_refused_naming_the_field(gateway) -> None:
    for url in INSIDE:
        resp = await gateway.client.put(
            "/v1/webhooks", json={"url": url, "secret": SECRET}, headers=gateway.auth()
        )
        assert resp.status == 422, (url, await resp.text())
        problem = await resp.json()
        assert resp.content_type == "application/problem+json"
        assert [e["field"] for e in problem["errors"]] == ["url"], url
    assert await _endpoints(gateway) == 0
    public = await gateway.client.put(
        "/v1/webhooks", json={"url": f"https://{PUBLIC}/hooks"}, headers=gateway.auth()
    )
    assert public.status == 200, await public.text()


async def _receiver(aiohttp_server) -> tuple[list[bytes], int]:
    seen: list[bytes] = []

    async def handle(request: web.Request) -> web.Response:
        seen.append(await request.read())
        return web.Response(status=204)

    app = web.Application()
    app.router.add_post("/hooks", handle)
    server = await aiohttp_server(app, host="127.0.0.1")
    return seen, server.port


async def _one_event(gateway) -> None:
    sender = await gateway.customer()
    resp = await gateway.client.post(
        "/v1/remittances",
        json=gateway.remittance_body((await gateway.quote())["id"], sender["id"]),
        headers={**gateway.auth(), "Idempotency-Key": "rebind-1"},
    )
    assert resp.status == 201, await resp.text()
    assert await dispatcher.enqueue(gateway.svc) >= 1


async def _last_errors(gateway) -> list[str | None]:
    async with gateway.svc.engine.connect() as conn:
        return list(
            (await conn.execute(sa.select(webhook_deliveries.c.last_error))).scalars().all()
        )


@pytest.mark.parametrize("gateway_settings", [{"outbound": OutboundRule(allow_http=True)}])
async def test_a_name_rebound_inside_after_registration_reaches_nothing(
    gateway, aiohttp_server
) -> None:
    seen, port = await _receiver(aiohttp_server)
    dns = Dns()
    gateway.svc.outbound.resolver = dns
    url = f"http://hooks.app.test:{port}/hooks"
    dns.table["hooks.app.test"] = "127.0.0.1"  # resolves inside now: refused
    refused = await gateway.client.put("/v1/webhooks", json={"url": url}, headers=gateway.auth())
    assert refused.status == 422
    assert "resolves to 127.0.0.1" in (await refused.json())["errors"][0]["message"]
    dns.table["hooks.app.test"] = PUBLIC  # public when registered ...
    ok = await gateway.client.put("/v1/webhooks", json={"url": url}, headers=gateway.auth())
    assert ok.status == 200, await ok.text()
    await _one_event(gateway)
    dns.table["hooks.app.test"] = "127.0.0.1"  # ... rebound inside before delivery
    async with gateway.svc.outbound.session() as session:
        assert await dispatcher.deliver_due(gateway.svc, session) == 0
    assert seen == []
    assert all(e and e.startswith("refused") for e in await _last_errors(gateway))
    # The same delivery through a rule that opens 127.0.0.1 arrives: only the rule stopped it.
    gateway.clock.advance(hours=2)
    opened = Outbound(OutboundRule(allow_http=True, allow=parse_networks("127.0.0.1")), dns)
    async with opened.session() as session:
        gateway.svc.outbound = opened
        assert await dispatcher.deliver_due(gateway.svc, session) >= 1
    assert seen


async def test_a_url_stored_before_the_rule_is_refused_at_delivery(gateway, aiohttp_server) -> None:
    seen, port = await _receiver(aiohttp_server)
    now = gateway.clock()
    async with gateway.svc.engine.begin() as conn:
        await conn.execute(
            webhook_endpoints.insert().values(
                owner="test-sender-app",
                url=f"http://127.0.0.1:{port}/hooks",
                secrets=[{"secret": SECRET, "created_at": now.isoformat(), "expires_at": None}],
                created_at=now,
                updated_at=now,
            )
        )
    await _one_event(gateway)
    async with gateway.svc.outbound.session() as session:
        assert await dispatcher.deliver_due(gateway.svc, session) == 0
    assert seen == []
    assert all(e and e.startswith("refused") for e in await _last_errors(gateway))


async def test_the_partner_connection_obeys_the_rule(gateway) -> None:
    """The simulator listens on 127.0.0.1: with the production rule no instruction reaches
    it, whatever the stored base URL says."""
    rem = await gateway.send()
    await gateway.drain()
    listed = await (await gateway.sim.get("/_sim/payouts")).json()
    assert listed["payouts"] == {}
    assert (await gateway.get(rem["id"]))["status"] != "paid_out"


def _add(*args: str) -> list[str]:
    return ["partners", "add", "acme", "--secret", "s" * 20, *args]


async def _partner(url: str):
    return await stored_partner(url, "acme")


async def test_operator_partner_urls_follow_the_same_rule(
    migrated_database_url, monkeypatch, capsys
) -> None:
    monkeypatch.setenv("REMIT_DATABASE_URL", migrated_database_url)
    monkeypatch.delenv("REMIT_OUTBOUND_HTTP", raising=False)
    monkeypatch.delenv("REMIT_OUTBOUND_ALLOW", raising=False)
    refused: list[list[str]] = [
        _add("--url", "http://127.0.0.1:9"),
        _add("--url", "https://10.0.0.1/api"),
        _add("--url", "https://localhost:22"),
        _add("--url", f"http://{PUBLIC}/api"),
        _add("--payin", "--url", "https://169.254.169.254/"),
        _add("--url", f"https://{PUBLIC}/api", "--callback-url", "https://[::1]/cb"),
    ]
    for args in refused:
        assert await asyncio.to_thread(main, args) == 2, args
        err = capsys.readouterr().err
        assert "--url" in err or "--callback-url" in err, err
        assert await _partner(migrated_database_url) is None
    assert await asyncio.to_thread(main, _add("--url", f"https://{PUBLIC}/api")) == 0
    # The development opening: the simulator on this machine over http.
    monkeypatch.setenv("REMIT_OUTBOUND_HTTP", "on")
    monkeypatch.setenv("REMIT_OUTBOUND_ALLOW", "127.0.0.1")
    assert await asyncio.to_thread(main, _add("--url", "http://127.0.0.1:9")) == 0
    partner: Any = await _partner(migrated_database_url)
    assert partner.base_url == "http://127.0.0.1:9"

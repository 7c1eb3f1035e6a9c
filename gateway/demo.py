"""`remit demo`: the whole path on one machine. A fresh SQLite file (unless REMIT_DATABASE_URL is
set), the partner simulator and the gateway on free local ports, one remittance through the
HTTP API, each state change printed as it happens, and a final JSON line. `--partner remit`
(default): 100 USD to a mobile wallet in the Philippines, our JSON partner API. `--partner
iso20022`: 100 GBP to a euro IBAN through the simulator's ISO 20022 bank mode (pacs.008 out,
pacs.002 back, each validated against its XSD). `--partner mojaloop`: 100 USD to an M-Pesa-style
wallet in Kenya through the simulator's Mojaloop switch mode (party lookup, quote, transfer,
each answered 202 and then by a JWS-signed PUT callback to the gateway)."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import sys
import tempfile
import uuid
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from corridors.outbound import OutboundRule, parse_networks
from corridors.simulator import Faults, create_simulator_app
from gateway.app import create_app
from gateway.chain import enabled as chain_enabled
from gateway.config import Settings, sqlite_url
from gateway.domain.states import TERMINAL
from gateway.logs import configure_logging
from gateway.services import utc_now
from gateway.storage.engine import create_engine
from gateway.storage.keys import create_key
from gateway.storage.migrate import upgrade_async
from gateway.storage.partners import upsert_partner

DEMO_PARTNER = "sim-ph-wallet"
# The simulator's address on the (embedded) chain; no key of it exists here, and no sanctions
# list names it.
DEMO_PARTNER_ADDRESS = "0x000000000000000000000000000000000000dEaD"
TIMEOUT_S = 60.0


@dataclass(frozen=True)
class DemoRoute:
    """What one `--partner` choice sends, and to whom."""

    partner_id: str
    send_country: str
    send_currency: str
    receive_currency: str
    recipient: dict[str, str]


ROUTES = {
    "remit": DemoRoute(
        DEMO_PARTNER, "US", "USD", "PHP", {"name": "Maria Dela Cruz", "phone": "+639171234567"}
    ),
    "iso20022": DemoRoute(
        "sim-eu-sepa",
        "GB",
        "GBP",
        "EUR",
        {"name": "Marie Dupont", "iban": "DE89370400440532013000", "bic": "COBADEFFXXX"},
    ),
    "mojaloop": DemoRoute(
        "sim-ke-mojaloop", "US", "USD", "KES", {"name": "Wanjiku Kamau", "phone": "+254712345678"}
    ),
}


async def _serve(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app, shutdown_timeout=5)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    return runner, f"http://{host}:{port}"


async def _prepare(
    settings: Settings, sim_url: str, secret: str, partner_id: str = DEMO_PARTNER
) -> tuple[str, str]:
    """Schema, the simulator as the corridor's partner, and two keys (sending app, operator)."""
    await upgrade_async(settings.database_url)
    engine = create_engine(settings.database_url)
    try:
        async with engine.begin() as conn:
            now = utc_now()
            await upsert_partner(
                conn,
                partner_id,
                name="Partner simulator",
                base_url=sim_url,
                secret=secret,
                now=now,
                chain_address=DEMO_PARTNER_ADDRESS if chain_enabled(settings) else None,
            )
            app_key, _ = await create_key(conn, "demo-app", "sender-app", None, now)
            ops_key, _ = await create_key(conn, "demo-operator", "operator", None, now)
    finally:
        await engine.dispose()
    return app_key, ops_key


async def _callback_base(
    settings: Settings, partner_id: str, sim_url: str, secret: str, base: str
) -> None:
    engine = create_engine(settings.database_url)
    try:
        async with engine.begin() as conn:
            await upsert_partner(
                conn,
                partner_id,
                name="Partner simulator (Mojaloop switch)",
                base_url=sim_url,
                secret=secret,
                now=utc_now(),
                callback_url=f"{base}/v1/fspiop/{partner_id}",
                chain_address=DEMO_PARTNER_ADDRESS if chain_enabled(settings) else None,
            )
    finally:
        await engine.dispose()


async def _call(
    http: aiohttp.ClientSession, method: str, url: str, key: str, body: Any = None, **headers: str
) -> dict[str, Any]:
    async with http.request(
        method, url, json=body, headers={"Authorization": f"Bearer {key}", **headers}
    ) as resp:
        data = await resp.json(content_type=None)
        if resp.status >= 400:
            raise RuntimeError(f"{method} {url} -> {resp.status}: {data}")
        return data


async def _send_one(base: str, app_key: str, ops_key: str, route: DemoRoute) -> dict[str, Any]:
    async with aiohttp.ClientSession() as http:
        sender = await _call(
            http,
            "PUT",
            f"{base}/v1/customers",
            app_key,
            {
                "external_id": "demo-sender-1",
                "name": "Ana Reyes Cruz",
                "phone": "+14155550123",
                "mobile_number_verified": True,  # the demo app confirmed it by a code
                "country": route.send_country,
            },
        )
        print(f"sender {sender['id']} ({sender['tier']}, {sender['status']})")
        wallet = await _call(
            http,
            "POST",
            f"{base}/v1/customers/{sender['id']}/wallet/topups",
            ops_key,
            {"amount": "500.00", "currency": route.send_currency},
            **{"Idempotency-Key": f"demo-topup-{uuid.uuid4()}"},
        )
        print(f"wallet topped up: {wallet['balances'][0]['available']} {route.send_currency}")
        quote = await _call(
            http,
            "POST",
            f"{base}/v1/quotes",
            app_key,
            {
                "send_currency": route.send_currency,
                "receive_currency": route.receive_currency,
                "send_amount": "100.00",
            },
        )
        print(
            f"quote {quote['id']}: send {quote['send_amount']} {route.send_currency}, "
            f"fee {quote['fee']}, rate {quote['rate']} (mid {quote['mid_rate']}, "
            f"{quote['rate_source']}), receive {quote['receive_amount']} "
            f"{route.receive_currency}, expires {quote['expires_at']}"
            + (f" [{quote['rates_notice']}]" if quote.get("sample_rates") else "")
        )
        remittance = await _call(
            http,
            "POST",
            f"{base}/v1/remittances",
            app_key,
            {
                "quote_id": quote["id"],
                "sender_id": sender["id"],
                "recipient": route.recipient,
                "funding_method": "wallet",
            },
            **{"Idempotency-Key": f"demo-{uuid.uuid4()}"},
        )
        return await _follow(http, base, app_key, remittance["id"])


async def _follow(
    http: aiohttp.ClientSession, base: str, key: str, remittance_id: str
) -> dict[str, Any]:
    seen = 0
    deadline = asyncio.get_running_loop().time() + TIMEOUT_S
    while True:
        current = await _call(http, "GET", f"{base}/v1/remittances/{remittance_id}", key)
        for step in current["history"][seen:]:
            print(f"  {step['from'] or '-':>15} -> {step['to']:<15} {step['reason']}", flush=True)
        seen = len(current["history"])
        if current["status"] in TERMINAL or current["status"] in ("on_hold", "requote"):
            return current
        if asyncio.get_running_loop().time() > deadline:
            return current
        await asyncio.sleep(0.05)  # polling a status the way a client would; not a test


async def _ledger_balanced(settings: Settings) -> tuple[bool, list[str]]:
    from gateway.usecases.ledger import is_balanced, totals_by_asset
    from ledger_adapter.sql import SqlLedger

    engine = create_engine(settings.database_url)
    try:
        ledger = SqlLedger(engine, hmac_key=settings.ledger_hmac_key)
        return is_balanced(await totals_by_asset(ledger)), await ledger.check()
    finally:
        await engine.dispose()


async def run_demo(settings: Settings, partner: str = "remit") -> int:
    route = ROUTES[partner]
    configure_logging(os.environ.get("REMIT_LOG_LEVEL", "warning"), settings.json_logs)
    tmp = None
    if not os.environ.get("REMIT_RATES_MODE"):
        # A demo prices from the shipped sample rates (every quote says so) unless the
        # operator chose otherwise (then `remit rates refresh` must have loaded fresh rates).
        settings = replace(settings, rates_mode="sample")
    # The simulator listens on 127.0.0.1 over http: the outbound rule's development opening,
    # for this machine's loopback only, beside whatever REMIT_OUTBOUND_ALLOW already opens.
    settings = replace(
        settings,
        outbound=OutboundRule(
            allow_http=True, allow=settings.outbound.allow + parse_networks("127.0.0.1")
        ),
    )
    if not os.environ.get("REMIT_DATABASE_URL"):
        tmp = tempfile.TemporaryDirectory(prefix="remit-demo-")
        settings = replace(settings, database_url=sqlite_url(Path(tmp.name) / "demo.db"))
    secret = secrets.token_urlsafe(24)
    sim_runner, sim_url = await _serve(create_simulator_app(Faults(), secret.encode()))
    gateway_runner = None
    try:
        app_key, ops_key = await _prepare(settings, sim_url, secret, route.partner_id)
        print(f"partner simulator on {sim_url} ({partner} protocol, partner {route.partner_id})")
        gateway_runner, base = await _serve(create_app(settings))
        print(f"gateway on {base} (database {settings.database_url})")
        if partner == "mojaloop":  # the switch calls our FSPIOP endpoint back
            await _callback_base(settings, route.partner_id, sim_url, secret, base)
        final = await _send_one(base, app_key, ops_key, route)
        await gateway_runner.cleanup()
        gateway_runner = None
        balanced, findings = await _ledger_balanced(settings)
        chain_findings = await _chain_reconciled(settings)
    finally:
        if gateway_runner is not None:
            await gateway_runner.cleanup()
        await sim_runner.cleanup()
    for finding in findings:
        print(f"ledger check: {finding}", file=sys.stderr)
    summary = {
        "remittance_id": final["id"],
        "status": final["status"],
        "send_amount": final["send_amount"],
        "send_currency": final["send_currency"],
        "fee": final["fee"],
        "receive_amount": final["receive_amount"],
        "receive_currency": final["receive_currency"],
        "partner_reference": final["partner_reference"],
        "ledger_balanced": balanced,
        "ledger_check": findings or "ok",
    }
    if chain_findings is not None:
        for finding in chain_findings:
            print(f"chain reconcile: {finding}", file=sys.stderr)
        settlement = final.get("chain_settlement") or {}
        summary["settlement_tx"] = settlement.get("tx_hash")
        summary["settlement_log_index"] = settlement.get("log_index")
        summary["chain_reconciled"] = not chain_findings
    print(json.dumps(summary))
    if tmp is not None:
        tmp.cleanup()
    chain_ok = chain_findings is None or (not chain_findings and summary["settlement_tx"])
    ok = final["status"] == "paid_out" and balanced and not findings and chain_ok
    return 0 if ok else 1


async def _chain_reconciled(settings: Settings) -> list[str] | None:
    """`remit chain reconcile` on what the demo did (None: chain off)."""
    from gateway.chain import enabled, reconcile_with_books

    if not enabled(settings):
        return None
    engine = create_engine(settings.database_url)
    try:
        return await reconcile_with_books(settings, engine)
    finally:
        await engine.dispose()

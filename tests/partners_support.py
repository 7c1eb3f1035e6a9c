"""Helpers for the partner tests: a faulty simulator wired to the gateway on the test clock,
signed callbacks, and driving the pipeline until every remittance is final."""

from __future__ import annotations

import json
from typing import Any

import aiohttp

from corridors.breaker import CircuitBreaker
from corridors.iso20022_partner import Iso20022PayoutPartner
from corridors.mojaloop_partner import MojaloopPayoutPartner
from corridors.payout import HttpPayoutPartner
from corridors.signing import signature_headers
from corridors.simulator import Faults, create_simulator_app
from tests.conftest import add_partner

PARTNER = "sim-ph-wallet"
SECRET = b"faulty-partner-secret"
FINAL = {"paid_out", "refunded"}


async def register(
    gateway, partner_id: str, *, base_url=None, kinds="payout", callback=True, fspiop=False
):
    """(Re)register a partner with SECRET; callbacks go to this gateway's test server (for a
    Mojaloop switch, our FSPIOP callback base)."""
    path = f"/v1/fspiop/{partner_id}" if fspiop else f"/v1/partner/callbacks/{partner_id}"
    callback_url = str(gateway.client.make_url(path)) if callback else None
    await add_partner(
        gateway.svc.engine,
        partner_id,
        base_url=base_url,
        secret=SECRET.decode(),
        callback_url=callback_url,
        kinds=kinds,
        now=gateway.clock(),
    )


async def stored_partner(database_url: str, partner_id: str, at=None) -> Any:
    """The partner stored in that database (None without one), its secrets those valid `at`
    (now unless given); read through an engine of its own, as a CLI run leaves it."""
    from gateway.services import utc_now
    from gateway.storage.engine import create_engine
    from gateway.storage.partners import get_partner

    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            return await get_partner(conn, partner_id, at or utc_now())
    finally:
        await engine.dispose()


ADAPTERS = {
    "remit": HttpPayoutPartner,
    "iso20022": Iso20022PayoutPartner,
    "mojaloop": MojaloopPayoutPartner,
}
"""The payout protocols the fault and crash tests run against (see ADAPTERS users)."""


def quick_adapter(adapter, base_url: str, partner_id: str, secret: bytes, session, **options):
    """A payout adapter (class `adapter`) with quick retries, so that fault runs stay fast;
    `options` add to or override them (timeouts, attempts, a breaker, a clock...)."""
    quick = {"backoff_base_s": 0.001, "backoff_max_s": 0.002}
    return adapter(base_url, partner_id, secret, session, **{**quick, **options})


async def faulty_sim(
    gateway,
    aiohttp_client,
    session: aiohttp.ClientSession,
    faults: Faults,
    protocol: str = "remit",
):
    """A simulator with `faults` as PARTNER, signing and timing on the test clock, and an HTTP
    adapter of `protocol` with short timeouts and quick retries so fault runs stay fast."""

    def epoch() -> float:
        return gateway.clock().timestamp()

    sim = await aiohttp_client(create_simulator_app(faults, SECRET, clock=epoch))
    base = str(sim.make_url("")).rstrip("/")
    await register(gateway, PARTNER, base_url=base, fspiop=protocol == "mojaloop")
    extra = {}
    if protocol == "mojaloop":  # callbacks reach the adapter through the gateway's hub
        extra = {"hub": gateway.svc.partners.hub, "callback_wait_s": 0.3}
    adapter = quick_adapter(
        ADAPTERS[protocol],
        base,
        PARTNER,
        SECRET,
        session,
        timeout_s=0.15,
        max_attempts=3,
        backoff_base_s=0.005,
        backoff_max_s=0.02,
        breaker=CircuitBreaker(PARTNER, failure_threshold=5, reset_timeout_s=30, clock=epoch),
        clock=epoch,
        **extra,
    )
    gateway.svc.partners.install(PARTNER, adapter, protocol)
    return sim


def signed(doc: dict[str, Any], secret: bytes, at: float) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()
    headers = {"Content-Type": "application/json", **signature_headers(secret, body, at)}
    return body, headers


async def post_callback(gateway, doc, *, partner=PARTNER, secret=SECRET, skew_s: float = 0):
    body, headers = signed(doc, secret, gateway.clock().timestamp() + skew_s)
    return await gateway.client.post(f"/v1/partner/callbacks/{partner}", data=body, headers=headers)


async def settle_all(gateway, ids: list[str], rounds: int = 40) -> dict[str, dict]:
    """Drain, move time past retry delays, drain again, until every remittance is final."""
    states: dict[str, dict] = {}
    for _ in range(rounds):
        await gateway.drain()
        states = {i: await gateway.get(i) for i in ids}
        if all(s["status"] in FINAL for s in states.values()):
            return states
        gateway.clock.advance(minutes=6)
    stuck = {i: s["status"] for i, s in states.items() if s["status"] not in FINAL}
    raise AssertionError(f"not settled: {stuck}")


async def sim_payouts(sim) -> dict:
    return await (await sim.get("/_sim/payouts")).json()


async def balance(gateway, customer_id: str) -> str:
    resp = await gateway.client.get(f"/v1/customers/{customer_id}/wallet", headers=gateway.auth())
    return (await resp.json())["balances"][0]["available"]


async def send_distinct(gateway, sender: dict, index: int, amount: str = "50.00") -> dict:
    """A remittance to a recipient of its own (one recipient for many senders is fan-in)."""
    import uuid

    quote = await gateway.quote(amount)
    body = gateway.remittance_body(quote["id"], sender["id"], phone=f"+63917{index:07d}")
    resp = await gateway.client.post(
        "/v1/remittances",
        json=body,
        headers={**gateway.auth(), "Idempotency-Key": str(uuid.uuid4())},
    )
    assert resp.status == 201, await resp.text()
    return await resp.json()

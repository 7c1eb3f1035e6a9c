"""The gateway with a Mojaloop switch (the shipped US-KE-WALLET corridor, whose partner speaks
mojaloop per the corridors file) and the simulator's switch mode: every request we send and
every callback we get matches the published FSPIOP v2.0 OpenAPI; a lost transfer callback is
settled by GET /transfers/{id}, never a blind resend; a transfer is sent again only after the
switch says it never had it (3208); corrupted or unsigned callbacks change nothing."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from corridors import fspiop
from corridors.mojaloop_partner import MojaloopPayoutPartner
from corridors.simulator import Faults, create_simulator_app
from gateway.storage.tables import remittances
from tests.fspiop_openapi import validate
from tests.partners_support import register

PARTNER = "sim-ke-mojaloop"
SEED = 4
SECRET = b"faulty-partner-secret"  # partners_support.register's


@pytest.fixture
async def switch(gateway, aiohttp_client):
    """The switch mode as PARTNER, on the gateway's clock; `quick` installs an adapter that
    waits briefly for callbacks (the shipped one waits REMIT_PARTNER_TIMEOUT_S)."""

    def epoch() -> float:
        return gateway.clock().timestamp()

    async def make(faults: Faults, quick: bool = False):
        sim = await aiohttp_client(create_simulator_app(faults, SECRET, clock=epoch))
        base = str(sim.make_url("")).rstrip("/")
        await register(gateway, PARTNER, base_url=base, fspiop=True)
        if quick:
            adapter = MojaloopPayoutPartner(
                base,
                PARTNER,
                SECRET,
                gateway.client.session,
                timeout_s=1,
                max_attempts=2,
                backoff_base_s=0.001,
                backoff_max_s=0.002,
                hub=gateway.svc.partners.hub,
                callback_wait_s=0.3,
                clock=epoch,
            )
            gateway.svc.partners.install(PARTNER, adapter)
        return sim

    return make


async def send_kes(gateway, index: int, amount: str = "50.00") -> dict:
    sender = await gateway.customer(external_id=f"ke-{index}")
    await gateway.top_up(sender["id"], "200.00")
    quote = await gateway.quote(amount, receive_currency="KES")
    recipient = {"name": "Wanjiku Kamau", "phone": f"+2547{index:08d}"}
    resp = await gateway.client.post(
        "/v1/remittances",
        json={"quote_id": quote["id"], "sender_id": sender["id"], "recipient": recipient},
        headers={**gateway.auth(), "Idempotency-Key": str(uuid.uuid4())},
    )
    assert resp.status == 201, await resp.text()
    return await resp.json()


async def messages(sim) -> list[dict]:
    return (await (await sim.get("/_sim/fspiop/log")).json())["messages"]


def operations(log: list[dict]) -> list[str]:
    return [validate(m["method"], m["path"], m["headers"], m["body"]) for m in log]


async def test_wallet_payout_every_message_matches_the_fspiop_openapi(gateway, switch) -> None:
    sim = await switch(Faults(seed=1))
    ids = [(await send_kes(gateway, i))["id"] for i in range(2)]
    await gateway.drain()
    for i in ids:
        final = await gateway.get(i)
        assert final["status"] == "paid_out", final["history"][-1]
        assert final["partner_reference"].startswith("SIM-")
    log = await messages(sim)
    seen = operations(log)  # each one validated against the published spec
    assert sorted(set(seen)) == sorted(
        {
            "PartiesByTypeAndID",
            "PartiesByTypeAndID2",
            "Quotes",
            "QuotesByID1",
            "transfers",
            "TransfersByIDPut",
        }
    ), seen
    posted = [m for m in log if m["method"] == "POST" and m["path"] == "/transfers"]
    assert len(posted) == 2
    for m in posted:  # the condition we sent is the quote's; the fulfilment hashed to it
        assert fspiop.payout_id_of(m["body"]["transferId"]) in ids
    assert (await (await sim.get("/_sim/payouts")).json())["total_payments"] == 2


async def test_lost_callback_is_settled_by_get_transfers(gateway, switch) -> None:
    sim = await switch(Faults(seed=2, lost_callback_rate=1.0), quick=True)
    rem = await send_kes(gateway, 0)
    await gateway.drain()
    final = await gateway.get(rem["id"])
    assert final["status"] == "paid_out"
    assert [h["to"] for h in final["history"]][-3:] == ["in_transit", "payout_unknown", "paid_out"]
    log = await messages(sim)
    operations(log)
    requests = [(m["method"], m["path"].split("/")[1]) for m in log if m["direction"] == "request"]
    assert requests.count(("POST", "transfers")) == 1  # never a blind resend
    assert ("GET", "transfers") in requests
    assert (await (await sim.get("/_sim/payouts")).json())["total_payments"] == 1


async def test_sent_again_only_after_the_switch_never_had_it(gateway, switch) -> None:
    # Seeded so that the first POST /transfers fails both attempts with 503 before the switch
    # records anything, and a later one gets through.
    sim = await switch(Faults(seed=SEED, error_rate=0.5), quick=True)
    rem = await send_kes(gateway, 0)
    await gateway.drain()
    final = await gateway.get(rem["id"])
    assert final["status"] == "paid_out"
    path = [h["to"] for h in final["history"]]
    assert path[-5:] == ["in_transit", "payout_unknown", "in_transit", "payout_pending", "paid_out"]
    errors = [m for m in await messages(sim) if m["path"].endswith("/error")]
    assert errors and errors[0]["body"]["errorInformation"]["errorCode"] == "3208"
    assert (await (await sim.get("/_sim/payouts")).json())["total_payments"] == 1


async def row(gateway, remittance_id: str):
    async with gateway.svc.engine.connect() as conn:
        query = sa.select(remittances).where(remittances.c.id == remittance_id)
        return (await conn.execute(query)).one()


async def put(gateway, path: str, body: bytes, secret: bytes = SECRET, **signed):
    headers = fspiop.headers(
        resource=path.strip("/").split("/")[0],
        method="PUT",
        uri=signed.get("uri", path),
        source="payeefsp",
        destination="remitgateway",
        body=body,
        secret=secret,
        now=datetime.fromtimestamp(gateway.clock().timestamp(), UTC),
        request=False,
    )
    return await gateway.client.put(f"/v1/fspiop/{PARTNER}{path}", data=body, headers=headers)


async def test_corrupted_callbacks_are_refused_and_change_nothing(gateway, switch) -> None:
    await switch(Faults(seed=4, pay_delay_ms=600_000), quick=True)
    rem = await send_kes(gateway, 0)
    await gateway.drain()
    before = await row(gateway, rem["id"])
    assert before.payout_status in ("accepted", "unknown")
    path = f"/transfers/{fspiop.transfer_id(rem['id'])}"
    good_fulfilment = fspiop.fulfilment_for(b"someone-else", "x")  # well-formed, wrong preimage
    cases = [
        (401, b'{"transferState":"COMMITTED"}', {"secret": b"wrong"}),
        (401, b'{"transferState":"COMMITTED"}', {"uri": "/transfers/OTHER"}),
        (422, b'{"transferState":"PAID"}', {}),
        (422, b'{"transferState":"COMMITTED","fulfilment":"short"}', {}),
        (422, b"not json", {}),
        (422, b'{"errorInformation":{"errorCode":"x"}}', {"suffix": "/error"}),
    ]
    for status, body, how in cases:
        target = path + how.pop("suffix", "")
        resp = await put(gateway, target, body, **how)
        assert resp.status == status, (body, await resp.text())
        assert (await resp.json())["status"] == status
        assert await row(gateway, rem["id"]) == before
    # signed and well-formed, but its fulfilment does not meet our condition: not paid
    body = f'{{"transferState":"COMMITTED","fulfilment":"{good_fulfilment}"}}'.encode()
    resp = await put(gateway, path, body)
    assert resp.status == 200 and (await resp.json())["applied"] is False
    assert await row(gateway, rem["id"]) == before


async def test_late_and_duplicate_callbacks_settle_once(gateway, switch) -> None:
    """The transfer callback comes after the adapter stopped waiting (twice): the payout is
    unknown, then the late callback itself, recorded by our endpoint, settles it."""
    sim = await switch(
        Faults(seed=5, late_callback_ms=1500, duplicate_callback_rate=1.0), quick=True
    )
    rem = await send_kes(gateway, 0)
    await gateway.drain()
    deadline = asyncio.get_running_loop().time() + 10
    while (await row(gateway, rem["id"])).payout_status != "paid":
        assert asyncio.get_running_loop().time() < deadline, "the late callback never came"
        await asyncio.sleep(0.02)  # waiting for the simulator's delayed callback, not a race
    await gateway.drain()
    final = await gateway.get(rem["id"])
    assert final["status"] == "paid_out"
    assert "payout_unknown" in [h["to"] for h in final["history"]]  # the wait ran out first
    log = await messages(sim)
    operations(log)
    assert [m["path"] for m in log if m["method"] == "POST"].count("/transfers") == 1
    while (await (await sim.get("/_sim/payouts")).json())["payouts"][rem["id"]]["callbacks"] < 2:
        assert asyncio.get_running_loop().time() < deadline, "the duplicate never came"
        await asyncio.sleep(0.02)  # waiting for the duplicate callback, not a race
    await gateway.drain()  # the duplicate changed nothing
    assert (await gateway.get(rem["id"]))["history"] == final["history"]
    assert (await (await sim.get("/_sim/payouts")).json())["total_payments"] == 1

"""Pull partners: they list their pending payouts, accept them and report paid or failed; the
pipeline then completes or refunds. A partner sees and changes only its own payouts."""

import sqlalchemy as sa

from gateway.storage.keys import create_key
from gateway.storage.tables import remittances
from tests.partners_support import PARTNER, register, send_distinct, sim_payouts

BASE = "/v1/partner/payouts"


async def _pull_setup(gateway, count: int = 2) -> list[str]:
    await register(gateway, PARTNER, base_url=None, kinds="payout,pull", callback=False)
    ids = []
    for i in range(count):
        sender = await gateway.customer(external_id=f"p-{i}")
        await gateway.top_up(sender["id"], "100.00")
        ids.append((await send_distinct(gateway, sender, i))["id"])
    await gateway.drain()
    return ids


async def _key(gateway, partner_id: str) -> dict:
    async with gateway.svc.engine.begin() as conn:
        key, _ = await create_key(conn, f"k-{partner_id}", "partner", partner_id, gateway.clock())
    return {"Authorization": f"Bearer {key}"}


async def test_pull_partner_collects_accepts_and_reports(gateway) -> None:
    paid, failed = await _pull_setup(gateway)
    assert (await gateway.get(paid))["status"] == "payout_pending"
    partner = gateway.auth("partner")

    listed = await (await gateway.client.get(f"{BASE}?status=pending", headers=partner)).json()
    assert {p["payout_id"] for p in listed["payouts"]} == {paid, failed}
    item = next(p for p in listed["payouts"] if p["payout_id"] == paid)
    assert item["status"] == "pending" and item["currency"] == "PHP"
    assert item["recipient"]["phone"].startswith("+63917")  # the partner needs the account

    for rem_id in (paid, failed):
        for _ in range(2):  # accepting twice is harmless
            resp = await gateway.client.post(f"{BASE}/{rem_id}/accept", headers=partner)
            assert resp.status == 200 and (await resp.json())["status"] == "accepted"
    pending = await (await gateway.client.get(BASE, headers=partner)).json()
    assert pending["payouts"] == []
    accepted = await (await gateway.client.get(f"{BASE}?status=accepted", headers=partner)).json()
    assert len(accepted["payouts"]) == 2

    ok = {"status": "paid", "partner_reference": "PULL-77"}
    resp = await gateway.client.post(f"{BASE}/{paid}/status", json=ok, headers=partner)
    assert resp.status == 200 and (await resp.json())["status"] == "paid"
    bad = {"status": "failed", "reason": "ACCOUNT_CLOSED"}
    resp = await gateway.client.post(f"{BASE}/{failed}/status", json=bad, headers=partner)
    assert resp.status == 200
    await gateway.drain()

    done = await gateway.get(paid)
    assert done["status"] == "paid_out" and done["partner_reference"] == "PULL-77"
    refunded = await gateway.get(failed)
    assert [h["to"] for h in refunded["history"]][-2:] == ["failed", "refunded"]
    # The same report again is fine; a contradicting one is a conflict.
    again = await gateway.client.post(f"{BASE}/{paid}/status", json=ok, headers=partner)
    assert again.status == 200
    clash = await gateway.client.post(f"{BASE}/{paid}/status", json=bad, headers=partner)
    assert clash.status == 409
    # A pull partner is never pushed to.
    assert (await sim_payouts(gateway.sim))["total_payments"] == 0


async def test_waiting_for_a_pull_partner_does_not_settle(gateway) -> None:
    (rem_id,) = await _pull_setup(gateway, 1)
    gateway.clock.advance(hours=2)
    await gateway.drain()
    assert (await gateway.get(rem_id))["status"] == "payout_pending"


async def test_cross_partner_access_is_refused(gateway) -> None:
    (rem_id,) = await _pull_setup(gateway, 1)
    other = await _key(gateway, "other-partner")
    listed = await (await gateway.client.get(BASE, headers=other)).json()
    assert listed["payouts"] == []
    assert (await gateway.client.get(f"{BASE}/{rem_id}", headers=other)).status == 403
    assert (await gateway.client.post(f"{BASE}/{rem_id}/accept", headers=other)).status == 403
    ok = {"status": "paid", "partner_reference": "X"}
    resp = await gateway.client.post(f"{BASE}/{rem_id}/status", json=ok, headers=other)
    assert resp.status == 403
    # Other roles may not use partner routes at all.
    assert (await gateway.client.get(BASE, headers=gateway.auth())).status == 403
    async with gateway.svc.engine.connect() as conn:
        row = (await conn.execute(sa.select(remittances).where(remittances.c.id == rem_id))).one()
    assert row.payout_status is None and row.status == "payout_pending"


async def test_bad_status_reports_name_the_field(gateway) -> None:
    (rem_id,) = await _pull_setup(gateway, 1)
    partner = gateway.auth("partner")
    url = f"{BASE}/{rem_id}/status"
    cases = [
        ({"status": "done"}, "status"),
        ({"status": "paid"}, "body"),
        ({"status": "failed", "reason": "lower case"}, "reason"),
        ({"status": "paid", "partner_reference": "R", "extra": 1}, "extra"),
    ]
    for body, field in cases:
        resp = await gateway.client.post(url, json=body, headers=partner)
        assert resp.status == 422, body
        assert field in [e["field"] for e in (await resp.json())["errors"]], body
    unknown = await gateway.client.post(f"{BASE}/rem_nope/accept", headers=partner)
    assert unknown.status == 404
    bad_query = await gateway.client.get(f"{BASE}?status=paid", headers=partner)
    assert bad_query.status == 422
    async with gateway.svc.engine.connect() as conn:
        row = (await conn.execute(sa.select(remittances).where(remittances.c.id == rem_id))).one()
    assert row.payout_status is None


async def test_cli_registers_a_pull_partner(
    gateway, migrated_database_url, monkeypatch, capsys
) -> None:
    import asyncio
    import json

    from gateway.commands import main

    monkeypatch.setenv("REMIT_DATABASE_URL", migrated_database_url)
    assert await asyncio.to_thread(main, ["partners", "add", "pull-bank", "--pull"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["mode"] == "pull" and printed["secret"]
    info = await gateway.svc.partners.info("pull-bank", gateway.clock())
    assert info is not None and info.pull and info.secrets == (printed["secret"].encode(),)
    assert await asyncio.to_thread(main, ["partners", "add", "push-bank"]) == 2


async def test_pull_simulator_pays_each_payout_once(gateway) -> None:
    import aiohttp

    from corridors.pull_agent import PullAgent
    from corridors.simulator import Faults

    ids = await _pull_setup(gateway, 4)
    faults = Faults(seed=4, fail_rate=0.4, duplicate_callback_rate=1.0)
    async with aiohttp.ClientSession() as session:
        agent = PullAgent(
            str(gateway.client.make_url("")), gateway.keys["partner"], session, faults
        )
        assert await agent.run_once() == 4
        assert await agent.run_once() == 0  # nothing pending any more
    await gateway.drain()
    states = {i: (await gateway.get(i))["status"] for i in ids}
    assert set(states.values()) <= {"paid_out", "refunded"}
    assert {i for i, s in states.items() if s == "paid_out"} == set(agent.payments)
    assert all(n == 1 for n in agent.payments.values())
    assert 0 < len(agent.payments) < 4  # the seed gives both outcomes


async def test_listing_refuses_a_limit_that_is_not_a_plain_whole_number(gateway) -> None:
    await register(gateway, PARTNER, base_url=None, kinds="payout,pull", callback=False)
    partner = gateway.auth("partner")
    for bad in ("³", "0", "501", "ten"):
        resp = await gateway.client.get(f"{BASE}?limit={bad}", headers=partner)
        assert resp.status == 422, bad
        assert (await resp.json())["errors"][0]["field"] == "limit"
    assert (await gateway.client.get(f"{BASE}?limit=500", headers=partner)).status == 200

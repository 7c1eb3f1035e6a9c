"""Journey: a USD 1,500 remittance from a sender with no address on file is accepted and held
in needs_info, asking for exactly the missing field (the rule named); an answer that is not it
is refused and writes nothing; once the address is given it is screened and paid out, and its
instruction to the partner carries the originator and beneficiary data bound to the
remittance's reference, kept five years. A sanctioned sender who answers is still held for an
officer. A profile completed before the pipeline runs needs no answer. Below the threshold the
instruction carries none. Public interfaces (HTTP), plus what the simulated partner received."""

from __future__ import annotations

import uuid

from corridors.simulator import STATE
from gateway.storage.tables_travel import travel_rule_records

SENDER = {
    "external_id": "tr-1",
    "name": "Ana Reyes Cruz",
    "country": "US",
    "phone": "+14155550123",
    "mobile_number_verified": True,
    "birth_date": "1990-04-01",
    "id_type": "passport",
    "id_number": "X1234567",
}


async def _count(gateway, table) -> int:
    import sqlalchemy as sa

    async with gateway.svc.engine.connect() as conn:
        return (await conn.execute(sa.select(sa.func.count()).select_from(table))).scalar_one()


async def _submit(gateway, sender_id: str, amount: str):
    quote = await gateway.quote(amount)
    return await gateway.client.post(
        "/v1/remittances",
        json=gateway.remittance_body(quote["id"], sender_id),
        headers={**gateway.auth(), "Idempotency-Key": str(uuid.uuid4())},
    )


async def _put_customer(gateway, **fields) -> dict:
    resp = await gateway.client.put("/v1/customers", json=fields, headers=gateway.auth())
    assert resp.status in (200, 201), await resp.text()
    return await resp.json()


async def _sent(gateway, amount: str, wallet: str, **fields) -> dict:
    """SENDER (with `fields`), topped up with `wallet` USD, sends `amount`: the remittance."""
    sender = await _put_customer(gateway, **SENDER, **fields)
    await gateway.top_up(sender["id"], wallet)
    resp = await _submit(gateway, sender["id"], amount)
    assert resp.status == 201, await resp.text()
    return await resp.json()


def _regimes_with_us_threshold(tmp_path, amount: str):
    import shutil

    from compliance.protections import load_regimes
    from compliance.protections.regimes import default_regimes_dir

    for path in default_regimes_dir().glob("*.toml"):
        shutil.copy(path, tmp_path)
    us = tmp_path / "us_reg_e.toml"
    us.write_text(
        us.read_text().replace(
            'threshold = { USD = "1000.00" }', f'threshold = {{ USD = "{amount}" }}'
        )
    )
    return load_regimes(str(tmp_path))


def _tiers_allowing(tmp_path, per_transfer: str):
    """The shipped tiers with a phone-verified sender allowed `per_transfer` USD (a tier file,
    as REMIT_KYC_TIERS_FILE gives it): a USD 1,500 transfer by a sender with no address on file."""
    from compliance.kyc.tiers import default_tiers_path, load_tiers

    text = default_tiers_path().read_text()
    text = text.replace('per_transfer_usd = "500"', f'per_transfer_usd = "{per_transfer}"')
    text = text.replace('per_day_usd = "1000"', 'per_day_usd = "5000"')
    text = text.replace('per_30d_usd = "3000"', 'per_30d_usd = "15000"')
    path = tmp_path / "tiers.toml"
    path.write_text(text)
    return load_tiers(str(path))


async def _travel(gateway, rem_id: str, **sender):
    return await gateway.client.post(
        f"/v1/remittances/{rem_id}/travel-rule", json={"sender": sender}, headers=gateway.auth()
    )


async def test_usd_1500_without_address_is_held_asks_for_it_then_carries_it(
    gateway, tmp_path
) -> None:
    gateway.svc.tiers = _tiers_allowing(tmp_path, "2000")
    rem = await _sent(gateway, "1500.00", "3000.00")
    await gateway.drain()
    held = await gateway.get(rem["id"])
    assert held["status"] == "needs_info"
    assert held["history"][-1]["reason"].startswith("travel rule (31 CFR 1010.410(f)")
    assert held["history"][-1]["reason"].endswith("needs sender.address")
    asked = await gateway.client.get(
        f"/v1/remittances/{rem['id']}/travel-rule", headers=gateway.auth()
    )
    status = await asked.json()
    assert status["required"] and status["held"] and not status["bound"]
    assert [m["field"] for m in status["missing"]] == ["sender.address"]
    assert await _count(gateway, travel_rule_records) == 0

    # Not what was asked: refused naming the rule and the field, nothing written.
    wrong = await _travel(gateway, rem["id"], birth_place="Manila")
    assert wrong.status == 422
    problem = await wrong.json()
    assert problem["type"].endswith("travel-rule-data-missing")
    assert [e["field"] for e in problem["errors"]] == ["sender.address"]
    assert (await _travel(gateway, rem["id"])).status == 422  # nothing given
    answer = await gateway.client.post(
        f"/v1/remittances/{rem['id']}/information",
        json={"information": "here is my address"},
        headers=gateway.auth(),
    )
    assert answer.status == 409  # not a compliance question: the travel-rule route takes it
    assert (await gateway.get(rem["id"]))["status"] == "needs_info"
    assert await _count(gateway, travel_rule_records) == 0

    given = await _travel(gateway, rem["id"], address="1 Main St, Springfield, IL 62701")
    assert given.status == 200, await given.text()
    assert (await given.json())["status"] == "screening"
    await gateway.drain()
    assert (await gateway.get(rem["id"]))["status"] == "paid_out"
    sent = gateway.sim.server.app[STATE].payouts[rem["id"]].instruction
    travel = sent["travel_rule"]
    assert travel["reference"] == rem["id"]
    assert travel["originator"]["address"] == "1 Main St, Springfield, IL 62701"
    assert travel["originator"]["name"] == "Ana Reyes Cruz"
    assert travel["beneficiary"] == {"name": "Maria Dela Cruz", "account": "+639171234567"}
    async with gateway.svc.engine.connect() as conn:
        import sqlalchemy as sa

        kept = (await conn.execute(sa.select(travel_rule_records))).one()
    assert (kept.keep_until - kept.created_at).days >= 5 * 365
    # Given for this transfer only: the sender's profile is not changed by it.
    profile = await gateway.client.get(f"/v1/customers/{rem['sender_id']}", headers=gateway.auth())
    assert "1 Main St" not in await profile.text()


async def test_a_held_sanctioned_sender_still_needs_an_officer(gateway, tmp_path) -> None:
    from tests.console_support import SANCTIONED

    gateway.svc.tiers = _tiers_allowing(tmp_path, "2000")
    bad = {k: v for k, v in SENDER.items() if k != "birth_date"}  # no birth date to clear it
    sender = await _put_customer(gateway, **{**bad, "external_id": "tr-bad", "name": SANCTIONED})
    await gateway.top_up(sender["id"], "3000.00")
    rem = await (await _submit(gateway, sender["id"], "1500.00")).json()
    await gateway.drain()
    assert (await gateway.get(rem["id"]))["status"] == "needs_info"
    given = await _travel(gateway, rem["id"], address="1 Main St, Springfield, IL 62701")
    assert given.status == 200, await given.text()
    await gateway.drain()
    assert (await gateway.get(rem["id"]))["status"] == "on_hold"  # screened, and held by it
    assert (await _travel(gateway, rem["id"], address="elsewhere")).status == 409


async def test_a_profile_completed_meanwhile_needs_no_answer(gateway, tmp_path) -> None:
    # A regime whose threshold is USD 100: a 400 USD transfer (within the tier) needs the data.
    gateway.svc.regimes = _regimes_with_us_threshold(tmp_path, "100.00")
    rem = await _sent(gateway, "400.00", "3000.00")
    await _put_customer(gateway, **SENDER, address="1 Main St, Springfield, IL 62701")
    await gateway.drain()
    assert (await gateway.get(rem["id"]))["status"] == "paid_out"
    sent = gateway.sim.server.app[STATE].payouts[rem["id"]].instruction
    assert sent["travel_rule"]["originator"]["address"] == "1 Main St, Springfield, IL 62701"
    assert await _count(gateway, travel_rule_records) == 1  # kept with the remittance


async def test_below_the_threshold_carries_none(gateway, tmp_path) -> None:
    gateway.svc.regimes = _regimes_with_us_threshold(tmp_path, "100.00")
    rem = await _sent(gateway, "99.99", "1000.00")
    await gateway.drain()
    assert "travel_rule" not in gateway.sim.server.app[STATE].payouts[rem["id"]].instruction


async def test_a_pull_partner_sees_the_data_with_the_payout(gateway, tmp_path) -> None:
    from tests.partners_support import PARTNER, register

    await register(gateway, PARTNER, base_url=None, kinds="payout,pull", callback=False)
    gateway.svc.regimes = _regimes_with_us_threshold(tmp_path, "100.00")
    rem = await _sent(gateway, "400.00", "1000.00", address="1 Main St, Springfield, IL 62701")
    await gateway.drain()
    partner = gateway.auth("partner")
    listed = await gateway.client.get("/v1/partner/payouts?status=pending", headers=partner)
    item = next(p for p in (await listed.json())["payouts"] if p["payout_id"] == rem["id"])
    assert item["travel_rule"]["reference"] == rem["id"]
    assert item["travel_rule"]["originator"]["address"] == "1 Main St, Springfield, IL 62701"
    one = await gateway.client.get(f"/v1/partner/payouts/{rem['id']}", headers=partner)
    assert (await one.json())["travel_rule"] == item["travel_rule"]

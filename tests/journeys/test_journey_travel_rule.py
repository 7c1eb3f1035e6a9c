"""Journey: a USD 1,500 remittance from a sender with no address on file is refused with a
problem naming the travel rule and exactly the missing field, and nothing is written. With the
threshold configured lower (a regime file, as REMIT_REGIMES_DIR gives it), a transfer the
sender's KYC tier allows goes the same way, and once the sender's address is given it is
accepted and its instruction to the partner carries the originator and beneficiary data bound
to the remittance's reference. Below the threshold the instruction carries none. Public
interfaces (HTTP), plus what the simulated partner received."""

from __future__ import annotations

import uuid

from corridors.simulator import STATE
from gateway.storage.tables import remittances
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


async def test_missing_address_is_refused_then_carried(gateway, tmp_path) -> None:
    sender = await _put_customer(gateway, **SENDER)
    await gateway.top_up(sender["id"], "3000.00")
    resp = await _submit(gateway, sender["id"], "1500.00")
    assert resp.status == 422, await resp.text()
    problem = await resp.json()
    assert problem["type"].endswith("travel-rule-data-missing")
    assert problem["rule"].startswith("31 CFR 1010.410(f)")
    assert [e["field"] for e in problem["errors"]] == ["sender.address"]
    assert (
        await _count(gateway, remittances) == 0 and await _count(gateway, travel_rule_records) == 0
    )

    # A regime whose threshold is USD 100: a 400 USD transfer (within the tier) needs the data.
    gateway.svc.regimes = _regimes_with_us_threshold(tmp_path, "100.00")
    resp = await _submit(gateway, sender["id"], "400.00")
    assert [e["field"] for e in (await resp.json())["errors"]] == ["sender.address"]
    await _put_customer(gateway, **SENDER, address="1 Main St, Springfield, IL 62701")
    resp = await _submit(gateway, sender["id"], "400.00")
    assert resp.status == 201, await resp.text()
    rem = await resp.json()
    await gateway.drain()
    sent = gateway.sim.server.app[STATE].payouts[rem["id"]].instruction
    travel = sent["travel_rule"]
    assert travel["reference"] == rem["id"]
    assert travel["originator"]["name"] == "Ana Reyes Cruz"
    assert travel["originator"]["address"] == "1 Main St, Springfield, IL 62701"
    assert travel["originator"]["account"] and travel["originator"]["customer_number"]
    assert travel["beneficiary"] == {"name": "Maria Dela Cruz", "account": "+639171234567"}
    assert await _count(gateway, travel_rule_records) == 1  # kept with the remittance


async def test_below_the_threshold_carries_none(gateway, tmp_path) -> None:
    gateway.svc.regimes = _regimes_with_us_threshold(tmp_path, "100.00")
    sender = await _put_customer(gateway, **SENDER)
    await gateway.top_up(sender["id"], "1000.00")
    resp = await _submit(gateway, sender["id"], "99.99")
    assert resp.status == 201, await resp.text()
    rem = await resp.json()
    await gateway.drain()
    assert "travel_rule" not in gateway.sim.server.app[STATE].payouts[rem["id"]].instruction


async def test_a_pull_partner_sees_the_data_with_the_payout(gateway, tmp_path) -> None:
    from tests.partners_support import PARTNER, register

    await register(gateway, PARTNER, base_url=None, kinds="payout,pull", callback=False)
    gateway.svc.regimes = _regimes_with_us_threshold(tmp_path, "100.00")
    sender = await _put_customer(gateway, **SENDER, address="1 Main St, Springfield, IL 62701")
    await gateway.top_up(sender["id"], "1000.00")
    resp = await _submit(gateway, sender["id"], "400.00")
    assert resp.status == 201, await resp.text()
    rem = await resp.json()
    await gateway.drain()
    partner = gateway.auth("partner")
    listed = await gateway.client.get("/v1/partner/payouts?status=pending", headers=partner)
    item = next(p for p in (await listed.json())["payouts"] if p["payout_id"] == rem["id"])
    assert item["travel_rule"]["reference"] == rem["id"]
    assert item["travel_rule"]["originator"]["address"] == "1 Main St, Springfield, IL 62701"
    one = await gateway.client.get(f"/v1/partner/payouts/{rem['id']}", headers=partner)
    assert (await one.json())["travel_rule"] == item["travel_rule"]

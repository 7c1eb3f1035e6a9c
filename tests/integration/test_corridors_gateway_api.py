"""Corridors through the HTTP API: the list, the requirements, and for every corridor a valid
recipient accepted and invalid ones refused naming the field, with nothing written."""

import uuid

import pytest
import sqlalchemy as sa

from corridors.config import load_corridors
from gateway.storage.tables import remittances

CORRIDORS = sorted(load_corridors())
BAD_VALUE = {"name": "12345", "wallet_provider": "NOPE"}


async def _count(gateway) -> int:
    async with gateway.svc.engine.connect() as conn:
        return await conn.scalar(sa.select(sa.func.count()).select_from(remittances))


async def _requirements(gateway, corridor_id: str) -> dict:
    resp = await gateway.client.get(
        f"/v1/corridors/{corridor_id}/requirements", headers=gateway.auth()
    )
    assert resp.status == 200, await resp.text()
    return await resp.json()


async def _submit(gateway, corridor_id: str, recipient: dict):
    corridor = gateway.svc.corridors[corridor_id]
    home = "DE" if corridor.send_country == "EU" else corridor.send_country
    sender = await gateway.customer(external_id=f"u-{corridor_id}", country=home)
    quote = await gateway.quote(
        "100.00",
        send_currency=corridor.send_currency,
        receive_currency=corridor.receive_currency,
        corridor_id=corridor_id,
    )
    body = {"quote_id": quote["id"], "sender_id": sender["id"], "recipient": recipient}
    headers = {**gateway.auth(), "Idempotency-Key": str(uuid.uuid4())}
    return await gateway.client.post("/v1/remittances", json=body, headers=headers)


async def test_list_corridors_hides_partners(gateway) -> None:
    resp = await gateway.client.get("/v1/corridors", headers=gateway.auth())
    assert resp.status == 200
    listed = (await resp.json())["corridors"]
    assert [c["id"] for c in listed] == CORRIDORS
    assert all("partner_id" not in c for c in listed)
    ph = next(c for c in listed if c["id"] == "US-PH-WALLET")
    assert ph["min_send"] == "10.00" and ph["receive_currency"] == "PHP"


async def test_corridors_need_a_key(gateway) -> None:
    resp = await gateway.client.get("/v1/corridors")
    assert resp.status == 401


async def test_unknown_corridor_requirements_404(gateway) -> None:
    resp = await gateway.client.get("/v1/corridors/XX-YY/requirements", headers=gateway.auth())
    assert resp.status == 404
    assert resp.content_type == "application/problem+json"


@pytest.mark.parametrize("corridor_id", CORRIDORS)
async def test_every_corridor_valid_and_invalid_recipients(gateway, corridor_id) -> None:
    spec = await _requirements(gateway, corridor_id)
    fields = spec["fields"]
    assert fields[0]["key"] == "name"
    for f in fields:
        assert f["field"] == f"recipient.{f['key']}" and f["example"]
    example = {f["key"]: f["example"] for f in fields}

    # Each required field missing, then each field with a wrong value: 422 naming it.
    before = await _count(gateway)
    for f in fields:
        broken = {k: v for k, v in example.items() if k != f["key"]}
        if f["required"]:
            resp = await _submit(gateway, corridor_id, broken)
            assert resp.status == 422, (f["key"], await resp.text())
            problem = await resp.json()
            assert f["field"] in [e["field"] for e in problem["errors"]]
        bad = {**example, f["key"]: BAD_VALUE.get(f["key"], "x!")}
        resp = await _submit(gateway, corridor_id, bad)
        assert resp.status == 422, (f["key"], await resp.text())
        assert f["field"] in [e["field"] for e in (await resp.json())["errors"]]
    assert await _count(gateway) == before  # nothing written

    # The published examples form a valid recipient.
    resp = await _submit(gateway, corridor_id, example)
    assert resp.status == 201, await resp.text()
    created = await resp.json()
    assert created["corridor_id"] == corridor_id
    assert await _count(gateway) == before + 1

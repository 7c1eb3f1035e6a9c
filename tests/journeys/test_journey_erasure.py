"""Journey: a sender asks to be erased. While a transfer is open the operator is refused; once
it is paid out, the erasure takes the phone at once and shows what the law keeps (identity and
transfer records, each with its rule and date). Five years after the relationship ended the
retention run erases the rest; the person's data is gone from the API and the export, and
`remit ledger check` and `remit audit verify` still pass. The export (subject access) is for
operators only, needs a reason, and is audit-logged. Public interfaces: HTTP and the CLI."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import sqlalchemy as sa

from gateway.commands import main
from gateway.storage.tables import remittances
from gateway.storage.tables_compliance import audit_log
from gateway.usecases.erasure import retention_run

SENDER = {
    "external_id": "erase-me",
    "name": "Ximena Quispe Huaman",
    "country": "US",
    "phone": "+14155550199",
    "mobile_number_verified": True,
    "birth_date": "1988-07-15",
}


async def _operator_post(gateway, path: str, body: dict):
    return await gateway.client.post(path, json=body, headers=gateway.auth("operator"))


async def test_erasure_keeps_what_the_law_keeps_then_retention_erases_it(
    gateway, monkeypatch, capsys
) -> None:
    resp = await gateway.client.put("/v1/customers", json=SENDER, headers=gateway.auth())
    sender = await resp.json()
    await gateway.top_up(sender["id"], "500.00")
    rem = await gateway.send("50.00", sender=sender)
    path = f"/v1/customers/{sender['id']}/erasure"

    refused = await _operator_post(gateway, path, {"reason": "subject request #1"})
    assert refused.status == 409, await refused.text()
    assert (await refused.json())["type"].endswith("customer-has-open-remittances")
    assert (await _operator_post(gateway, path, {})).status == 422
    assert (
        await gateway.client.post(path, json={"reason": "x" * 5}, headers=gateway.auth())
    ).status == 403

    await gateway.drain()
    assert (await gateway.get(rem["id"]))["status"] == "paid_out"
    resp = await _operator_post(gateway, path, {"reason": "subject request #1"})
    assert resp.status == 200, await resp.text()
    report = await resp.json()
    assert "phone" in report["erased"]
    kept = {k["what"]: k for k in report["kept"]}
    kyc = kept["identity (KYC) records"]
    assert "name" in kyc["fields"] and "31 CFR 1010.430" in kyc["rule"]
    assert kyc["until"].startswith(str(gateway.clock().year + 5))
    assert any(w.startswith("transfer records of 1") for w in kept)

    view = await (
        await gateway.client.get(f"/v1/customers/{sender['id']}", headers=gateway.auth())
    ).json()
    assert view["phone"] is None and view["name"] == SENDER["name"]  # kept, by law

    later = gateway.clock() + timedelta(days=365 * 5 + 3)
    run = await retention_run(gateway.svc, "test", now=later)
    assert run["customers_erased"] == [sender["id"]] and run["transfers_erased"] == 1

    view = await (
        await gateway.client.get(f"/v1/customers/{sender['id']}", headers=gateway.auth())
    ).json()
    assert view["name"] is None and view["birth_date"] is None and view["external_id"] is None
    assert (await gateway.get(rem["id"]))["status"] == "paid_out"  # the transfer itself stays
    async with gateway.svc.engine.connect() as conn:
        assert await conn.scalar(sa.select(remittances.c.recipient)) == {}
        actions = (await conn.execute(sa.select(audit_log.c.action))).scalars().all()
    assert "customer.erased" in actions and "retention.run" in actions

    monkeypatch.setenv("REMIT_DATABASE_URL", gateway.svc.settings.database_url)
    capsys.readouterr()
    # The CLI runs its own event loop: in a thread, as a separate `remit` process would.
    assert await asyncio.to_thread(main, ["ledger", "check"]) == 0
    assert await asyncio.to_thread(main, ["audit", "verify"]) == 0
    assert '"ok": true' in capsys.readouterr().out
    assert await asyncio.to_thread(main, ["retention", "run"]) == 0


async def test_export_is_for_operators_with_a_reason_and_is_audited(gateway) -> None:
    resp = await gateway.client.put(
        "/v1/customers", json={**SENDER, "id_number": "P9876543"}, headers=gateway.auth()
    )
    sender = await resp.json()
    await gateway.top_up(sender["id"], "500.00")
    rem = await gateway.send("50.00", sender=sender)
    path = f"/v1/customers/{sender['id']}/export"
    assert (await gateway.client.get(path, headers=gateway.auth())).status == 403
    missing = await gateway.client.get(path, headers=gateway.auth("operator"))
    assert missing.status == 422
    resp = await gateway.client.get(
        f"{path}?reason=subject%20access%20request%2042", headers=gateway.auth("operator")
    )
    assert resp.status == 200, await resp.text()
    found = await resp.json()
    assert found["customer"]["name"] == SENDER["name"]
    assert found["customer"]["phone"] == SENDER["phone"]
    assert found["kyc_fields"]["id_number"] == "P9876543"
    assert [r["id"] for r in found["remittances"]] == [rem["id"]]
    assert found["remittances"][0]["recipient"]["name"] == "Maria Dela Cruz"
    async with gateway.svc.engine.connect() as conn:
        entry = (
            await conn.execute(
                sa.select(audit_log).where(audit_log.c.action == "customer.exported")
            )
        ).one()
    assert entry.object_id == sender["id"] and entry.after["reason"] == "subject access request 42"
    assert "Ximena" not in str(entry.after)
    unknown = await gateway.client.get(
        f"/v1/customers/cus_{uuid.uuid4().hex}/export?reason=check",
        headers=gateway.auth("operator"),
    )
    assert unknown.status == 404

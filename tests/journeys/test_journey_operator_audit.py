"""Journey: an operator's day is in the same hash chain as officers' decisions. Keys created and
revoked, a partner added and its secret rotated, sanctions lists loaded (the CLI), a wallet
topped up and a suspense pay-in credited (the API): each is an audit entry saying who, what
and when, with ids only (no secret, no name); a retried top-up adds no second entry; the chain
verifies under its key. An analyst, whose role may not read the audit trail, clicking "Audit"
in the console gets a page saying so, not JSON. Public interfaces only: CLI, HTTP, console."""

from __future__ import annotations

import asyncio
import getpass
import json
import uuid

import pytest

from corridors.payin import new_reference
from gateway.commands import main as remit
from tests.conftest import SANCTIONS_DIR
from tests.console_support import sign_in
from tests.funding_support import add_payin_partner, callback

AUDIT_KEY = "journey-audit-key"
CLI = f"cli:{getpass.getuser()}"


@pytest.fixture
def gateway_settings() -> dict:
    return {"audit_hmac_key": AUDIT_KEY.encode()}


async def _cli(capsys, *argv: str) -> tuple[int, str]:
    capsys.readouterr()
    code = await asyncio.to_thread(remit, list(argv))
    return code, capsys.readouterr().out


async def _entries(gateway, officers) -> list[dict]:
    token = officers["supervisor"].token
    resp = await gateway.client.get(
        "/v1/compliance/audit", headers={"Authorization": f"Bearer {token}"}
    )
    assert resp.status == 200, await resp.text()
    return (await resp.json())["entries"]


def _actions(entries: list[dict]) -> list[tuple[str, str, str]]:
    return [(e["actor"], e["action"], e["object_id"]) for e in entries]


async def test_operators_money_and_access_actions_are_audited(
    gateway, officers, monkeypatch, capsys
) -> None:
    monkeypatch.setenv("REMIT_DATABASE_URL", gateway.svc.engine.url.render_as_string(False))
    monkeypatch.setenv("REMIT_AUDIT_HMAC_KEY", AUDIT_KEY)

    code, out = await _cli(capsys, "keys", "create", "--name", "acme-app", "--role", "sender-app")
    assert code == 0
    created = json.loads(out)
    assert (await _cli(capsys, "keys", "revoke", created["id"]))[0] == 0
    code, out = await _cli(
        capsys, "partners", "add", "acme-bank", "--url", "https://bank.example", "--pull"
    )
    assert code == 0
    secret = json.loads(out)["secret"]
    code, out = await _cli(capsys, "partners", "rotate-secret", "acme-bank")
    assert code == 0
    rotated = json.loads(out)["secret"]
    code, out = await _cli(capsys, "sanctions", "load", str(SANCTIONS_DIR / "sdn.csv"))
    assert code == 0
    list_id = json.loads(out)["list_id"]

    sender = await gateway.customer()
    top_up = {
        "headers": {**gateway.auth("operator"), "Idempotency-Key": "topup-1"},
        "json": {"amount": "25.00", "currency": "USD"},
    }
    topups = f"/v1/customers/{sender['id']}/wallet/topups"
    for _ in range(2):  # a retried request moves no more money and is audited once
        assert (await gateway.client.post(topups, **top_up)).status == 201
    await add_payin_partner(gateway)
    status, parked = await callback(gateway, new_reference(), "40.00")
    assert status == 201 and parked["status"] == "suspense"
    resp = await gateway.client.post(
        f"/v1/payins/{parked['id']}/resolve",
        json={"action": "credit", "customer_id": sender["id"]},
        headers=gateway.auth("operator"),
    )
    assert resp.status == 200, await resp.text()

    entries = await _entries(gateway, officers)
    actions = _actions(entries)
    operator = next(a for a, act, _ in actions if act == "wallet.topup")
    assert operator.startswith("key:")  # the API caller, by its key id
    assert (CLI, "key.create", created["id"]) in actions
    assert (CLI, "key.revoke", created["id"]) in actions
    assert (CLI, "partner.add", "acme-bank") in actions
    assert (CLI, "partner.rotate_secret", "acme-bank") in actions
    assert (CLI, "sanctions.load", list_id) in actions
    assert [a for a in actions if a[1] == "wallet.topup"] == [
        (operator, "wallet.topup", f"topup:{operator[4:]}:topup-1")
    ]
    assert (operator, "payin.resolve", parked["id"]) in actions
    written = json.dumps(entries)
    for private in (secret, rotated, created["key"], "Ana Reyes"):
        assert private not in written

    code, out = await _cli(capsys, "audit", "verify")
    assert code == 0, out
    resp = await gateway.client.get(
        "/v1/compliance/audit/verify",
        headers={"Authorization": f"Bearer {officers['supervisor'].token}"},
    )
    assert (await resp.json())["ok"] is True


async def test_a_refused_console_action_is_a_page(gateway, officers) -> None:
    client = gateway.client
    assert (await sign_in(client, "analyst")).status == 303
    resp = await client.get("/console/audit")
    assert resp.status == 403
    assert resp.content_type == "text/html"
    page = await resp.text()
    assert "<h1>" in page and "Back to the queue" in page

    resp = await client.post(
        f"/console/cases/{uuid.uuid4().hex}/decisions", data={"decision": "approve"}
    )
    assert resp.status == 403 and resp.content_type == "text/html"  # no CSRF token: a page

"""Journey: error resolution end to end. A paid-out sender reports an error; an officer sees it
in the console's error queue (overdue clock marked once the acknowledgement day has passed),
acknowledges, investigates and resolves it: a refund to the wallet (fee included) or a resend at
no cost, both posted through the ledger from the provider's remedies account, and the ledger
check stays clean; every officer action is in the audit chain; the sending app gets an
`error_case.resolved` webhook event. Through the Telegram bot a sender reports an error and is
told the outcome in their language. Public interfaces only (HTTP, console forms, bot webhooks),
plus the ledger's balances."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
import sqlalchemy as sa

from gateway.storage.tables_partners import webhook_deliveries
from ledger_adapter import chart
from tests.console_support import PASSWORD
from tests.integration.bots.conftest import world  # noqa: F401


async def _paid_out(gateway) -> tuple[dict, dict]:
    sender = await gateway.customer()
    await gateway.top_up(sender["id"], "500.00")
    rem = await gateway.send("100.00", sender=sender)
    await gateway.drain()
    assert (await gateway.get(rem["id"]))["status"] == "paid_out"
    return sender, rem


async def _wallet(svc, customer_id: str) -> int:
    return (await svc.ledger.balance(chart.wallet(customer_id, "USD"))).available


async def _report(gateway, rem_id: str) -> dict:
    resp = await gateway.client.post(
        f"/v1/remittances/{rem_id}/errors",
        json={"kind": "wrong_amount", "description": "my mother got less than promised"},
        headers=gateway.auth(),
    )
    assert resp.status == 201, await resp.text()
    return await resp.json()


async def _console(gateway, username: str = "analyst") -> str:
    """Sign in to the console; returns the session's CSRF token."""
    page = await (await gateway.client.get("/console/login")).text()
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    resp = await gateway.client.post(
        "/console/login",
        data={"username": username, "password": PASSWORD, "csrf_token": token.group(1)},
        allow_redirects=False,
    )
    assert resp.status == 303, await resp.text()
    queue = await (await gateway.client.get("/console/error-cases")).text()
    return re.search(r'name="csrf_token" value="([^"]+)"', queue).group(1)


async def _act(gateway, csrf: str, case_id: str, **form) -> str:
    resp = await gateway.client.post(
        f"/console/error-cases/{case_id}/actions",
        data={"csrf_token": csrf, **form},
        allow_redirects=False,
    )
    if resp.status == 303:
        return await (await gateway.client.get(f"/console/error-cases/{case_id}")).text()
    return await resp.text()


async def test_refund_remedy_through_the_console(gateway, officers) -> None:
    sender, rem = await _paid_out(gateway)
    hook = await gateway.client.put(
        "/v1/webhooks",
        json={"url": "https://app.example/hooks", "secret": "s" * 32},
        headers=gateway.auth(),
    )
    assert hook.status == 200, await hook.text()
    case = await _report(gateway, rem["id"])
    assert await _wallet(gateway.svc, sender["id"]) == 40000
    gateway.clock.advance(days=5)  # nobody acknowledged within the business day

    csrf = await _console(gateway)
    queue = await (await gateway.client.get("/console/error-cases")).text()
    assert case["id"][:17] in queue and "OVERDUE since" in queue and 'class="overdue"' in queue

    # Out of order is refused, and says why.
    page = await _act(gateway, csrf, case["id"], action="resolve", remedy="refund", finding="x y z")
    assert "cannot be resolved" in page
    page = await _act(gateway, csrf, case["id"], action="acknowledge")
    assert "acknowledged" in page
    page = await _act(gateway, csrf, case["id"], action="investigate")
    assert "investigating" in page
    page = await _act(
        gateway,
        csrf,
        case["id"],
        action="resolve",
        remedy="refund",
        finding="The partner paid out short; we refund everything you paid.",
    )
    assert "resolved" in page and "100.00" in page

    assert await _wallet(gateway.svc, sender["id"]) == 50000  # all of it, fee included
    assert await gateway.ledger_findings() == []
    api = await gateway.client.get(
        f"/v1/compliance/error-cases/{case['id']}", headers=officers["analyst"].auth()
    )
    body = await api.json()
    assert body["status"] == "resolved" and body["remedy"] == "refund"
    assert body["remedy_amount"] == "100.00"
    assert body["clocks"]["acknowledge_by"]["met_at"] and body["clocks"]["report_by"]["met_at"]

    # Resolving again is refused and moves no money.
    again = await gateway.client.post(
        f"/v1/compliance/error-cases/{case['id']}/resolve",
        json={"remedy": "refund", "finding": "again"},
        headers=officers["analyst"].auth(),
    )
    assert again.status == 409
    assert (await again.json())["type"].endswith("error-case-resolved")
    assert await _wallet(gateway.svc, sender["id"]) == 50000

    async with gateway.svc.engine.connect() as conn:
        from gateway.storage import audit as audit_store

        assert await audit_store.check(conn, gateway.svc.settings.audit_hmac_key) is None
        entries = await audit_store.entries(conn, limit=50)
    assert [e["action"] for e in entries if e["object_id"] == case["id"]] == [
        "error_case.acknowledge",
        "error_case.investigate",
        "error_case.resolving",
        "error_case.resolve",
    ]
    from gateway.webhooks import dispatcher

    await dispatcher.enqueue(gateway.svc)
    async with gateway.svc.engine.connect() as conn:
        rows = (await conn.execute(sa.select(webhook_deliveries))).all()
    events = [r.payload for r in rows if r.payload["type"] == "error_case.resolved"]
    assert len(events) == 1
    assert events[0]["data"]["remittance_id"] == rem["id"]
    assert "refund of 100.00 USD" in events[0]["data"]["reason"]


async def test_resend_remedy_pays_the_recipient_again_at_no_cost(gateway, officers) -> None:
    sender, rem = await _paid_out(gateway)
    case = await _report(gateway, rem["id"])
    auth = officers["supervisor"].auth()
    base = f"/v1/compliance/error-cases/{case['id']}"
    assert (await gateway.client.post(f"{base}/acknowledge", headers=auth)).status == 200
    assert (await gateway.client.post(f"{base}/investigate", headers=auth)).status == 200
    resp = await gateway.client.post(
        f"{base}/resolve",
        json={"remedy": "resend", "finding": "The payout went astray; we send it again."},
        headers=auth,
    )
    assert resp.status == 200, await resp.text()
    resolved = await resp.json()
    assert resolved["remedy"] == "resend" and resolved["resend_id"]
    await gateway.drain()
    resend = await gateway.client.get(
        f"/v1/remittances/{resolved['resend_id']}", headers=gateway.auth()
    )
    body = await resend.json()
    assert body["status"] == "paid_out", body
    assert body["receive_amount"] == rem["receive_amount"] and body["fee"] == "0.00"
    assert await _wallet(gateway.svc, sender["id"]) == 40000  # the sender paid nothing more
    remedies = await gateway.svc.ledger.balance(chart.remedies("USD"))
    principal = int((Decimal(rem["send_amount"]) - Decimal(rem["fee"])) * 100)
    assert remedies.debits_posted - remedies.credits_posted == principal  # no fee charged
    assert await gateway.ledger_findings() == []


@pytest.mark.parametrize(
    ("lang", "asked", "filed", "told"),
    [
        ("en", "What went wrong", "Your report on transfer", "was refunded to your wallet"),
        ("zh", "出了什么问题", "的报告编号为", "已退回您的钱包"),
    ],
)
async def test_bot_report_and_outcome_in_the_senders_language(
    world,  # noqa: F811
    lang,
    asked,
    filed,
    told,
) -> None:
    from gateway.usecases.officers import add_officer, create_api_token

    say = lambda text: world.telegram(world.tg_message(text, lang=lang))  # noqa: E731
    customer, _ = await world.tg_confirmed_transfer(lang)
    await world.drain()
    await world.bots.notifier.run_once()

    kinds = await say("/report")
    assert asked in kinds[0]["text"] and len(kinds[0]["buttons"]) == 3
    await world.telegram(world.tg_tap(kinds[0]["buttons"][0]["callback_data"], lang=lang))
    filed_reply = await say("she got 500 PHP less")
    assert filed in filed_reply[0]["text"]
    case_id = re.search(r"err_[0-9a-f]+", filed_reply[0]["text"]).group(0)

    key = world.svc.settings.audit_hmac_key
    await add_officer(world.svc.engine, "analyst", "analyst", PASSWORD, key)
    token = await create_api_token(world.svc.engine, "analyst", key)
    auth = {"Authorization": f"Bearer {token}"}
    base = f"/v1/compliance/error-cases/{case_id}"
    for step in ("acknowledge", "investigate"):
        assert (await world.client.post(f"{base}/{step}", headers=auth)).status == 200
    resp = await world.client.post(
        f"{base}/resolve",
        json={"remedy": "refund", "amount": "10.00", "finding": "Short by 10.00 USD."},
        headers=auth,
    )
    assert resp.status == 200, await resp.text()
    before = len(world.tg.calls)
    await world.bots.notifier.run_once()
    pushed = world.tg.messages(before)
    assert len(pushed) == 1 and told in pushed[0]["text"] and "10.00 USD" in pushed[0]["text"]
    assert await _wallet(world.svc, customer) == 40000 + 1000

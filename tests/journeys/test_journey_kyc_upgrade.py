"""Journey: KYC that moves up tiers (#21). A Telegram sender signs up by sharing their own
contact (the lowest tier, capped at 500 USD a transfer), is refused 900 USD, submits an ID
through /verify and the verification provider approves it by a signed webhook, submits the
enhanced tier's documents and an officer approves them in the console; the bot tells the
sender each time, in their language, and the 900 USD transfer is then paid out. A rejected
upgrade keeps the cap; unsigned, badly signed, stale and replayed provider webhooks are refused
with problems and write nothing; the sending app gets the KYC event by its webhook. Public
interfaces only: bot webhooks, the provider simulator, the console's forms, the HTTP API."""

from __future__ import annotations

import json
import re
import uuid

import pytest
import sqlalchemy as sa
from aiohttp import web

from corridors.signing import signature_headers
from gateway.storage.tables_compliance import audit_log
from gateway.storage.tables_kyc import kyc_events, kyc_provider_events, kyc_reviews
from gateway.verification.simulator import create_verification_simulator
from gateway.webhooks import dispatcher
from tests.console_support import PASSWORD
from tests.integration.bots.conftest import world  # noqa: F401
from tests.kyc_gateway_support import ID_DOCUMENTS

KYC_SECRET = b"kyc-provider-test-secret"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')

WORDS = {
    "en": {
        "name": "Ana Reyes",
        "registered": "up to 500 USD per transfer",
        "send": "send 900 USD to PH",
        "limit": "above your sending limit",
        "submitted": "being checked",
        "approved_id": "approved: you are now at tier id_verified, up to 3000 USD",
        "approved_top": "approved: you are now at tier enhanced, up to 10000 USD",
        "sent": "created",
        "paid": "has arrived",
    },
    "zh": {
        "name": "王小明",
        "registered": "每笔最多 500 美元",
        "send": "发送 900 美元 到 菲律宾",
        "limit": "超出了您的汇款限额",
        "submitted": "正在审核",
        "approved_id": "已通过：现在是等级 证件已验证，每笔最多 3000 美元",
        "approved_top": "已通过：现在是等级 增强验证，每笔最多 10000 美元",
        "sent": "已创建汇款",
        "paid": "已到账",
    },
}


@pytest.fixture
async def kyc_sim(aiohttp_client, clock):
    app = create_verification_simulator(KYC_SECRET, clock=lambda: clock().timestamp())
    return await aiohttp_client(app)


def _provider(kyc_sim) -> dict:
    return {
        "kyc_provider_url": str(kyc_sim.make_url("")).rstrip("/"),
        "kyc_provider_secret": KYC_SECRET,
    }


@pytest.fixture
def world_settings(kyc_sim) -> dict:
    return _provider(kyc_sim)


@pytest.fixture
def gateway_settings(kyc_sim) -> dict:
    return _provider(kyc_sim)


def _point_simulator_at(kyc_sim, client) -> None:
    from gateway.verification.simulator import STATE

    kyc_sim.server.app[STATE].webhook_url = str(client.make_url("/v1/kyc/provider/results"))


async def _count(svc, table) -> int:
    async with svc.engine.connect() as conn:
        return int(await conn.scalar(sa.select(sa.func.count()).select_from(table)))


async def _submitted(kyc_sim) -> list[str]:
    resp = await kyc_sim.get("/sim/verifications")
    assert resp.status == 200, await resp.text()
    return (await resp.json())["submissions"]


async def _decide_at_provider(kyc_sim, review_id: str, outcome: str, reason=None) -> dict:
    resp = await kyc_sim.post(
        f"/sim/verifications/{review_id}/decide", json={"outcome": outcome, "reason": reason}
    )
    assert resp.status == 200, await resp.text()
    return await resp.json()


def texts(messages) -> str:
    return "\n".join(m["text"] for m in messages)


async def _officer_approves_in_console(world, review_id: str) -> None:  # noqa: F811
    from gateway.usecases.officers import add_officer

    await add_officer(world.svc.engine, "kyc-analyst", "analyst", PASSWORD, None)
    client = world.client
    page = await client.get("/console/login")
    token = CSRF.search(await page.text()).group(1)
    signed = await client.post(
        "/console/login",
        data={"username": "kyc-analyst", "password": PASSWORD, "csrf_token": token},
        allow_redirects=False,
    )
    assert signed.status == 303
    queue = await (await client.get("/console/kyc")).text()
    assert review_id in queue and "enhanced" in queue
    page = await (await client.get(f"/console/kyc/{review_id}")).text()
    assert "telegram:proof-of-address-photo" in page and "salary" in page  # the documents
    token = CSRF.search(page).group(1)
    forged = await client.post(
        f"/console/kyc/{review_id}/decisions",
        data={"decision": "approve", "reason": "documents match", "csrf_token": "forged"},
    )
    assert forged.status == 403
    done = await client.post(
        f"/console/kyc/{review_id}/decisions",
        data={"decision": "approve", "reason": "documents match", "csrf_token": token},
        allow_redirects=False,
    )
    assert done.status == 303
    again = await (await client.get(f"/console/kyc/{review_id}")).text()
    assert "Approved by" in again and "documents match" in again


async def _send_900(world, say, lang: str):  # noqa: F811
    await say(WORDS[lang]["send"])
    await say("Maria Dela Cruz")
    said = await say("+639171234567")
    assert len(said) == 1, said
    [quote] = said
    return await world.telegram(world.tg_tap(quote["buttons"][0]["callback_data"], lang=lang))


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_a_bot_sender_walks_up_every_tier_and_sends_above_the_old_cap(
    world,  # noqa: F811
    kyc_sim,
    lang,
) -> None:
    w = WORDS[lang]
    _point_simulator_at(kyc_sim, world.client)
    say = lambda text: world.telegram(world.tg_message(text, lang=lang))  # noqa: E731
    await say("hello")
    await say(w["name"])
    await say("US")
    registered = texts(await world.telegram(world.tg_contact(lang=lang)))
    assert w["registered"] in registered
    customer_id = await world.customer_of("telegram", "42")
    await world.top_up(customer_id, "3000.00")

    # The lowest tier's cap: 900 USD is refused.
    assert w["limit"] in texts(await _send_900(world, say, lang))

    # The ID, through /verify; the provider's signed webhook approves it. (A sender types at
    # a person's pace: the clock moves between steps, as the bots' rate limit expects.)
    world.clock.advance(minutes=2)
    for answer in ("/verify", "1990-04-01", "1 Main St, Springfield", "passport", "X1234567"):
        await say(answer)
    await say("USA")
    submitted = await world.telegram(world.tg_photo("id-front-photo", lang=lang))
    assert w["submitted"] in texts(submitted), world.tg.messages(0)
    [review_id] = await _submitted(kyc_sim)
    answer = await _decide_at_provider(kyc_sim, review_id, "approved")
    assert answer["gateway_status"] == 200 and answer["gateway_answer"]["tier"] == "id_verified"
    before = len(world.tg.calls)
    await world.bots.notifier.run_once()
    assert w["approved_id"] in texts(world.tg.messages(before))

    # The enhanced tier, through /verify; an officer approves it in the console.
    world.clock.advance(minutes=2)
    for answer in ("/verify", "nurse", "salary"):
        await say(answer)
    submitted = await world.telegram(world.tg_photo("proof-of-address-photo", lang=lang))
    assert w["submitted"] in texts(submitted)
    assert await _submitted(kyc_sim) == [review_id]  # the officer's review is not the provider's
    async with world.svc.engine.connect() as conn:
        officer_review = await conn.scalar(
            sa.select(kyc_reviews.c.id).where(kyc_reviews.c.status == "officer_review")
        )
    await _officer_approves_in_console(world, officer_review)
    before = len(world.tg.calls)
    await world.bots.notifier.run_once()
    assert w["approved_top"] in texts(world.tg.messages(before))

    # Above the old cap, now allowed: created, paid out.
    world.clock.advance(minutes=2)
    assert w["sent"] in texts(await _send_900(world, say, lang))
    await world.drain()
    before = len(world.tg.calls)
    await world.bots.notifier.run_once()
    assert w["paid"] in texts(world.tg.messages(before))

    # Both decisions are in the audit hash chain, which verifies.
    from gateway.storage import audit

    async with world.svc.engine.connect() as conn:
        actions = list(await conn.scalars(sa.select(audit_log.c.action).order_by(audit_log.c.seq)))
        assert await audit.check(conn, world.svc.settings.audit_hmac_key) is None
    assert actions.count("kyc.review_opened") == 2
    assert "kyc.provider_approved" in actions and "kyc.approve" in actions


class Receiver:
    def __init__(self) -> None:
        self.events: list[dict] = []

    async def handle(self, request: web.Request) -> web.Response:
        self.events.append(await request.json())
        return web.Response(status=204)


def _signed(doc: dict, secret: bytes, now: float, **override) -> tuple[bytes, dict]:
    body = json.dumps(doc, sort_keys=True).encode()
    headers = {"Content-Type": "application/json", **signature_headers(secret, body, now)}
    return body, {**headers, **override}


async def test_a_rejected_upgrade_keeps_the_cap_and_bad_webhooks_write_nothing(
    gateway, kyc_sim, aiohttp_server
) -> None:
    _point_simulator_at(kyc_sim, gateway.client)
    receiver = Receiver()
    app = web.Application()
    app.router.add_post("/hooks", receiver.handle)
    server = await aiohttp_server(app, host="127.0.0.1")
    resp = await gateway.client.put(
        "/v1/webhooks", json={"url": str(server.make_url("/hooks"))}, headers=gateway.auth()
    )
    assert resp.status == 200, await resp.text()

    sender = await gateway.customer()
    assert sender["tier"] == "phone_verified" and sender["limits"]["per_transfer_usd"] == "500"
    await gateway.top_up(sender["id"], "2000.00")
    documents = ID_DOCUMENTS
    sender = await gateway.customer(**documents)
    review_id = sender["review"]["id"]
    assert sender["review"]["status"] == "provider_review"
    assert await _submitted(kyc_sim) == [review_id]

    url = "/v1/kyc/provider/results"
    now = gateway.clock().timestamp()
    result = {"event_id": "evt-1", "review_id": review_id, "outcome": "approved", "reason": None}
    refused = [
        (json.dumps(result).encode(), {"Content-Type": "application/json"}),  # unsigned
        _signed(result, b"someone else's secret", now),  # badly signed
        _signed(result, KYC_SECRET, now - 3600),  # stale: outside the five-minute window
    ]
    for body, headers in refused:
        resp = await gateway.client.post(url, data=body, headers=headers)
        problem = await resp.json()
        assert resp.status == 401 and problem["type"].endswith("/bad-signature"), problem
    garbled = _signed({**result, "outcome": "maybe"}, KYC_SECRET, now)
    resp = await gateway.client.post(url, data=garbled[0], headers=garbled[1])
    assert resp.status == 422 and (await resp.json())["errors"][0]["field"] == "outcome"
    for table in (kyc_provider_events, kyc_events):
        assert await _count(gateway.svc, table) == 0
    assert (await gateway.customer())["review"]["status"] == "provider_review"

    # The provider rejects; the same event again is a replay, refused, nothing written.
    answer = await _decide_at_provider(kyc_sim, review_id, "rejected", "document expired")
    assert answer["gateway_status"] == 200, answer
    sent = answer["sent"]
    replay = _signed(sent, KYC_SECRET, gateway.clock().timestamp())
    resp = await gateway.client.post(url, data=replay[0], headers=replay[1])
    assert resp.status == 409 and (await resp.json())["type"].endswith("/replayed")
    late = _signed({**sent, "event_id": "evt-late", "outcome": "approved"}, KYC_SECRET, now)
    resp = await gateway.client.post(url, data=late[0], headers=late[1])
    assert resp.status == 409 and (await resp.json())["type"].endswith("/already-decided")
    assert await _count(gateway.svc, kyc_provider_events) == 1
    assert await _count(gateway.svc, kyc_events) == 1

    sender = await gateway.customer()
    assert sender["tier"] == "phone_verified" and sender["review"]["status"] == "rejected"
    assert sender["review"]["message"] == "identity check not approved"
    # The cap stays: 600 USD refused, 400 USD goes.
    quote = await gateway.quote("600.00")
    resp = await gateway.client.post(
        "/v1/remittances",
        json=gateway.remittance_body(quote["id"], sender["id"]),
        headers={**gateway.auth(), "Idempotency-Key": str(uuid.uuid4())},
    )
    problem = await resp.json()
    assert resp.status == 422 and problem["type"].endswith("/limit-exceeded"), problem
    assert problem["tier"] == "phone_verified"
    await gateway.send("400.00", sender=sender)

    # The sending app is told by its webhook.
    import aiohttp

    async with aiohttp.ClientSession() as session:
        await dispatcher.enqueue_kyc(gateway.svc)
        await dispatcher.deliver_due(gateway.svc, session)
    kyc = [e for e in receiver.events if e["type"].startswith("kyc.")]
    assert [e["type"] for e in kyc] == ["kyc.upgrade_rejected"]
    assert kyc[0]["id"] == "kyc_1" and kyc[0]["data"]["customer_id"] == sender["id"]
    assert kyc[0]["data"]["tier"] == "phone_verified"

    # The same documents are not reviewed again; a corrected one opens a new review.
    again = await gateway.customer(**documents)
    assert again["review"]["id"] == review_id
    corrected = await gateway.customer(**{**documents, "id_number": "X7654321"})
    assert corrected["review"]["id"] != review_id
    assert corrected["review"]["status"] == "provider_review"

"""Signed status callbacks from push partners: refused with a bad signature or outside the
five-minute window (and then nothing changes); duplicate, late and contradicting callbacks are
harmless; a partner's callback cannot touch another partner's payout."""

import pytest
import sqlalchemy as sa

from corridors.fake import InMemoryPayoutPartner
from gateway.storage.tables import remittances
from tests.partners_support import PARTNER, SECRET, post_callback, register, send_distinct


@pytest.fixture
async def pending(gateway):
    """A remittance the partner accepted but has not paid yet (payout_pending)."""
    await register(gateway, PARTNER, base_url="http://127.0.0.1:9")
    fake = InMemoryPayoutPartner(PARTNER)
    fake.script("accepted")
    gateway.svc.partners.install(PARTNER, fake)
    sender = await gateway.customer()
    await gateway.top_up(sender["id"], "100.00")
    rem = await send_distinct(gateway, sender, 1)
    await gateway.drain()
    assert (await gateway.get(rem["id"]))["status"] == "payout_pending"
    return rem["id"]


async def _payout_fields(gateway, rem_id: str):
    async with gateway.svc.engine.connect() as conn:
        return (
            await conn.execute(
                sa.select(
                    remittances.c.status,
                    remittances.c.payout_status,
                    remittances.c.partner_reference,
                ).where(remittances.c.id == rem_id)
            )
        ).one()


def _doc(rem_id: str, status: str = "paid", **extra) -> dict:
    return {"payout_id": rem_id, "status": status, "partner_reference": "P-REF-1", **extra}


async def test_paid_callback_completes_the_payout(gateway, pending) -> None:
    resp = await post_callback(gateway, _doc(pending))
    assert resp.status == 200, await resp.text()
    assert (await resp.json()) == {"payout_id": pending, "applied": True}
    await gateway.drain()
    final = await gateway.get(pending)
    assert final["status"] == "paid_out"
    assert final["partner_reference"] == "P-REF-1"

    # The same callback again, and a late contradicting one: nothing changes.
    again = await post_callback(gateway, _doc(pending))
    assert again.status == 200 and (await again.json())["applied"] is False
    late = await post_callback(gateway, _doc(pending, "failed", reason="ACCOUNT_CLOSED"))
    assert late.status == 200 and (await late.json())["applied"] is False
    await gateway.drain()
    assert (await gateway.get(pending))["status"] == "paid_out"


async def test_failed_callback_refunds(gateway, pending) -> None:
    resp = await post_callback(gateway, _doc(pending, "failed", reason="ACCOUNT_CLOSED"))
    assert resp.status == 200
    await gateway.drain()
    final = await gateway.get(pending)
    assert [h["to"] for h in final["history"]][-2:] == ["failed", "refunded"]
    assert final["failure_reason"] == "ACCOUNT_CLOSED"


@pytest.mark.parametrize(
    ("secret", "skew_s", "reason"),
    [
        (b"not-the-secret", 0, "signature_mismatch"),
        (SECRET, -301, "stale_timestamp"),
        (SECRET, 301, "stale_timestamp"),
    ],
)
async def test_refused_callbacks_change_nothing(gateway, pending, secret, skew_s, reason) -> None:
    before = await _payout_fields(gateway, pending)
    resp = await post_callback(gateway, _doc(pending), secret=secret, skew_s=skew_s)
    assert resp.status == 401
    problem = await resp.json()
    assert resp.content_type == "application/problem+json" and reason in problem["detail"]
    assert await _payout_fields(gateway, pending) == before


async def test_replayed_callback_outside_the_window_is_refused(gateway, pending) -> None:
    from tests.partners_support import signed

    body, headers = signed(_doc(pending), SECRET, gateway.clock().timestamp())
    gateway.clock.advance(minutes=5, seconds=1)
    resp = await gateway.client.post(f"/v1/partner/callbacks/{PARTNER}", data=body, headers=headers)
    assert resp.status == 401
    assert (await _payout_fields(gateway, pending)).payout_status == "accepted"


async def test_tampered_body_and_missing_headers_are_refused(gateway, pending) -> None:
    from tests.partners_support import signed

    body, headers = signed(_doc(pending), SECRET, gateway.clock().timestamp())
    tampered = body.replace(b"P-REF-1", b"P-REF-9")
    url = f"/v1/partner/callbacks/{PARTNER}"
    assert (await gateway.client.post(url, data=tampered, headers=headers)).status == 401
    bare = {"Content-Type": "application/json"}
    assert (await gateway.client.post(url, data=body, headers=bare)).status == 401
    unknown = "/v1/partner/callbacks/no-such-partner"
    assert (await gateway.client.post(unknown, data=body, headers=headers)).status == 401
    assert (await _payout_fields(gateway, pending)).payout_status == "accepted"


async def test_callback_for_another_partners_payout_is_refused(gateway, pending) -> None:
    await register(gateway, "other-partner", base_url="http://127.0.0.1:9")
    resp = await post_callback(gateway, _doc(pending), partner="other-partner")
    assert resp.status == 404
    assert (await _payout_fields(gateway, pending)).payout_status == "accepted"


async def test_malformed_status_document_is_422(gateway, pending) -> None:
    resp = await post_callback(gateway, {"payout_id": pending, "status": "maybe"})
    assert resp.status == 422
    assert (await resp.json())["errors"][0]["field"] == "body"

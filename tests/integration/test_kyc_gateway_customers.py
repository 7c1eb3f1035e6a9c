"""PUT/GET /v1/customers in the manner of SEP-12: status and tier computed from the fields
given, the fields still needed for the next tier, bad input refused with nothing written."""

from __future__ import annotations

import sqlalchemy as sa

from gateway.storage.tables import customers
from gateway.storage.tables_kyc import customer_kyc
from gateway.usecases.customers import customer_event
from tests.kyc_gateway_support import default_logging  # noqa: F401


async def put(gateway, **body):
    body = {"external_id": "sep-1", "country": "US", **body}
    resp = await gateway.client.put("/v1/customers", json=body, headers=gateway.auth())
    return resp.status, await resp.json()


async def count(gateway, table) -> int:
    async with gateway.svc.engine.connect() as conn:
        return await conn.scalar(sa.select(sa.func.count()).select_from(table))


async def test_a_name_and_country_without_a_verified_phone_is_not_at_the_lowest_tier(gateway):
    """#21: a name and a country made a sender phone_verified and accepted."""
    status, body = await put(gateway, name="Ana Reyes")
    assert status == 201
    assert body["status"] == "needs_info" and body["tier"] is None and body["limits"] is None
    assert list(body["fields"]) == ["mobile_number"]
    _, body = await put(gateway, name="Ana Reyes", mobile_number="+14155550123")
    assert body["status"] == "needs_info" and not body["phone_verified"]  # given, not verified
    assert body["status_reason"] == "a verified mobile_number is needed"
    _, body = await put(gateway, name="Ana Reyes", mobile_number_verified=True)
    assert body["status"] == "accepted" and body["tier"] == "phone_verified"
    assert body["phone_verified_by"] == "sender-app:test-sender-app"
    # A new number is unverified until vouched for again: the lowest tier is left.
    _, body = await put(gateway, name="Ana Reyes", mobile_number="+14155550199")
    assert body["status"] == "needs_info" and body["tier"] is None and not body["phone_verified"]


async def test_verifying_an_absent_phone_is_refused(gateway):
    status, problem = await put(gateway, name="Ana Reyes", mobile_number_verified=True)
    assert status == 422 and problem["errors"][0]["field"] == "mobile_number_verified"
    assert await count(gateway, customers) == 0


async def test_names_and_phone_accept_the_lowest_tier_and_list_the_next_tiers_fields(gateway):
    status, body = await put(
        gateway,
        first_name="Ana",
        last_name="Reyes",
        mobile_number="+1 415 555 0123",
        mobile_number_verified=True,
    )
    assert status == 201
    assert body["status"] == "accepted" and body["tier"] == "phone_verified"
    assert body["phone"] == "+14155550123"
    assert body["limits"]["per_transfer_usd"] == "500"
    assert body["next_tier"] == "id_verified"
    assert {"address", "id_number", "birth_date"} <= set(body["fields"])
    assert "mobile_number" not in body["fields"]
    assert body["fields"]["address"]["description"] == "Residential address"
    again_status, again = await put(
        gateway, first_name="Ana", last_name="Reyes", mobile_number="+14155550123"
    )
    assert again_status == 200 and again["id"] == body["id"]  # idempotent
    fetched = await gateway.client.get(f"/v1/customers/{body['id']}", headers=gateway.auth())
    assert (await fetched.json())["provided_fields"] == sorted(
        ["first_name", "last_name", "mobile_number"]
    )


async def test_complete_higher_tier_opens_a_review_and_the_sender_keeps_sending(gateway):
    _, first = await put(
        gateway, name="Ana Reyes", phone="+14155550123", mobile_number_verified=True
    )
    _, body = await put(
        gateway,
        birth_date="1990-04-01",
        address="1 Main St, Springfield",
        id_type="passport",
        id_number="X1234567",
        id_country_code="USA",
        photo_id_front="doc_123",
    )
    assert body["id"] == first["id"]
    assert body["status"] == "accepted" and body["tier"] == "phone_verified"
    # No provider is configured here: an officer reviews it (GET /v1/compliance/kyc-reviews).
    assert body["review"]["tier"] == "id_verified"
    assert body["review"]["status"] == "officer_review"
    assert body["fields"] == {}  # everything for id_verified is in; the review decides


async def test_missing_last_name_needs_info_and_cannot_send(gateway):
    status, body = await put(
        gateway, name="Cher", phone="+14155550123", mobile_number_verified=True
    )
    assert status == 201
    assert body["status"] == "needs_info" and body["tier"] is None
    assert list(body["fields"]) == ["last_name"]
    quote = await gateway.quote("50.00")
    resp = await gateway.client.post(
        "/v1/remittances",
        json=gateway.remittance_body(quote["id"], body["id"]),
        headers={**gateway.auth(), "Idempotency-Key": "k-needs-info"},
    )
    assert resp.status == 422
    assert (await resp.json())["errors"][0]["field"] == "sender_id"
    _, fixed = await put(gateway, name="Cher", first_name="Cher", last_name="Sarkisian")
    assert fixed["status"] == "accepted"


async def test_bad_fields_are_named_and_nothing_is_written(gateway):
    before = (await count(gateway, customers), await count(gateway, customer_kyc))
    cases = [
        ({"name": "Ana Reyes", "phone": "12"}, "phone"),
        ({"first_name": "Ana", "mobile_number": "+1415"}, "mobile_number"),
        ({"first_name": "Ana"}, "name"),
        ({"name": "Ana Reyes", "id_country_code": "ZZZ"}, "id_country_code"),
        ({"name": "Ana Reyes", "id_type": "library_card"}, "id_type"),
        ({"name": "Ana Reyes", "birth_date": "2999-01-01"}, "birth_date"),
    ]
    for body, field in cases:
        status, problem = await put(gateway, **body)
        assert status == 422, body
        assert field in {e["field"] for e in problem["errors"]}, problem
    assert (await count(gateway, customers), await count(gateway, customer_kyc)) == before


async def test_an_accepted_customer_is_moved_back_after_a_list_hit(gateway):
    sender = await gateway.customer()
    async with gateway.svc.engine.begin() as conn:
        moved = await customer_event(
            conn, sender["id"], "list_hit", "sanctions hit", gateway.clock()
        )
    assert moved == "processing"
    resp = await gateway.client.get(f"/v1/customers/{sender['id']}", headers=gateway.auth())
    body = await resp.json()
    assert body["status"] == "processing" and body["status_reason"] == "sanctions hit"
    _, again = await put(gateway, external_id="u-1", name="Ana Reyes Cruz")
    assert again["status"] == "processing"  # a resubmission does not undo a review

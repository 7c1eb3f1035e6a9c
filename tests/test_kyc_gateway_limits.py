"""KYC tier limits at submission: concurrent submissions by one sender never exceed a limit
together (the sender's row lock serialises them; on SQLite the write lock does)."""

from __future__ import annotations

import asyncio
import uuid
from decimal import Decimal

import sqlalchemy as sa
from kyc_gateway_support import default_logging  # noqa: F401

from gateway.storage.tables import remittances


async def test_fifty_concurrent_submissions_never_exceed_the_daily_limit(gateway):
    sender = await gateway.customer()
    assert sender["tier"] == "phone_verified"
    per_day = Decimal(sender["limits"]["per_day_usd"])
    quotes = [await gateway.quote("100.00") for _ in range(50)]

    async def submit(quote):
        resp = await gateway.client.post(
            "/v1/remittances",
            json=gateway.remittance_body(quote["id"], sender["id"]),
            headers={**gateway.auth(), "Idempotency-Key": str(uuid.uuid4())},
        )
        return resp.status, await resp.json()

    answers = await asyncio.gather(*(submit(q) for q in quotes))
    accepted = [body for status, body in answers if status == 201]
    refused = [body for status, body in answers if status != 201]
    assert {status for status, _ in answers} <= {201, 422}
    assert all(body["type"].endswith("limit-exceeded") for body in refused)
    total = sum(Decimal(body["send_amount"]) for body in accepted)
    assert total <= per_day
    assert len(accepted) == int(per_day // Decimal("100.00"))  # the limit is reached exactly
    async with gateway.svc.engine.connect() as conn:
        stored = await conn.scalar(
            sa.select(sa.func.count()).where(remittances.c.sender_id == sender["id"])
        )
    assert stored == len(accepted)  # a refused submission left no row behind

"""The webhook dispatcher: copies new remittance_history rows (read through an events cursor)
into an outbox for apps that registered an endpoint, then POSTs due deliveries, signed with
HMAC-SHA256 over timestamp and body (corridors.signing), with the event id in the body and the
X-Remit-Event-Id header. Failures retry with exponential backoff; delivery is at-least-once and
receivers dedupe by event id. Payloads carry ids, states and reasons; a reason can carry an
officer's words to the sender, so the outbox keeps each payload sealed to its event.

Every delivery obeys the outbound rule (corridors.outbound) again: the stored URL as written,
and the address of each connection made (the session's socket factory), so a name rebound to
an inside address after registration reaches nothing."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import timedelta
from typing import Any

import aiohttp
import sqlalchemy as sa
import structlog
from aiohttp import web

from corridors.outbound import RefusedAddress
from corridors.signing import signature_headers
from gateway import events
from gateway.services import Services
from gateway.storage.partners import active_secrets
from gateway.storage.sealed import row_value
from gateway.storage.tables_partners import webhook_deliveries, webhook_endpoints
from ledger_adapter.sessions import reading

log = structlog.get_logger("gateway.webhooks")

CONSUMER = "webhooks"
EVENT_HEADER = "X-Remit-Event-Id"
MAX_ATTEMPTS = 12
TIMEOUT_S = 10.0
POLL_S = 1.0


def retry_delay(attempts: int) -> timedelta:
    """10 s, 20 s, 40 s ... capped at one hour; twelve attempts span about six hours."""
    return min(timedelta(seconds=10) * (2 ** min(attempts, 12)), timedelta(hours=1))


def event_payload(row: Any) -> dict[str, Any]:
    """A move is `remittance.{to}`; a row recording an event carries its own type (e.g.
    `error_case.resolved`, the outcome in `reason`)."""
    return {
        "id": row.id,
        "type": getattr(row, "event", None) or f"remittance.{row.to_status}",
        "created_at": row.at.isoformat(),
        "data": {
            "remittance_id": row.remittance_id,
            "from": row.from_status,
            "to": row.to_status,
            "reason": row.reason,
        },
    }


KYC_CONSUMER = "webhooks-kyc"


def kyc_event_payload(row: Any) -> dict[str, Any]:
    """A customer's KYC event. Its outbox key is the negative of its id (remittance history
    ids are positive), and receivers see the id as "kyc_N"."""
    return {
        "id": f"kyc_{row.id}",
        "type": row.type,
        "created_at": row.at.isoformat(),
        "data": {
            "customer_id": row.customer_id,
            "review_id": row.review_id,
            "sought_tier": row.sought_tier,
            "tier": row.tier,
            "reason": row.reason,
        },
    }


async def _subscribed(conn, owners: set[str]) -> set[str]:
    query = sa.select(webhook_endpoints.c.owner).where(webhook_endpoints.c.owner.in_(owners))
    return set((await conn.execute(query)).scalars())


async def enqueue_kyc(svc: Services, batch: int = 200) -> int:
    """Queue the KYC events of apps with an endpoint (cursor and outbox commit together)."""
    return await _enqueue(
        svc, KYC_CONSUMER, events.read_kyc_after, lambda r: -r.id, kyc_event_payload, batch
    )


async def enqueue(svc: Services, batch: int = 200) -> int:
    """Move the events cursor forward, queueing one delivery per event of an app with an
    endpoint. Cursor and outbox rows commit together, so nothing is queued twice or lost."""
    return await _enqueue(svc, CONSUMER, events.read_after, lambda r: r.id, event_payload, batch)


async def _enqueue(
    svc: Services,
    consumer: str,
    read_after: Callable[[Any, str, int], Awaitable[Sequence[Any]]],
    event_id: Callable[[Any], int],
    payload: Callable[[Any], dict[str, Any]],
    batch: int,
) -> int:
    """One delivery per event of `consumer`'s next batch whose app has an endpoint; the outbox
    key of an event is `event_id(row)`."""
    async with svc.engine.begin() as conn:
        rows = await read_after(conn, consumer, batch)
        if not rows:
            return 0
        subscribed = await _subscribed(conn, {r.owner for r in rows})
        now = svc.now()
        queued = [
            {
                "event_id": event_id(r),
                "owner": r.owner,
                "payload": row_value(str(event_id(r)), payload(r)),
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
            }
            for r in rows
            if r.owner in subscribed
        ]
        if queued:
            await conn.execute(webhook_deliveries.insert(), queued)
        await events.save_cursor(conn, consumer, rows[-1].id)
    return len(queued)


async def _send(
    session: aiohttp.ClientSession, url: str, secrets: tuple[bytes, ...], payload: dict, now: float
) -> str | None:
    """POST one event; None on a 2xx, else a short error."""
    body = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
    headers = {
        "Content-Type": "application/json",
        EVENT_HEADER: str(payload["id"]),
        **signature_headers(secrets[:1], body, now),
    }
    try:
        async with session.post(
            url, data=body, headers=headers, timeout=aiohttp.ClientTimeout(total=TIMEOUT_S)
        ) as resp:
            await resp.read()
            return None if 200 <= resp.status < 300 else f"http_{resp.status}"
    except TimeoutError:
        return "timeout"
    except aiohttp.ClientError as exc:
        if isinstance(getattr(exc, "os_error", None), RefusedAddress):  # the socket factory
            return f"refused: {exc.os_error}"
        return f"connection_error: {type(exc).__name__}"


async def deliver_due(svc: Services, session: aiohttp.ClientSession, batch: int = 50) -> int:
    """Send due deliveries, oldest event first; returns how many succeeded."""
    now = svc.now()
    query = (
        sa.select(webhook_deliveries, webhook_endpoints.c.url, webhook_endpoints.c.secrets)
        .join(webhook_endpoints, webhook_endpoints.c.owner == webhook_deliveries.c.owner)
        .where(webhook_deliveries.c.next_attempt_at <= now)
        .order_by(webhook_deliveries.c.event_id)
        .limit(batch)
    )
    async with reading(svc.engine) as conn:
        due = (await conn.execute(query)).all()
    delivered = 0
    for row in due:
        secrets = active_secrets(row.secrets, now)
        refusal = svc.outbound.url_refusal(row.url)
        if refusal is not None:
            error: str | None = f"refused: {refusal}"
            log.warning("webhook.refused", event_id=row.event_id, owner=row.owner, error=refusal)
        else:
            error = await _send(session, row.url, secrets, row.payload, now.timestamp())
        attempts = row.attempts + 1
        if error is None:
            values: dict[str, Any] = {"delivered_at": now, "next_attempt_at": None}
            delivered += 1
        elif attempts >= MAX_ATTEMPTS:
            values = {"next_attempt_at": None, "last_error": f"gave up: {error}"[:300]}
            log.warning("webhook.gave_up", event_id=row.event_id, owner=row.owner, error=error)
        else:
            values = {"next_attempt_at": now + retry_delay(attempts), "last_error": error[:300]}
        async with svc.engine.begin() as conn:
            await conn.execute(
                webhook_deliveries.update()
                .where(webhook_deliveries.c.event_id == row.event_id)
                .values(attempts=attempts, **values)
            )
        log.info("webhook.attempt", event_id=row.event_id, ok=error is None, attempts=attempts)
    return delivered


async def run(svc: Services, session: aiohttp.ClientSession, stop: asyncio.Event) -> None:
    while not stop.is_set():
        try:
            await enqueue(svc)
            await enqueue_kyc(svc)
            await deliver_due(svc, session)
        except Exception:  # the loop must survive a database or network hiccup
            log.exception("webhook_cycle_failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), POLL_S)


def webhooks_ctx(services_key: web.AppKey[Services]):
    """cleanup_ctx entry: the dispatcher lives as long as the app."""

    async def ctx(app: web.Application) -> AsyncIterator[None]:
        stop = asyncio.Event()
        async with app[services_key].outbound.session() as session:
            task = asyncio.create_task(run(app[services_key], session, stop), name="webhooks")
            try:
                yield
            finally:
                stop.set()
                await asyncio.gather(task, return_exceptions=True)

    return ctx

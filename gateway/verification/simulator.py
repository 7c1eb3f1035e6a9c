"""A verification provider simulator (aiohttp), in the manner of the partner simulator: it
takes signed submissions at `POST /verifications` and answers each with a signed webhook result
(`approved` or `rejected`) posted to the gateway's `POST /v1/kyc/provider/results`.

`auto=True` decides at once after answering (documents whose `id_number` contains "REJECT"
are rejected, every other one approved); otherwise a test or a person decides with
`POST /sim/verifications/{review_id}/decide {"outcome": ..., "reason": ...}`, which answers with
the gateway's response to the webhook."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

from corridors.signing import SignatureError, signature_headers, verify

STATE = web.AppKey("verification_sim", object)


@dataclass
class SimulatorState:
    secret: bytes
    webhook_url: str | None = None
    auto: bool = False
    submissions: dict[str, dict[str, Any]] = field(default_factory=dict)
    tasks: set[asyncio.Task] = field(default_factory=set)
    clock: Callable[[], float] = time.time  # signing time (tests pass the gateway's clock)


def outcome_for(fields: dict[str, Any]) -> tuple[str, str | None]:
    """The automatic decision: a document number containing REJECT fails the check."""
    if "REJECT" in str(fields.get("id_number", "")).upper():
        return "rejected", "document could not be verified"
    return "approved", None


def result_body(review_id: str, outcome: str, reason: str | None) -> bytes:
    doc = {
        "event_id": f"evt_{uuid.uuid4().hex}",
        "review_id": review_id,
        "outcome": outcome,
        "reason": reason,
        "checks": ["document", "face_match"],
    }
    return json.dumps(doc, sort_keys=True).encode()


async def post_result(state: SimulatorState, body: bytes) -> tuple[int, Any]:
    """POST a signed result to the gateway; its status and JSON answer."""
    if not state.webhook_url:
        raise RuntimeError("the simulator has no webhook_url")
    signed = signature_headers(state.secret, body, state.clock())
    headers = {"Content-Type": "application/json", **signed}
    async with (
        aiohttp.ClientSession() as session,
        session.post(state.webhook_url, data=body, headers=headers) as resp,
    ):
        return resp.status, await resp.json(content_type=None)


async def submit(request: web.Request) -> web.Response:
    state: SimulatorState = request.app[STATE]
    raw = await request.read()
    try:
        verify((state.secret,), request.headers, raw, state.clock())
    except SignatureError as exc:
        return web.json_response({"error": exc.reason}, status=401)
    doc = json.loads(raw)
    review_id = str(doc["review_id"])
    first = review_id not in state.submissions
    state.submissions.setdefault(review_id, doc)  # the review id is the idempotency key
    if first and state.auto:
        outcome, reason = outcome_for(doc.get("fields") or {})
        task = asyncio.create_task(post_result(state, result_body(review_id, outcome, reason)))
        state.tasks.add(task)
        task.add_done_callback(state.tasks.discard)
    return web.json_response({"review_id": review_id, "status": "received"}, status=202)


async def decide(request: web.Request) -> web.Response:
    state: SimulatorState = request.app[STATE]
    review_id = request.match_info["review_id"]
    if review_id not in state.submissions:
        return web.json_response({"error": "unknown review"}, status=404)
    doc = await request.json()
    body = result_body(review_id, str(doc["outcome"]), doc.get("reason"))
    status, answer = await post_result(state, body)
    sent = json.loads(body)
    return web.json_response({"gateway_status": status, "gateway_answer": answer, "sent": sent})


async def listing(request: web.Request) -> web.Response:
    state: SimulatorState = request.app[STATE]
    return web.json_response({"submissions": sorted(state.submissions)})


def create_verification_simulator(
    secret: bytes,
    webhook_url: str | None = None,
    auto: bool = False,
    clock: Callable[[], float] = time.time,
) -> web.Application:
    app = web.Application()
    app[STATE] = SimulatorState(secret=secret, webhook_url=webhook_url, auto=auto, clock=clock)
    app.router.add_post("/verifications", submit)
    app.router.add_get("/sim/verifications", listing)
    app.router.add_post("/sim/verifications/{review_id}/decide", decide)
    return app

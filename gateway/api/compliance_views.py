"""Compliance REST views: translate HTTP to gateway.usecases.cases and back."""

from __future__ import annotations

from aiohttp import web

from gateway.api.appkeys import SERVICES
from gateway.api.compliance_schemas import (
    AssignRequest,
    DecisionRequest,
    InformationRequest,
)
from gateway.api.http import about_id, caller, read_json, reply
from gateway.api.schemas import query_int
from gateway.usecases import audit_trail
from gateway.usecases.cases import access, decisions, exports, information
from gateway.usecases.cases import queue as case_queue
from gateway.usecases.requests.base import parse

FILTERS = ("status", "corridor", "rule", "assignee")


async def list_cases(request: web.Request) -> web.Response:
    filters = {k: request.query.get(k) or None for k in FILTERS}
    limit = query_int(request.query, "limit", 100, 1, 500)
    found = await case_queue.queue(request.app[SERVICES], caller(request), limit=limit, **filters)
    return reply({"cases": found})


async def get_case(request: web.Request) -> web.Response:
    svc = request.app[SERVICES]
    reason = request.query.get("reason") or None  # audited with the officer; default "case review"
    return reply(
        await case_queue.case_detail(svc, caller(request), request.match_info["id"], reason)
    )


claim_case = about_id(decisions.claim)


async def assign_case(request: web.Request) -> web.Response:
    req = parse(AssignRequest, await read_json(request))
    svc = request.app[SERVICES]
    return reply(
        await decisions.claim(svc, caller(request), request.match_info["id"], req.officer_id)
    )


async def post_decision(request: web.Request) -> web.Response:
    req = parse(DecisionRequest, await read_json(request))
    svc = request.app[SERVICES]
    body, replayed = await decisions.decide_case(
        svc, caller(request), request.match_info["id"], req.decision, req.reason, req.message
    )
    headers = {"Idempotent-Replayed": "true"} if replayed else None
    return reply(body, 200 if replayed else 201, headers)


async def decisions_csv(request: web.Request) -> web.Response:
    text = await exports.decisions_csv(request.app[SERVICES], caller(request))
    return web.Response(
        text=text,
        content_type="text/csv",
        headers={"Content-Disposition": 'attachment; filename="decisions.csv"'},
    )


sar_draft = about_id(exports.sar_draft)


async def audit_entries(request: web.Request) -> web.Response:
    access.require(caller(request), "audit")
    after = query_int(request.query, "after", 0, 0, 2**31 - 1)  # an entry's seq (INTEGER)
    found = await audit_trail.entries(request.app[SERVICES], after_seq=after, limit=500)
    return reply({"entries": found})


async def audit_verify(request: web.Request) -> web.Response:
    access.require(caller(request), "audit")
    finding = await audit_trail.check(request.app[SERVICES])
    body = {"ok": finding is None, "first_bad_entry": None, "problem": None}
    if finding is not None:
        body.update(first_bad_entry=finding.seq, problem=str(finding))
    return reply(body)


async def post_information(request: web.Request) -> web.Response:
    req = parse(InformationRequest, await read_json(request))
    svc = request.app[SERVICES]
    recipient = req.recipient.model_dump() if req.recipient is not None else None
    body = await information.answer_information(
        svc, caller(request), request.match_info["id"], req.information, recipient
    )
    return reply(body)

"""Routes of the sender protections: error reports (senders) and the error-case queue
(officers). Receipts and cancels sit with the remittance routes."""

from __future__ import annotations

from typing import Literal

from aiohttp import web
from pydantic import Field

from gateway.api.appkeys import SERVICES
from gateway.api.http import caller, read_json, reply
from gateway.api.routing import Route, roles
from gateway.api.schemas import Body, parse
from gateway.usecases import error_reports

SENDERS = roles("sender-app", "operator")
READERS = roles("analyst", "supervisor", "admin", "operator")
_str = {"type": "string"}
_clock = {
    "type": "object",
    "properties": {
        "due": _str,
        "met_at": {"type": ["string", "null"]},
        "overdue": {"type": "boolean"},
    },
}
ERROR_CASE = {
    "type": "object",
    "properties": {
        **{k: _str for k in ("id", "remittance_id", "kind", "description", "status", "rule")},
        "reported_at": _str,
        "clocks": {"type": "object", "additionalProperties": _clock},
    },
}


class ErrorReportRequest(Body):
    kind: Literal["wrong_amount", "not_received", "late"]
    description: str = Field(min_length=1, max_length=1000)


async def post_error(request: web.Request) -> web.Response:
    req = parse(ErrorReportRequest, await read_json(request))
    body = await error_reports.report_error(
        request.app[SERVICES], caller(request), request.match_info["id"], req.kind, req.description
    )
    return reply(body, 201)


async def get_error_cases(request: web.Request) -> web.Response:
    return reply(await error_reports.list_cases(request.app[SERVICES]))


ROUTES = [
    Route(
        "POST",
        "/v1/remittances/{id}/errors",
        post_error,
        "Report an error (wrong amount, not received, late) within the regime's days",
        roles=SENDERS,
        body=ErrorReportRequest,
        response=ERROR_CASE,
        status=201,
        errors=(400, 404, 409, 413, 415, 422),
    ),
    Route(
        "GET",
        "/v1/compliance/error-cases",
        get_error_cases,
        "Error-resolution cases with their clocks, overdue first",
        roles=READERS,
        tag="compliance",
        response={
            "type": "object",
            "properties": {"cases": {"type": "array", "items": ERROR_CASE}},
        },
    ),
]

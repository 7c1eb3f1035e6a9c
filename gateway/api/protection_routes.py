"""Routes of the sender protections: error reports (senders) and the error-case queue
(officers). Receipts and cancels sit with the remittance routes."""

from __future__ import annotations

from typing import Literal

from aiohttp import web
from pydantic import Field

from compliance.protections.error_cases import STATUSES
from gateway.api.appkeys import SERVICES
from gateway.api.http import about_id, caller, read_json, reply
from gateway.api.routing import Handler, Route, roles
from gateway.api.schemas import list_of
from gateway.errors import field_error
from gateway.usecases import error_reports, error_resolution, travel_hold
from gateway.usecases.cases import access
from gateway.usecases.remittances import REMITTANCE_SCHEMA
from gateway.usecases.requests.base import Body, parse
from gateway.usecases.requests.travel_rule import TravelRuleRequest
from gateway.usecases.schemas import STR

SENDERS = roles("sender-app", "operator")
OFFICERS = roles("analyst", "supervisor", "admin")
READERS = OFFICERS | roles("operator")
ERROR_CASE = error_reports.ERROR_CASE_SCHEMA  # each declared beside the function building it
ERROR_CASE_DETAIL = error_resolution.ERROR_CASE_DETAIL_SCHEMA


class ErrorReportRequest(Body):
    kind: Literal["wrong_amount", "not_received", "late"]
    description: str = Field(min_length=1, max_length=1000)


async def post_error(request: web.Request) -> web.Response:
    req = parse(ErrorReportRequest, await read_json(request))
    body = await error_reports.report_error(
        request.app[SERVICES], caller(request), request.match_info["id"], req.kind, req.description
    )
    return reply(body, 201)


class ResolveRequest(Body):
    remedy: Literal["refund", "resend", "no_error"]
    finding: str = Field(min_length=3, max_length=1000)
    amount: str | None = Field(default=None, pattern=r"^\d{1,12}(\.\d{1,6})?$")


get_travel_rule = about_id(travel_hold.status)


async def post_travel_rule(request: web.Request) -> web.Response:
    req = parse(TravelRuleRequest, await read_json(request))
    svc, who = request.app[SERVICES], caller(request)
    given = req.sender.model_dump(exclude_none=True)
    if not given:
        raise field_error("sender", "give at least one of the fields asked for")
    return reply(await travel_hold.supply(svc, who, request.match_info["id"], given))


async def get_error_cases(request: web.Request) -> web.Response:
    access.require(caller(request), "read")
    status = request.query.get("status")
    if status not in (None, "", "open", "all", *STATUSES, "resolving"):
        raise field_error("status", "unknown status")
    return reply(await error_reports.list_cases(request.app[SERVICES], status))


get_error_case = about_id(error_resolution.case_detail)


post_acknowledge = about_id(error_resolution.acknowledge)


post_investigate = about_id(error_resolution.investigate)


async def post_resolve(request: web.Request) -> web.Response:
    req = parse(ResolveRequest, await read_json(request))
    svc, who = request.app[SERVICES], caller(request)
    body = await error_resolution.resolve(
        svc, who, request.match_info["id"], req.remedy, req.finding, req.amount
    )
    return reply(body)


def _error_case_step(step: str, handler: Handler, summary: str) -> Route:
    """An officer moves an error case one step on its clock, with no body."""
    return Route(
        "POST",
        f"/v1/compliance/error-cases/{{id}}/{step}",
        handler,
        summary,
        roles=OFFICERS,
        tag="compliance",
        response=ERROR_CASE_DETAIL,
        errors=(404, 409),
    )


ROUTES = [
    Route(
        "GET",
        "/v1/remittances/{id}/travel-rule",
        get_travel_rule,
        "Travel-rule status: covered, record bound, held for data and exactly what is missing",
        roles=SENDERS,
        response=travel_hold.TRAVEL_STATUS_SCHEMA,
        errors=(404,),
    ),
    Route(
        "POST",
        "/v1/remittances/{id}/travel-rule",
        post_travel_rule,
        "Supply the travel-rule data a held transfer asks for (sender: address, id_number, "
        "birth_date, birth_place; for this transfer only); complete, it goes on to screening",
        roles=SENDERS,
        body=TravelRuleRequest,
        response=REMITTANCE_SCHEMA,  # the remittance, as get_remittance answers it
        errors=(400, 404, 409, 413, 415, 422),
    ),
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
        "Error-resolution cases with their clocks, overdue first; status: open (default: not "
        "yet resolved), all, or one status",
        roles=READERS,
        tag="compliance",
        query=[{"name": "status", "in": "query", "required": False, "schema": STR}],
        response=list_of("cases", ERROR_CASE),
        errors=(422,),
    ),
    Route(
        "GET",
        "/v1/compliance/error-cases/{id}",
        get_error_case,
        "An error case with its clocks, remedy and the remittance it is about",
        roles=READERS,
        tag="compliance",
        response=ERROR_CASE_DETAIL,
        errors=(404,),
    ),
    _error_case_step(
        "acknowledge",
        post_acknowledge,
        "Acknowledge an error report (meets the acknowledge clock; audit-chained)",
    ),
    _error_case_step(
        "investigate",
        post_investigate,
        "Start investigating an acknowledged error case (audit-chained)",
    ),
    Route(
        "POST",
        "/v1/compliance/error-cases/{id}/resolve",
        post_resolve,
        "Resolve with a remedy: refund (to the wallet; amount defaults to all the sender paid), "
        "resend at no cost, or no_error; posted through the ledger, the sender told",
        roles=OFFICERS,
        tag="compliance",
        body=ResolveRequest,
        response=ERROR_CASE_DETAIL,
        errors=(400, 404, 409, 415, 422),
    ),
]

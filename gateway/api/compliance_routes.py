"""Compliance REST routes under /v1/compliance: officers' tokens (analyst, supervisor, admin)
and operator keys (read only); partner and sender-app keys get 403. Also the sending app's
answer to a request for information."""

from __future__ import annotations

from gateway.api import compliance_views as views
from gateway.api.compliance_schemas import AssignRequest, DecisionRequest, InformationRequest
from gateway.api.routing import Route, roles
from gateway.usecases.remittances import REMITTANCE_SCHEMA

_obj = {"type": "object"}
OFFICERS = roles("analyst", "supervisor", "admin")
READERS = OFFICERS | roles("operator")
T = "compliance"
CASE_QUERY = [
    {"name": n, "in": "query", "required": False, "schema": {"type": "string"}}
    for n in ("status", "corridor", "rule", "assignee", "limit")
]

ROUTES: list[Route] = [
    Route(
        "GET",
        "/v1/compliance/cases",
        views.list_cases,
        "Review queue by risk then age; filters: status (or 'all'), corridor, rule, assignee",
        roles=READERS,
        tag=T,
        query=CASE_QUERY,
        response=_obj,
        errors=(422,),
    ),
    Route(
        "GET",
        "/v1/compliance/cases/{id}",
        views.get_case,
        "A case with its evidence, both parties, the remittance, its history and decisions, "
        "where it came from (origin: screening or rescreening) and where the money is (money: "
        "state, held_from, summary) (decrypted personal data: the reading is audit-logged "
        "with the officer and reason)",
        roles=READERS,
        tag=T,
        query=({"name": "reason", "in": "query", "schema": {"type": "string", "maxLength": 300}},),
        response=_obj,
        errors=(404,),
    ),
    Route(
        "POST",
        "/v1/compliance/cases/{id}/claim",
        views.claim_case,
        "Claim a case for the calling officer",
        roles=OFFICERS,
        tag=T,
        response=_obj,
        errors=(404, 409),
    ),
    Route(
        "POST",
        "/v1/compliance/cases/{id}/assign",
        views.assign_case,
        "Assign a case to an officer (supervisor, admin)",
        roles=OFFICERS,
        tag=T,
        body=AssignRequest,
        response=_obj,
        errors=(400, 404, 409, 415, 422),
    ),
    Route(
        "POST",
        "/v1/compliance/cases/{id}/decisions",
        views.post_decision,
        "Approve, reject or request information (reason required; four eyes above the risk "
        "level; repeating one's own last decision is a no-op answered with 200)",
        roles=OFFICERS,
        tag=T,
        body=DecisionRequest,
        response=_obj,
        status=201,
        errors=(400, 404, 409, 415, 422),
        extra_responses={200: "The officer's own last decision repeated: nothing changed"},
    ),
    Route(
        "GET",
        "/v1/compliance/cases/{id}/sar",
        views.sar_draft,
        "Draft suspicious-activity report for a case (JSON)",
        roles=READERS,
        tag=T,
        response=_obj,
        errors=(404,),
    ),
    Route(
        "GET",
        "/v1/compliance/decisions.csv",
        views.decisions_csv,
        "Every decision as CSV",
        roles=READERS,
        tag=T,
        response={"type": "string"},
        media="text/csv",
    ),
    Route(
        "GET",
        "/v1/compliance/audit",
        views.audit_entries,
        "Audit entries after a seq (500 at most), hash-chained; ids only",
        roles=READERS,
        tag=T,
        query=[{"name": "after", "in": "query", "required": False, "schema": {"type": "string"}}],
        response=_obj,
        errors=(422,),
    ),
    Route(
        "GET",
        "/v1/compliance/audit/verify",
        views.audit_verify,
        "Check the audit chain and its anchor; names the first bad entry",
        roles=READERS,
        tag=T,
        response=_obj,
    ),
    Route(
        "POST",
        "/v1/remittances/{id}/information",
        views.post_information,
        "The sender answers a request for information (needs_info -> on_hold, to the officers)",
        roles=roles("sender-app", "operator"),
        body=InformationRequest,
        response=REMITTANCE_SCHEMA,  # the remittance, back on hold for the officers
        errors=(400, 404, 409, 415, 422),
    ),
]

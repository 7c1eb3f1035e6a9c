"""Console pages in the route table (so /openapi.json lists them, tagged "console"). They are
public to the API-key middleware; the console checks its own session and CSRF token."""

from __future__ import annotations

from gateway.api.routing import Route
from gateway.console import views

_html = {"type": "string", "description": "text/html page"}
T = "console"

ROUTES: list[Route] = [
    Route("GET", "/console/", views.index, "Console: go to the queue", tag=T, response=_html),
    Route("GET", "/console/login", views.login_page, "Console sign-in page", tag=T, response=_html),
    Route("POST", "/console/login", views.login, "Console sign-in (form)", tag=T, response=_html),
    Route("POST", "/console/logout", views.logout, "Console sign-out", tag=T, response=_html),
    Route("GET", "/console/cases", views.queue, "Console: review queue", tag=T, response=_html),
    Route("GET", "/console/cases/{id}", views.case_page, "Console: a case", tag=T, response=_html),
    Route(
        "POST",
        "/console/cases/{id}/claim",
        views.claim,
        "Console: claim a case (form)",
        tag=T,
        response=_html,
    ),
    Route(
        "POST",
        "/console/cases/{id}/decisions",
        views.decide,
        "Console: decide a case (form)",
        tag=T,
        response=_html,
    ),
    Route("GET", "/console/kyc", views.kyc_queue, "Console: KYC reviews", tag=T, response=_html),
    Route(
        "GET",
        "/console/kyc/{id}",
        views.kyc_page,
        "Console: a KYC review and its documents",
        tag=T,
        response=_html,
    ),
    Route(
        "POST",
        "/console/kyc/{id}/decisions",
        views.kyc_decide,
        "Console: approve or reject a KYC review (form)",
        tag=T,
        response=_html,
    ),
    Route(
        "GET",
        "/console/error-cases",
        views.error_queue,
        "Console: error-resolution queue, overdue clocks first",
        tag=T,
        response=_html,
    ),
    Route(
        "GET",
        "/console/error-cases/{id}",
        views.error_case_page,
        "Console: an error case with its clocks",
        tag=T,
        response=_html,
    ),
    Route(
        "POST",
        "/console/error-cases/{id}/actions",
        views.error_action,
        "Console: acknowledge, investigate or resolve an error case (form)",
        tag=T,
        response=_html,
    ),
    Route("GET", "/console/audit", views.audit_page, "Console: audit trail", tag=T, response=_html),
    Route(
        "GET",
        "/console/exports/decisions.csv",
        views.decisions_csv,
        "Console: decisions as CSV",
        tag=T,
        response={"type": "string"},
    ),
    Route(
        "GET",
        "/console/cases/{id}/sar.json",
        views.sar_draft,
        "Console: draft suspicious-activity report",
        tag=T,
        response={"type": "object"},
    ),
    Route(
        "GET",
        "/console/static/console.css",
        views.stylesheet,
        "Console stylesheet",
        tag=T,
        response={"type": "string"},
    ),
]

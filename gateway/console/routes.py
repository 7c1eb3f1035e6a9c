"""Console pages in the route table (so /openapi.json lists them, tagged "console"). They are
public to the API-key middleware; the console checks its own session and CSRF token."""

from __future__ import annotations

from typing import Any

from gateway.api.routing import Handler, Route
from gateway.console import views

_html = {"type": "string", "description": "text/html page"}
T = "console"
_SIGNED_OUT = {303: "Not signed in: to /console/login"}


def _page(path: str, handler: Handler, summary: str) -> Route:
    """A page of a signed-in officer (signed out: to the login page)."""
    return _file(path, handler, summary, "text/html", _html)


def _form(path: str, handler: Handler, summary: str) -> Route:
    """A form an officer posts; done, it sees the page it acted on (See Other)."""
    return Route("POST", path, handler, summary, tag=T, status=303)


def _file(path: str, handler: Handler, summary: str, media: str, schema: dict[str, Any]) -> Route:
    """What a signed-in officer reads, as `media` (signed out: to the login page)."""
    return Route(
        "GET",
        path,
        handler,
        summary,
        tag=T,
        response=schema,
        media=media,
        extra_responses=_SIGNED_OUT,
    )


ROUTES: list[Route] = [
    Route("GET", "/console/", views.index, "Console: go to the queue", tag=T, status=303),
    Route(
        "GET",
        "/console/login",
        views.login_page,
        "Console sign-in page",
        tag=T,
        response=_html,
        media="text/html",
    ),
    Route(
        "POST",
        "/console/login",
        views.login,
        "Console sign-in (form)",
        tag=T,
        status=303,
        response=_html,
        media="text/html",
        extra_responses={200: "Wrong username or password: the sign-in page again"},
    ),
    Route("POST", "/console/logout", views.logout, "Console sign-out", tag=T, status=303),
    _page("/console/cases", views.queue, "Console: review queue"),
    _page("/console/cases/{id}", views.case_page, "Console: a case"),
    _form("/console/cases/{id}/claim", views.claim, "Console: claim a case (form)"),
    _form("/console/cases/{id}/decisions", views.decide, "Console: decide a case (form)"),
    _page("/console/kyc", views.kyc_queue, "Console: KYC reviews"),
    _page("/console/kyc/{id}", views.kyc_page, "Console: a KYC review and its documents"),
    _form(
        "/console/kyc/{id}/decisions",
        views.kyc_decide,
        "Console: approve or reject a KYC review (form)",
    ),
    _page(
        "/console/error-cases",
        views.error_queue,
        "Console: error-resolution queue, overdue clocks first",
    ),
    _page(
        "/console/error-cases/{id}", views.error_case_page, "Console: an error case with its clocks"
    ),
    _form(
        "/console/error-cases/{id}/actions",
        views.error_action,
        "Console: acknowledge, investigate or resolve an error case (form)",
    ),
    _page("/console/audit", views.audit_page, "Console: audit trail"),
    _file(
        "/console/exports/decisions.csv",
        views.decisions_csv,
        "Console: decisions as CSV",
        "text/csv",
        {"type": "string"},
    ),
    _file(
        "/console/cases/{id}/sar.json",
        views.sar_draft,
        "Console: draft suspicious-activity report",
        "application/json",
        {"type": "object"},
    ),
    Route(
        "GET",
        "/console/static/console.css",
        views.stylesheet,
        "Console stylesheet",
        tag=T,
        response={"type": "string"},
        media="text/css",
    ),
]

"""Console pages. Views call the same use cases as the REST API. A refused form re-renders the
page with the reason shown; any other refusal (no session, a wrong CSRF token, a role that may
not) is a page with the problem's status (console.pages.refused), never raw JSON."""

from __future__ import annotations

from aiohttp import web

from compliance.protections.error_cases import STATUSES as error_statuses
from gateway.api.appkeys import SERVICES
from gateway.api.http import read_form
from gateway.api.problems import Problem
from gateway.console import HERE
from gateway.console.pages import as_page, render
from gateway.console.sessions import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    new_login_csrf,
    same,
    set_cookie,
    signed_in,
)
from gateway.errors import UseCaseError
from gateway.usecases import (
    audit_trail,
    error_reports,
    error_resolution,
    kyc_reviews,
    officers,
)
from gateway.usecases.cases import access, decisions, exports
from gateway.usecases.cases import queue as case_queue

FILTERS = ("status", "corridor", "rule", "assignee")
DECISIONS = (("approve", "Approve"), ("reject", "Reject"), ("request_info", "Request information"))


async def index(request: web.Request) -> web.StreamResponse:
    raise web.HTTPSeeOther("/console/cases")


async def login_page(request: web.Request) -> web.StreamResponse:
    token = new_login_csrf()
    response = render(request, "login.html", {"login_csrf": token, "error": None})
    set_cookie(response, request, LOGIN_CSRF_COOKIE, token)
    return response


def _login_again(request: web.Request, error: str, status: int = 200) -> web.StreamResponse:
    token = new_login_csrf()
    response = render(request, "login.html", {"login_csrf": token, "error": error}, status)
    set_cookie(response, request, LOGIN_CSRF_COOKIE, token)
    return response


@as_page
async def login(request: web.Request) -> web.StreamResponse:
    form = await read_form(request)
    if not same(str(form.get("csrf_token", "")), request.cookies.get(LOGIN_CSRF_COOKIE)):
        raise Problem(403, "csrf", "Forbidden", "missing or wrong CSRF token")
    username = str(form.get("username", "")).strip()
    try:
        session = await officers.login(
            request.app[SERVICES], username, str(form.get("password", ""))
        )
    except officers.SignInLocked as locked:
        error = (
            "Too many failed sign-ins for this username. "
            f"Try again after {locked.until.strftime('%H:%M')} UTC."
        )
        return _login_again(request, error, status=429)
    if session is None:
        return _login_again(request, "Wrong username or password.")
    response = web.HTTPSeeOther("/console/cases")
    set_cookie(response, request, SESSION_COOKIE, session[0])
    response.del_cookie(LOGIN_CSRF_COOKIE, path="/console")
    raise response


@signed_in
async def logout(request: web.Request) -> web.StreamResponse:
    await officers.logout(request.app[SERVICES], request.cookies[SESSION_COOKIE])
    response = web.HTTPSeeOther("/console/login")
    response.del_cookie(SESSION_COOKIE, path="/console")
    raise response


@signed_in
async def queue(request: web.Request) -> web.StreamResponse:
    filters = {k: request.query.get(k) or None for k in FILTERS}
    found = await case_queue.queue(request.app[SERVICES], request["caller"], **filters)
    svc = request.app[SERVICES]
    return render(
        request,
        "queue.html",
        {"cases": found, "filters": filters, "corridors": sorted(svc.corridors)},
    )


async def _case_page(request: web.Request, error: str | None = None):
    svc = request.app[SERVICES]
    reason = request.query.get("reason") or None  # default: "case review"
    case = await case_queue.case_detail(svc, request["caller"], request.match_info["id"], reason)
    return render(
        request,
        "case.html",
        {"case": case, "error": error, "decisions": DECISIONS},
    )


case_page = signed_in(_case_page)


@signed_in
async def claim(request: web.Request) -> web.StreamResponse:
    try:
        await decisions.claim(request.app[SERVICES], request["caller"], request.match_info["id"])
    except UseCaseError as problem:
        return await _case_page(request, problem.detail)
    raise web.HTTPSeeOther(f"/console/cases/{request.match_info['id']}")


@signed_in
async def decide(request: web.Request) -> web.StreamResponse:
    form = request["form"]
    action = str(form.get("decision", ""))
    reason = str(form.get("reason", "")).strip()
    message = str(form.get("message", "")).strip() or None
    if action not in {a for a, _ in DECISIONS}:
        return await _case_page(request, "Choose a decision.")
    if len(reason) < 3:
        return await _case_page(request, "A reason is required (at least 3 characters).")
    try:
        await decisions.decide_case(
            request.app[SERVICES],
            request["caller"],
            request.match_info["id"],
            action,
            reason,
            message,
        )
    except UseCaseError as problem:
        return await _case_page(request, problem.detail)
    raise web.HTTPSeeOther(f"/console/cases/{request.match_info['id']}")


KYC_STATUSES = ("open", "officer_review", "provider_review", "approved", "rejected", "all")
KYC_DECISIONS = (("approve", "Approve"), ("reject", "Reject"))


@signed_in
async def kyc_queue(request: web.Request) -> web.StreamResponse:
    status = request.query.get("status") or "open"
    if status not in KYC_STATUSES:
        status = "open"
    found = await kyc_reviews.list_reviews(request.app[SERVICES], request["caller"], status)
    return render(
        request, "kyc_queue.html", {"reviews": found, "status": status, "statuses": KYC_STATUSES}
    )


async def _kyc_page(request: web.Request, error: str | None = None):
    svc = request.app[SERVICES]
    review = await kyc_reviews.review_detail(svc, request["caller"], request.match_info["id"])
    return render(
        request, "kyc_review.html", {"review": review, "error": error, "decisions": KYC_DECISIONS}
    )


kyc_page = signed_in(_kyc_page)


@signed_in
async def kyc_decide(request: web.Request) -> web.StreamResponse:
    form = request["form"]
    action = str(form.get("decision", ""))
    reason = str(form.get("reason", "")).strip()
    if action not in {a for a, _ in KYC_DECISIONS}:
        return await _kyc_page(request, "Choose approve or reject.")
    if not 3 <= len(reason) <= 300:
        return await _kyc_page(request, "A reason is required (3 to 300 characters).")
    try:
        await kyc_reviews.decide_review(
            request.app[SERVICES], request["caller"], request.match_info["id"], action, reason
        )
    except UseCaseError as problem:
        return await _kyc_page(request, problem.detail)
    raise web.HTTPSeeOther(f"/console/kyc/{request.match_info['id']}")


REMEDIES = (
    ("refund", "Refund to the sender's wallet"),
    ("resend", "Resend at no cost"),
    ("no_error", "No error found"),
)


@signed_in
async def error_queue(request: web.Request) -> web.StreamResponse:
    access.require(request["caller"], "read")
    status = request.query.get("status") or "open"
    if status not in ("open", "all", *error_statuses, "resolving"):
        status = "open"
    found = await error_reports.list_cases(request.app[SERVICES], status)
    return render(request, "error_queue.html", {"cases": found["cases"], "status": status})


async def _error_page(request: web.Request, error: str | None = None):
    svc = request.app[SERVICES]
    case = await error_resolution.case_detail(svc, request["caller"], request.match_info["id"])
    return render(request, "error_case.html", {"case": case, "error": error, "remedies": REMEDIES})


error_case_page = signed_in(_error_page)


@signed_in
async def error_action(request: web.Request) -> web.StreamResponse:
    """Acknowledge, investigate or resolve, through the same use cases as the REST API."""
    form = request["form"]
    svc, who, case_id = request.app[SERVICES], request["caller"], request.match_info["id"]
    action = str(form.get("action", ""))
    try:
        if action == "acknowledge":
            await error_resolution.acknowledge(svc, who, case_id)
        elif action == "investigate":
            await error_resolution.investigate(svc, who, case_id)
        elif action == "resolve":
            remedy = str(form.get("remedy", ""))
            finding = str(form.get("finding", "")).strip()
            amount = str(form.get("amount", "")).strip() or None
            if len(finding) < 3:
                return await _error_page(request, "A finding is required (at least 3 characters).")
            if remedy not in {r for r, _ in REMEDIES}:
                return await _error_page(request, "Choose a remedy.")
            await error_resolution.resolve(svc, who, case_id, remedy, finding[:1000], amount)
        else:
            return await _error_page(request, "Choose an action.")
    except UseCaseError as problem:
        return await _error_page(request, problem.detail)
    raise web.HTTPSeeOther(f"/console/error-cases/{case_id}")


@signed_in
async def audit_page(request: web.Request) -> web.StreamResponse:
    access.require(request["caller"], "audit")
    svc = request.app[SERVICES]
    entries, finding = await audit_trail.review(svc, limit=200)
    names = await officers.officer_names(svc)
    return render(request, "audit.html", {"entries": entries, "finding": finding, "names": names})


@signed_in
async def decisions_csv(request: web.Request) -> web.StreamResponse:
    text = await exports.decisions_csv(request.app[SERVICES], request["caller"])
    return web.Response(
        text=text,
        content_type="text/csv",
        headers={"Content-Disposition": 'attachment; filename="decisions.csv"'},
    )


@signed_in
async def sar_draft(request: web.Request) -> web.StreamResponse:
    svc = request.app[SERVICES]
    return web.json_response(
        await exports.sar_draft(svc, request["caller"], request.match_info["id"])
    )


async def stylesheet(request: web.Request) -> web.StreamResponse:
    return web.FileResponse(HERE / "static" / "console.css", headers={"Content-Type": "text/css"})

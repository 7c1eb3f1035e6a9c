"""Console sessions: an HttpOnly, SameSite=Strict cookie naming a server-side session, and a
per-session CSRF token every form posts back (login uses a double-submit cookie)."""

from __future__ import annotations

import hmac
import secrets

from aiohttp import web

from gateway.api.appkeys import SERVICES
from gateway.api.http import read_form
from gateway.api.problems import Problem
from gateway.console.pages import View, as_page
from gateway.usecases import officers

SESSION_COOKIE = "remit_session"
LOGIN_CSRF_COOKIE = "remit_login_csrf"
COOKIE_PATH = "/console"


def set_cookie(response: web.StreamResponse, request: web.Request, name: str, value: str) -> None:
    response.set_cookie(
        name,
        value,
        path=COOKIE_PATH,
        httponly=True,
        samesite="Strict",
        secure=request.secure,
        max_age=int(officers.SESSION_TTL.total_seconds()),
    )


def new_login_csrf() -> str:
    return secrets.token_urlsafe(24)


def same(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(a, b)


def signed_in(view: View) -> View:
    """Load the session's officer into request["caller"] and request["csrf"], or go to login.
    POSTs must carry the session's CSRF token. A refusal, here or in the view, is a page."""

    @as_page
    async def wrapper(request: web.Request) -> web.StreamResponse:
        secret = request.cookies.get(SESSION_COOKIE, "")
        found = await officers.session_officer(request.app[SERVICES], secret) if secret else None
        if found is None:
            if request.method == "GET":
                raise web.HTTPSeeOther("/console/login")
            raise Problem(401, "unauthenticated", "Sign in first", "no live console session")
        request["caller"], request["csrf"] = found
        if request.method == "POST":
            form = await read_form(request)
            if not same(str(form.get("csrf_token", "")), found[1]):
                raise Problem(403, "csrf", "Forbidden", "missing or wrong CSRF token")
            request["form"] = form
        return await view(request)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper

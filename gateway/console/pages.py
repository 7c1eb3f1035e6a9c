"""Rendering console pages, refusals included: an officer's browser gets a page, never raw
problem JSON (the status stays the problem's, so scripts still see a 4xx)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import wraps
from typing import Any

import aiohttp_jinja2
from aiohttp import web

from gateway.api.problems import Problem, problem_for
from gateway.console import CONSOLE_JINJA
from gateway.errors import UseCaseError


def render(request: web.Request, template: str, context: dict[str, Any], status: int = 200):
    base = {"officer": request.get("caller"), "csrf": request.get("csrf")}
    response = aiohttp_jinja2.render_template(
        template, request, {**base, **context}, app_key=CONSOLE_JINJA, status=status
    )
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Content-Security-Policy"] = "default-src 'self'; frame-ancestors 'none'"
    return response


def refused(request: web.Request, problem: Problem) -> web.StreamResponse:
    """The page for an action the console refused: what, why, and the way on."""
    return render(request, "refused.html", {"problem": problem}, status=problem.status)


View = Callable[[web.Request], Awaitable[web.StreamResponse]]


def as_page(view: View) -> View:
    """A console view whose refusals (its own problems, and use cases' errors as the API would
    state them) are pages."""

    @wraps(view)
    async def wrapper(request: web.Request) -> web.StreamResponse:
        try:
            return await view(request)
        except Problem as problem:
            return refused(request, problem)
        except UseCaseError as error:
            return refused(request, problem_for(error))

    return wrapper

"""Errors become problem details; callers are authenticated and checked against route roles."""

from __future__ import annotations

import time

import structlog
from aiohttp import web

from gateway.api.appkeys import CALLER_CACHE, ROUTES, SERVICES
from gateway.api.http import refuse_nul_in_url
from gateway.api.problems import Problem, problem_for
from gateway.api.routing import Handler
from gateway.domain.callers import Caller
from gateway.errors import UseCaseError
from gateway.storage.keys import find_caller
from gateway.storage.officers import find_officer_caller
from ledger_adapter.sessions import reading

log = structlog.get_logger("gateway.http")

# How long a process trusts what it learned about a key: a key revoked elsewhere (the CLI,
# another process) stops working within this time. One lookup per key per 5 s costs nothing.
CALLER_CACHE_TTL_S = 5.0


@web.middleware
async def problem_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        refuse_nul_in_url(request)
        return await handler(request)
    except Problem as problem:
        return problem.response(request.path)
    except UseCaseError as error:
        return problem_for(error).response(request.path)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        slug = "payload-too-large" if exc.status == 413 else "about:blank"
        detail = exc.text if exc.status == 413 else exc.reason
        problem = Problem(exc.status, slug, exc.reason, detail or exc.reason)
        response = problem.response(request.path)
        if exc.status == 405 and "Allow" in exc.headers:
            response.headers["Allow"] = exc.headers["Allow"]
        return response
    except Exception:
        log.exception("unhandled_error", path=request.path, method=request.method)
        return Problem(500, "internal-error", "Internal server error", "see server logs").response(
            request.path
        )


async def _caller_for(request: web.Request, key: str) -> Caller | None:
    cache: dict[str, tuple[float, Caller | None]] = request.app[CALLER_CACHE]
    hit = cache.get(key)
    now = time.monotonic()
    if hit is not None and hit[0] > now:
        return hit[1]
    svc = request.app[SERVICES]
    async with reading(svc.engine) as conn:
        caller = await find_caller(conn, key) or await find_officer_caller(conn, key, svc.now())
    if len(cache) > 10_000:
        cache.clear()
    cache[key] = (now + CALLER_CACHE_TTL_S, caller)
    return caller


@web.middleware
async def auth_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    route_name = request.match_info.route.name
    route = request.app[ROUTES].get(route_name) if route_name else None
    if route is None or not route.roles:
        return await handler(request)
    header = request.headers.get("Authorization", "")
    scheme, _, key = header.partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise Problem(
            401,
            "unauthenticated",
            "Authentication required",
            "send your API key as 'Authorization: Bearer <key>'",
        )
    caller = await _caller_for(request, key.strip())
    if caller is None:
        raise Problem(401, "unauthenticated", "Authentication required", "unknown or revoked key")
    if caller.role not in route.roles:
        raise Problem(
            403,
            "forbidden",
            "Forbidden",
            f"role {caller.role} may not call {route.method} {route.path}",
        )
    request["caller"] = caller
    return await handler(request)

"""Operational routes: liveness, readiness, metrics and the API description."""

from __future__ import annotations

from aiohttp import web

from gateway import metrics
from gateway.api.appkeys import SERVICES
from gateway.api.http import reply
from gateway.api.openapi import openapi_view
from gateway.api.problems import Problem
from gateway.api.routing import Route, roles
from gateway.usecases import health, rates, rescreening

READY_TIMEOUT_S = 2.0


async def healthz(request: web.Request) -> web.Response:
    return reply({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    """Ready means the database answers: a load balancer stops sending traffic otherwise.
    Rate freshness is shown, not judged: a stale rate refuses firm quotes, not the rest."""
    svc = request.app[SERVICES]
    try:
        await health.database_answers(svc, READY_TIMEOUT_S)
    except Exception as exc:  # any failure means not ready; the reason goes to the caller
        raise Problem(
            503, "not-ready", "Not ready", f"database unavailable: {type(exc).__name__}"
        ) from None
    return reply({"status": "ready", "database": "ok", "rates": rates.freshness(svc)})


async def metrics_view(request: web.Request) -> web.Response:
    svc = request.app[SERVICES]
    await metrics.refresh_state_counts(svc.engine)
    await metrics.refresh_chain_figures(svc.engine)
    metrics.RATE_AGES.sources = rates.freshness(svc)["sources"]
    newest = await rescreening.status(svc.engine, limit=1)
    metrics.RESCREENING.run = newest[0] if newest else None
    return web.Response(body=metrics.exposition(), headers={"Content-Type": metrics.CONTENT_TYPE})


_obj = {"type": "object"}
_text = {"type": "string", "description": "Prometheus text exposition format"}

ROUTES: list[Route] = [
    Route("GET", "/healthz", healthz, "Liveness", tag="operations", response=_obj),
    Route(
        "GET",
        "/readyz",
        readyz,
        "Readiness: the database answers; rate freshness per source",
        tag="operations",
        response=_obj,
        errors=(503,),
    ),
    Route(
        "GET",
        "/metrics",
        metrics_view,
        "Prometheus metrics (remittances by state, step latency, partner errors, holds)",
        roles=roles("operator"),
        tag="operations",
        response=_text,
        media="text/plain",
    ),
    Route("GET", "/openapi.json", openapi_view, "This document", tag="operations", response=_obj),
]

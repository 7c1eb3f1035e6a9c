"""KYC review views: the provider's signed webhook, the officers' list and decisions."""

from __future__ import annotations

from aiohttp import web

from gateway.api.appkeys import SERVICES
from gateway.api.http import about_id, caller, read_json, reply
from gateway.api.kyc_schemas import KycDecisionRequest
from gateway.errors import validation
from gateway.usecases import kyc_reviews
from gateway.usecases.requests.base import parse

STATUSES = ("open", "provider_review", "officer_review", "approved", "rejected", "all")


async def provider_result(request: web.Request) -> web.Response:
    body = await request.read()
    svc = request.app[SERVICES]
    return reply(await kyc_reviews.receive_provider_result(svc, request.headers, body))


async def list_reviews(request: web.Request) -> web.Response:
    status = request.query.get("status") or "open"
    if status not in STATUSES:
        raise validation([{"field": "status", "message": f"one of {', '.join(STATUSES)}"}])
    found = await kyc_reviews.list_reviews(request.app[SERVICES], caller(request), status)
    return reply({"reviews": found})


get_review = about_id(kyc_reviews.review_detail)


async def post_decision(request: web.Request) -> web.Response:
    req = parse(KycDecisionRequest, await read_json(request))
    svc = request.app[SERVICES]
    body = await kyc_reviews.decide_review(
        svc, caller(request), request.match_info["id"], req.decision, req.reason
    )
    return reply(body, 201)

"""KYC review routes: the verification provider's signed results (public: the HMAC signature
authenticates), and the officers' review list and decisions (operators read)."""

from __future__ import annotations

from gateway.api import kyc_views as views
from gateway.api.kyc_schemas import KycDecisionRequest
from gateway.api.routing import Route, roles
from gateway.api.schemas import list_of

_str = {"type": "string"}
_null_str = {"type": ["string", "null"]}
OFFICERS = roles("analyst", "supervisor", "admin")
READERS = OFFICERS | roles("operator")
REVIEW = {
    "type": "object",
    "properties": {
        **{k: _str for k in ("id", "customer_id", "from_tier", "tier", "created_at")},
        "reviewer": {"type": "string", "enum": ["provider", "officer"]},
        "status": {
            "type": "string",
            "enum": ["provider_review", "officer_review", "approved", "rejected"],
        },
        **{k: _null_str for k in ("submitted_at", "decided_by", "reason", "decided_at")},
    },
}
REVIEW_DETAIL = {
    "type": "object",
    "properties": {
        **REVIEW["properties"],
        "customer": {"type": "object"},
        "fields": {"type": "array", "items": {"type": "object"}},
        "decidable": {"type": "boolean"},
    },
}
RESULT_ACK = {
    "type": "object",
    "properties": {
        "review_id": _str,
        "status": _str,
        "tier": _str,
        "applied": {"type": "boolean"},
    },
}
STATUS_QUERY = [
    {
        "name": "status",
        "in": "query",
        "required": False,
        "schema": {"type": "string", "enum": list(views.STATUSES), "default": "open"},
    }
]

ROUTES: list[Route] = [
    Route(
        "POST",
        "/v1/kyc/provider/results",
        views.provider_result,
        "The verification provider's signed result for a review: approved or rejected "
        "(X-Remit-Timestamp, X-Remit-Signature: v1=HMAC-SHA256; a replayed event is 409)",
        tag="kyc",
        response=RESULT_ACK,
        errors=(401, 404, 409, 413, 422),
    ),
    Route(
        "GET",
        "/v1/compliance/kyc-reviews",
        views.list_reviews,
        "Tier-upgrade reviews, oldest first (status: open (default), a status, or all)",
        roles=READERS,
        tag="compliance",
        query=STATUS_QUERY,
        response=list_of("reviews", REVIEW),
        errors=(422,),
    ),
    Route(
        "GET",
        "/v1/compliance/kyc-reviews/{id}",
        views.get_review,
        "A review with the customer and the submitted fields of the tier sought",
        roles=READERS,
        tag="compliance",
        response=REVIEW_DETAIL,
        errors=(404,),
    ),
    Route(
        "POST",
        "/v1/compliance/kyc-reviews/{id}/decisions",
        views.post_decision,
        "Approve (the customer moves up to the tier) or reject (the tier stays) an officer "
        "review, with a reason; audited, the customer's app and bot are told",
        roles=OFFICERS,
        tag="compliance",
        body=KycDecisionRequest,
        response=REVIEW_DETAIL,
        status=201,
        errors=(400, 404, 409, 415, 422),
    ),
]

"""KYC review routes: the verification provider's signed results (public: the HMAC signature
authenticates), and the officers' review list and decisions (operators read)."""

from __future__ import annotations

from gateway.api import kyc_views as views
from gateway.api.kyc_schemas import KycDecisionRequest
from gateway.api.routing import Route, roles
from gateway.usecases import kyc_reviews

OFFICERS = roles("analyst", "supervisor", "admin")
READERS = OFFICERS | roles("operator")
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
        response=kyc_reviews.RESULT_ACK_SCHEMA,
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
        response=kyc_reviews.REVIEW_LIST_SCHEMA,
        errors=(422,),
    ),
    Route(
        "GET",
        "/v1/compliance/kyc-reviews/{id}",
        views.get_review,
        "A review with the customer and the submitted fields of the tier sought",
        roles=READERS,
        tag="compliance",
        response=kyc_reviews.REVIEW_DETAIL_SCHEMA,
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
        response=kyc_reviews.REVIEW_DETAIL_SCHEMA,
        status=201,
        errors=(400, 404, 409, 415, 422),
    ),
]

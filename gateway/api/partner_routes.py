"""Routes for payout partners: pull mode (API key with role partner, bound to one partner; a
partner sees and changes only its own payouts) and signed status callbacks (public route,
authenticated by the partner's HMAC signature over timestamp and body)."""

from __future__ import annotations

from gateway.api import partner_views as views
from gateway.api.routing import Route, roles
from gateway.api.schemas import list_of
from gateway.usecases import partner_payouts
from gateway.usecases.requests.partners import PayoutStatusRequest
from gateway.usecases.schemas import STR

PAYOUT = partner_payouts.PAYOUT_SCHEMA  # declared beside payout_view, which builds it
PAYOUT_LIST = list_of("payouts", PAYOUT)
CALLBACK_ACK = {
    "type": "object",
    "properties": {"payout_id": STR, "applied": {"type": "boolean"}},
}
LIST_QUERY = [
    {
        "name": "status",
        "in": "query",
        "required": False,
        "schema": {"type": "string", "enum": ["pending", "accepted"], "default": "pending"},
    },
    {
        "name": "limit",
        "in": "query",
        "required": False,
        "schema": {"type": "integer", "minimum": 1, "maximum": 500, "default": 100},
    },
]
PARTNER = roles("partner")

ROUTES: list[Route] = [
    Route(
        "GET",
        "/v1/partner/payouts",
        views.list_payouts,
        "Payouts waiting for this partner (pull mode)",
        roles=PARTNER,
        tag="partners",
        query=LIST_QUERY,
        response=PAYOUT_LIST,
        errors=(422,),
    ),
    Route(
        "GET",
        "/v1/partner/payouts/{id}",
        views.get_payout,
        "One of this partner's payouts",
        roles=PARTNER,
        tag="partners",
        response=PAYOUT,
        errors=(404,),
    ),
    Route(
        "POST",
        "/v1/partner/payouts/{id}/accept",
        views.accept_payout,
        "Take a payout on (pull mode; repeating is harmless)",
        roles=PARTNER,
        tag="partners",
        response=PAYOUT,
        errors=(404, 409),
    ),
    Route(
        "POST",
        "/v1/partner/payouts/{id}/status",
        views.post_status,
        "Report paid (with the partner's reference) or failed (with a reason code)",
        roles=PARTNER,
        tag="partners",
        body=PayoutStatusRequest,
        response=PAYOUT,
        errors=(400, 404, 409, 413, 415, 422),
    ),
    Route(
        "POST",
        "/v1/partner/callbacks/{partner_id}",
        views.post_callback,
        "Signed payout status callback (X-Remit-Timestamp, X-Remit-Signature: v1=HMAC-SHA256);"
        " JSON, or a pacs.002/pacs.004 XML for an ISO 20022 partner",
        tag="partners",
        response=CALLBACK_ACK,
        errors=(401, 404, 413, 422),
    ),
]

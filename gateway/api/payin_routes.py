"""Pay-in routes: partners' signed callbacks (public: the HMAC signature authenticates),
payment references and instructions for senders, suspense work for operators."""

from __future__ import annotations

from gateway.api import payin_views as views
from gateway.api.routing import Route, roles
from gateway.api.schemas import list_of
from gateway.usecases.requests.payins import (
    PayinCallback,
    PayinReferenceRequest,
    ResolvePayinRequest,
)

_str = {"type": "string"}
_null_str = {"type": ["string", "null"]}
PAYIN = {
    "type": "object",
    "properties": {
        **{
            k: _str
            for k in (
                "id",
                "payin_id",
                "partner_id",
                "method",
                "event",
                "status",
                "amount",
                "currency",
                "received_at",
            )
        },
        "reason": _null_str,
        "remittance_id": _null_str,
        "duplicate": {"type": "boolean"},
    },
}
REFERENCE = {
    "type": "object",
    "properties": {
        k: _str for k in ("reference", "reference_display", "method", "currency", "customer_id")
    },
}
INSTRUCTIONS = {
    "type": "object",
    "properties": {
        **{
            k: _str
            for k in (
                "remittance_id",
                "status",
                "reference",
                "reference_display",
                "method",
                "currency",
                "amount",
                "received",
            )
        },
        "deadline": _null_str,
        "pay_to": {
            "type": ["object", "null"],
            "description": "bank transfer: the pay-in partner's collection account",
            "properties": {
                k: _str
                for k in ("bank_name", "beneficiary", "iban", "account_number", "routing_number")
            },
        },
        "payins": {"type": "array", "items": PAYIN},
    },
}
SENDERS = roles("sender-app", "operator")

ROUTES: list[Route] = [
    Route(
        "POST",
        "/v1/payins/callbacks/{partner_id}",
        views.post_callback,
        "A pay-in partner reports money received for a reference (HMAC-signed; X-Remit-"
        "Timestamp and X-Remit-Signature headers)",
        tag="payins",
        body=PayinCallback,
        response=PAYIN,
        status=201,
        errors=(400, 401, 409, 413, 415, 422),
        extra_responses={200: "Already recorded (duplicate=true); nothing moved again"},
    ),
    Route(
        "POST",
        "/v1/customers/{id}/wallet/payin-references",
        views.post_topup_reference,
        "A payment reference for topping up the wallet by bank transfer, card or cash-in agent",
        roles=SENDERS,
        tag="payins",
        body=PayinReferenceRequest,
        response=REFERENCE,
        status=201,
        errors=(400, 404, 413, 415, 422),
    ),
    Route(
        "GET",
        "/v1/remittances/{id}/payin",
        views.get_instructions,
        "Payment instructions of a pay-in funded remittance: the account to pay into (bank "
        "transfer), reference, amount, deadline, pay-ins received",
        roles=SENDERS,
        tag="payins",
        response=INSTRUCTIONS,
        errors=(404,),
    ),
    Route(
        "POST",
        "/v1/remittances/{id}/refund-to-source",
        views.post_refund_to_source,
        "Return the pay-ins of a remittance that did not pay out to their source (card, bank) "
        "instead of the wallet",
        roles=SENDERS,
        tag="payins",
        response={"type": "object"},
        errors=(404, 409),
    ),
    Route(
        "GET",
        "/v1/payins/unmatched",
        views.get_unmatched,
        "Pay-ins parked in suspense, oldest first (operators)",
        roles=roles("operator"),
        tag="payins",
        response=list_of("payins", PAYIN),
    ),
    Route(
        "POST",
        "/v1/payins/{id}/resolve",
        views.post_resolve,
        "Credit a suspense pay-in to a customer's wallet, or return it to its source through "
        "the pay-in partner's return API (operators): 200 when done, 202 `returning` while the "
        "partner has not confirmed (repeat to retry; it is returned once)",
        roles=roles("operator"),
        tag="payins",
        body=ResolvePayinRequest,
        response=PAYIN,
        errors=(400, 404, 409, 413, 415, 422),
        extra_responses={202: "return requested, not yet confirmed by the partner (returning)"},
    ),
]

"""Pay-in routes: partners' signed callbacks (public: the HMAC signature authenticates),
payment references and instructions for senders, suspense work for operators."""

from __future__ import annotations

from gateway.api import payin_views as views
from gateway.api.routing import Route, roles
from gateway.api.schemas import list_of
from gateway.usecases.payins import references, refunds
from gateway.usecases.payins import views as views_of_payins
from gateway.usecases.requests.payins import (
    PayinCallback,
    PayinReferenceRequest,
    ResolvePayinRequest,
)

PAYIN = views_of_payins.PAYIN_SCHEMA  # each declared beside the function that builds it
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
        response=references.REFERENCE_SCHEMA,
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
        response=references.INSTRUCTIONS_SCHEMA,
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
        response=refunds.REFUND_SCHEMA,
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

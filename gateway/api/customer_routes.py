"""Customer routes in the manner of Stellar SEP-12: PUT to submit KYC fields, GET for the
status, tier, limits and the fields still needed for the next tier."""

from __future__ import annotations

from gateway.api import customer_views as views
from gateway.api.routing import Route, roles
from gateway.usecases import erasure
from gateway.usecases.customers import CUSTOMER_SCHEMA
from gateway.usecases.requests.customers import CustomerRequest, ErasureRequest

CUSTOMER = CUSTOMER_SCHEMA  # declared beside customer_view, which builds the body
SENDERS = roles("sender-app", "operator")
OPERATORS = roles("operator")
ERASURE = erasure.ERASURE_SCHEMA  # each declared beside the function that builds it
EXPORT = erasure.EXPORT_SCHEMA

ROUTES: list[Route] = [
    Route(
        "PUT",
        "/v1/customers",
        views.put_customer,
        "Create or update a sender by the app's external id (SEP-9 fields; idempotent)",
        roles=SENDERS,
        tag="customers",
        body=CustomerRequest,
        response=CUSTOMER,
        errors=(400, 413, 415, 422),
        extra_responses={201: "Created: the first PUT of this external id"},
    ),
    Route(
        "GET",
        "/v1/customers/{id}",
        views.get_customer,
        "A sender's KYC status, tier, limits and the fields needed for the next tier",
        roles=SENDERS,
        tag="customers",
        response=CUSTOMER,
        errors=(404,),
    ),
    Route(
        "POST",
        "/v1/customers/{id}/erasure",
        views.erase_customer,
        "Erase a person on request except what the law keeps (shown, with until when)",
        roles=OPERATORS,
        tag="customers",
        body=ErasureRequest,
        response=ERASURE,
        errors=(400, 404, 409, 413, 415, 422),
    ),
    Route(
        "GET",
        "/v1/customers/{id}/export",
        views.export_customer,
        "Everything held on a person, decrypted, for a subject access request (audit-logged)",
        roles=OPERATORS,
        tag="customers",
        query=({"name": "reason", "in": "query", "required": True, "schema": {"type": "string"}},),
        response=EXPORT,
        errors=(404, 422),
    ),
]

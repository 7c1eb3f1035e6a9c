"""Customer routes in the manner of Stellar SEP-12: PUT to submit KYC fields, GET for the
status, tier, limits and the fields still needed for the next tier."""

from __future__ import annotations

from gateway.api import customer_views as views
from gateway.api.customer_schemas import CustomerRequest
from gateway.api.routing import Route, roles

_str = {"type": "string"}
_null_str = {"type": ["string", "null"]}

CUSTOMER = {
    "type": "object",
    "properties": {
        **{k: _str for k in ("id", "external_id", "name", "country", "created_at", "updated_at")},
        "status": {"type": "string", "enum": ["accepted", "processing", "needs_info", "rejected"]},
        **{k: _null_str for k in ("phone", "birth_date", "tier", "next_tier", "status_reason")},
        "limits": {
            "type": ["object", "null"],
            "properties": {k: _str for k in ("per_transfer_usd", "per_day_usd", "per_30d_usd")},
        },
        "fields": {
            "type": "object",
            "description": "fields still needed for the next tier, with descriptions",
            "additionalProperties": {
                "type": "object",
                "properties": {"type": _str, "description": _str},
            },
        },
        "provided_fields": {"type": "array", "items": _str},
    },
}
SENDERS = roles("sender-app", "operator")

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
]

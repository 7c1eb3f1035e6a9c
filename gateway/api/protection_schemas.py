"""OpenAPI shapes of the sender protections: disclosures, receipts, cancellations, error cases
(the travel-rule request bodies are the use cases', in gateway.usecases.requests)."""

from __future__ import annotations

_str = {"type": "string"}
_text_by_language = {"type": "object", "additionalProperties": _str}
_contact = {
    "type": "object",
    "properties": {"name": _str, "phone": _str, "website": _str},
    "required": ["name", "phone", "website"],
}

DISCLOSURE = {
    "type": "object",
    "description": "Pre-payment disclosure of the sending country's regime (e.g. 12 CFR 1005.31)",
    "properties": {
        **{
            k: _str
            for k in (
                "regime",
                "regime_title",
                "rule",
                "transfer_amount",
                "fees",
                "taxes",
                "total",
                "send_currency",
                "exchange_rate",
                "covered_third_party_fees",
                "amount_received",
                "receive_currency",
            )
        },
        "covered": {"type": "boolean"},
        "not_covered_reason": {"type": ["string", "null"]},
        "coverage_threshold": {"type": ["string", "null"]},
        "statement": _text_by_language,
        "provider": _contact,
    },
    "required": [
        "regime",
        "covered",
        "transfer_amount",
        "fees",
        "taxes",
        "total",
        "exchange_rate",
        "covered_third_party_fees",
        "amount_received",
        "statement",
        "provider",
    ],
}

_right = {"type": "object", "properties": {"rule": _str, "text": _text_by_language}}
RECEIPT = {
    "type": "object",
    "description": "Receipt once paid: the disclosure, availability, recipient, rights, contacts",
    "properties": {
        "remittance_id": _str,
        "paid_at": _str,
        "funds_available_on": {"type": "string", "format": "date"},
        "disclosure": DISCLOSURE,
        "recipient": {"type": "object", "additionalProperties": _str},
        "rights": {
            "type": "object",
            "properties": {
                "cancellation": {
                    **_right,
                    "properties": {
                        **_right["properties"],
                        "window_minutes": {"type": "integer"},
                        "cancel_by": _str,
                        "refund_business_days": {"type": "integer"},
                    },
                },
                "error_resolution": {
                    **_right,
                    "properties": {
                        **_right["properties"],
                        "report_within_days": {"type": "integer"},
                        "report_by": {"type": "string", "format": "date"},
                    },
                },
            },
        },
        "provider": _contact,
        "regulators": {"type": "array", "items": _contact},
        "sample_rates": {
            "type": "boolean",
            "description": "priced from sample rates (REMIT_RATES_MODE=sample): not market data",
        },
        "rates_notice": {"type": ["string", "null"]},
    },
    "required": ["remittance_id", "paid_at", "funds_available_on", "disclosure", "rights"],
}

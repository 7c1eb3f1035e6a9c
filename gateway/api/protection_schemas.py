"""OpenAPI shapes of the sender protections: disclosures, receipts, cancellations, error cases."""

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

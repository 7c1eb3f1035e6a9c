"""A pay-in as every entry point shows it (API, CLI, bots)."""

from __future__ import annotations

from typing import Any

from fx.money import Money
from gateway.usecases.schemas import NULL_STR, strings

PAYIN_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        **strings(
            "id",
            "payin_id",
            "partner_id",
            "method",
            "event",
            "status",
            "amount",
            "currency",
            "received_at",
        ),
        "reason": NULL_STR,
        "remittance_id": NULL_STR,
        "duplicate": {"type": "boolean"},
    },
}


def payin_view(row: Any, duplicate: bool = False) -> dict[str, Any]:
    """A pay-in's body; its schema is `PAYIN_SCHEMA`, just above."""
    return {
        "id": row.id,
        "payin_id": row.partner_payin_id,
        "partner_id": row.partner_id,
        "method": row.method,
        "event": row.event,
        "status": row.status,
        "reason": row.reason,
        "amount": str(Money.from_minor(row.amount_minor, row.currency)),
        "currency": row.currency,
        "remittance_id": row.remittance_id,
        "received_at": row.received_at.isoformat(),
        "duplicate": duplicate,
    }

"""A pay-in as every entry point shows it (API, CLI, bots)."""

from __future__ import annotations

from typing import Any

from fx.money import Money


def payin_view(row: Any, duplicate: bool = False) -> dict[str, Any]:
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

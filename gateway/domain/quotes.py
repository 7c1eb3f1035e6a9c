"""A stored firm quote as the fx package's Quote, so its pricing functions apply to it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fx.money import Money
from fx.pricing import Quote


def locked_quote(row: Any) -> Quote:
    return Quote(
        send_amount=Money.from_minor(row.send_amount_minor, row.send_currency),
        fee=Money.from_minor(row.fee_minor, row.send_currency),
        receive_amount=Money.from_minor(row.receive_amount_minor, row.receive_currency),
        mid_rate=Decimal(row.mid_rate),
        rate=Decimal(row.rate),
        rate_source=row.rate_source,
        rate_as_of=row.rate_as_of,
        created_at=row.created_at,
        expires_at=row.expires_at,
    )

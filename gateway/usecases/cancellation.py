"""The sender's right to cancel after paying (12 CFR 1005.34 and the like): within the regime's
window from payment, while the recipient is not yet paid. After it: a problem naming the rule,
and nothing written."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from compliance.protections import Regime
from compliance.protections.calendar import add_business_days
from gateway.errors import Conflict
from gateway.services import Services
from gateway.storage import remittances as store

PAID = "funded"


def regime_of(svc: Services, row: Any) -> Regime:
    corridor = svc.corridors.get(row.corridor_id)
    return svc.regimes.for_country(corridor.send_country if corridor else "*")


async def paid_at(conn: AsyncConnection, remittance_id: str) -> datetime | None:
    history = await store.history(conn, remittance_id)
    return next((h.at for h in history if h.to_status == PAID), None)


async def check_window(svc: Services, conn: AsyncConnection, row: Any) -> None:
    regime = regime_of(svc, row)
    paid = await paid_at(conn, row.id)
    closes = (paid or svc.now()) + timedelta(minutes=regime.cancel_window_minutes)
    if svc.now() > closes:
        raise Conflict(
            "cancellation-window-closed",
            "Cancellation window closed",
            f"{regime.cancellation_rule}: a paid transfer can be cancelled within "
            f"{regime.cancel_window_minutes} minutes of payment; the window closed at "
            f"{closes.isoformat()}",
            extra={"rule": regime.cancellation_rule, "window_closed_at": closes.isoformat()},
        )
    partner = await svc.partners.info(row.partner_id, svc.now())
    if partner is not None and partner.pull and row.payout_status == "accepted":
        raise Conflict(
            "partner-accepted",
            "The partner has taken the payout on",
            "the payout partner collected this payout and can no longer be asked to withdraw it",
            extra={"rule": regime.cancellation_rule},
        )


def sending_country(svc: Services, row: Any) -> str | None:
    corridor = svc.corridors.get(row.corridor_id)
    return corridor.send_country if corridor else None


def refund_due_by(svc: Services, row: Any) -> str:
    """The regime's business days on the sending country's calendar (holidays, weekend)."""
    regime = regime_of(svc, row)
    days, country = regime.refund_business_days, sending_country(svc, row)
    return add_business_days(svc.now().date(), days, country).isoformat()


def requested_reason(svc: Services, row: Any) -> str:
    regime = regime_of(svc, row)
    return (
        f"cancelled by sender within {regime.cancel_window_minutes} minutes of payment "
        f"({regime.cancellation_rule}); full refund due by {refund_due_by(svc, row)}"
    )

"""The receipt a sender gets once they have paid: the disclosure, when the money is available,
whom it goes to, the sender's rights, and whom to call. Pure: the gateway supplies the facts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from compliance.protections.disclosure import Disclosure

RECIPIENT_CONTACT_FIELDS = ("phone", "address")


@dataclass(frozen=True, slots=True)
class Receipt:
    remittance_id: str
    disclosure: Disclosure
    paid_at: datetime
    funds_available_on: date
    recipient: Mapping[str, str]

    @property
    def cancel_by(self) -> datetime:
        return self.paid_at + timedelta(minutes=self.disclosure.regime.cancel_window_minutes)

    @property
    def report_errors_by(self) -> date:
        return self.funds_available_on + timedelta(days=self.disclosure.regime.error_report_days)

    def to_dict(self) -> dict[str, Any]:
        regime = self.disclosure.regime
        minutes, days = regime.cancel_window_minutes, regime.error_report_days
        return {
            "remittance_id": self.remittance_id,
            "paid_at": self.paid_at.isoformat(),
            "funds_available_on": self.funds_available_on.isoformat(),
            "disclosure": self.disclosure.to_dict(),
            "recipient": dict(self.recipient),
            "rights": {
                "cancellation": {
                    "rule": regime.cancellation_rule,
                    "window_minutes": minutes,
                    "cancel_by": self.cancel_by.isoformat(),
                    "refund_business_days": regime.refund_business_days,
                    "text": {
                        k: v.format(minutes=minutes) for k, v in regime.cancellation_notice.items()
                    },
                },
                "error_resolution": {
                    "rule": regime.error_rule,
                    "report_within_days": days,
                    "report_by": self.report_errors_by.isoformat(),
                    "text": {k: v.format(days=days) for k, v in regime.error_notice.items()},
                },
            },
            "provider": self.disclosure.to_dict()["provider"],
            "regulators": [
                {"name": r.name, "phone": r.phone, "website": r.website} for r in regime.regulators
            ],
        }


def make_receipt(
    remittance_id: str,
    disclosure: Disclosure,
    *,
    paid_at: datetime,
    available_days: int,
    recipient: Mapping[str, Any],
) -> Receipt:
    """The recipient's name, and their phone or address only when the sender gave them."""
    shown = {"name": str(recipient.get("name") or "")}
    for key in RECIPIENT_CONTACT_FIELDS:
        if recipient.get(key):
            shown[key] = str(recipient[key])
    return Receipt(
        remittance_id=remittance_id,
        disclosure=disclosure,
        paid_at=paid_at,
        funds_available_on=(paid_at + timedelta(days=available_days)).date(),
        recipient=shown,
    )

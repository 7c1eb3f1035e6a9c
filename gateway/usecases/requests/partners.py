"""Request bodies partners send (pull mode status reports)."""

from __future__ import annotations

from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, field_validator, model_validator

from gateway.usecases.requests.base import Body

REASON_CODE = r"^[A-Z][A-Z0-9_]{1,63}$"


class PayoutStatusRequest(Body):
    """A final outcome: paid (with the partner's reference) or failed (with a reason code)."""

    status: Literal["paid", "failed"]
    partner_reference: str | None = Field(default=None, min_length=1, max_length=120)
    reason: str | None = Field(default=None, pattern=REASON_CODE, examples=["ACCOUNT_CLOSED"])

    @model_validator(mode="after")
    def _evidence(self) -> PayoutStatusRequest:
        if self.status == "paid" and not self.partner_reference:
            raise ValueError("partner_reference is required when status is paid")
        if self.status == "failed" and not self.reason:
            raise ValueError("reason is required when status is failed")
        return self


class WebhookRequest(Body):
    """Where a sending app receives remittance events. Without a secret one is generated and
    returned once; events are signed with it (X-Remit-Timestamp, X-Remit-Signature)."""

    url: str = Field(min_length=8, max_length=500, examples=["https://app.example/hooks/remit"])
    secret: str | None = Field(default=None, min_length=16, max_length=200)

    @field_validator("url")
    @classmethod
    def _http_url(cls, url: str) -> str:
        """The shape only; where it may point is the outbound rule's (webhooks.endpoints)."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("url must be an absolute https URL")
        return url

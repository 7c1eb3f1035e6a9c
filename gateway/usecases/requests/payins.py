"""Request bodies of the pay-in routes (partners' callbacks, references, refunds)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from gateway.usecases.requests.base import AmountStr, Body, CurrencyCode

PayinMethodName = Literal["bank_transfer", "card", "cash_agent"]


class PayinCallback(Body):
    """A pay-in partner reports money (or a card authorisation) for a payment reference."""

    payin_id: str = Field(min_length=1, max_length=120, pattern=r"^[A-Za-z0-9._:-]+$")
    method: PayinMethodName
    event: Literal["received", "authorized", "captured"]
    reference: str = Field(max_length=64, examples=["RF71 4Q7M 2KXP 9B3C"])
    amount: AmountStr
    currency: CurrencyCode


class PayinReferenceRequest(Body):
    """A reference a sender pays to for a wallet top-up."""

    method: PayinMethodName = "bank_transfer"
    currency: CurrencyCode


class ResolvePayinRequest(Body):
    """An operator attributes a suspense pay-in to a customer, or returns it to its source."""

    customer_id: str | None = Field(default=None, min_length=1, max_length=40)
    action: Literal["credit", "return"] = "credit"

"""The bodies of quotes, remittances and wallet top-ups: what the API, the bots and the use
cases share."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from gateway.usecases.requests.base import AmountStr, Body, CountryCode, CurrencyCode


class QuoteRequest(Body):
    send_currency: CurrencyCode
    receive_currency: CurrencyCode
    send_amount: AmountStr | None = None
    receive_amount: AmountStr | None = None
    receive_country: CountryCode | None = None
    payout_method: str | None = Field(default=None, max_length=40)
    corridor_id: str | None = Field(default=None, max_length=40)

    @model_validator(mode="after")
    def _exactly_one_amount(self) -> QuoteRequest:
        if (self.send_amount is None) == (self.receive_amount is None):
            raise ValueError("give exactly one of send_amount and receive_amount")
        return self


class RecipientBody(BaseModel):
    """Corridor-specific account fields; GET /v1/corridors/{id}/requirements lists them."""

    model_config = ConfigDict(extra="allow", str_strip_whitespace=True)
    name: str = Field(min_length=1, max_length=200)


class RemittanceRequest(Body):
    quote_id: str = Field(min_length=1, max_length=40)
    sender_id: str = Field(min_length=1, max_length=40)
    recipient: RecipientBody
    funding_method: Literal["wallet", "bank_transfer", "card", "cash_agent"] = "wallet"


class AcceptQuoteRequest(Body):
    """The new quote POST /v1/remittances/{id}/requote offered."""

    quote_id: str = Field(min_length=1, max_length=40)


class TopUpRequest(Body):
    amount: AmountStr
    currency: CurrencyCode

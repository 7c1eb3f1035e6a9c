"""Request bodies. Pydantic parses and names the failing field; the JSON Schemas it generates
are what /openapi.json publishes, so the two cannot drift apart."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from fx.money import MAX_AMOUNT_CHARS
from gateway.api.problems import Problem, field_error, validation

_DECIMAL = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def _amount_string(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, str):
        raise ValueError('amounts are JSON strings such as "100.00", never numbers')
    if not _DECIMAL.fullmatch(value.strip()):
        raise ValueError(f'{value[:20]!r} is not a decimal amount such as "100.00"')
    return value


AmountStr = Annotated[
    str,
    BeforeValidator(_amount_string),
    Field(max_length=MAX_AMOUNT_CHARS, examples=["100.00"]),
]
CurrencyCode = Annotated[str, Field(pattern=r"^[A-Z]{3,4}$", examples=["USD"])]
CountryCode = Annotated[str, Field(pattern=r"^[A-Z]{2}$", examples=["PH"])]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


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


def _field_name(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if not isinstance(p, int) or p]
    return ".".join(parts) or "body"


def parse(model: type[Body], data: Any) -> Any:
    """Validate `data` or raise a 422 problem naming each failing field."""
    if not isinstance(data, dict):
        raise validation([{"field": "body", "message": "the body must be a JSON object"}])
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = []
        for err in exc.errors(include_url=False):
            message = err["msg"].removeprefix("Value error, ")
            errors.append({"field": _field_name(err["loc"]), "message": message})
        raise validation(errors) from None


def schema_of(model: type[BaseModel]) -> dict[str, Any]:
    return model.model_json_schema(ref_template="#/components/schemas/{model}")


__all__ = ["Problem", "parse"]


_WHOLE = re.compile(r"[0-9]{1,19}")  # ASCII only: str.isdigit() also passes '²', int() fails


def query_int(query: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    """A whole-number query parameter within [low, high], else a 422 naming it."""
    raw = query.get(name)
    if raw is None:
        return default
    if not _WHOLE.fullmatch(raw) or not low <= int(raw) <= high:
        raise field_error(name, f"a whole number from {low} to {high}")
    return int(raw)

"""Request bodies: the shared base, field types and parsing. Pydantic parses and names the
failing field; the JSON Schemas it generates are what /openapi.json publishes, so the two
cannot drift apart. Parsing refuses with a use case's own error (gateway.errors), so the
bots and the CLI parse the same bodies the API does."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from fx.money import MAX_AMOUNT_CHARS
from gateway.errors import validation

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

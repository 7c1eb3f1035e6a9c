"""HTTP-only helpers of request parsing: JSON Schemas for /openapi.json, query parameters.
The request bodies themselves live with the use cases (gateway.usecases.requests)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from gateway.errors import field_error


def list_of(name: str, items: dict[str, Any]) -> dict[str, Any]:
    """The schema of a body `{name: [items...]}`, as the listing routes answer."""
    return {"type": "object", "properties": {name: {"type": "array", "items": items}}}


def schema_of(model: type[BaseModel]) -> dict[str, Any]:
    return model.model_json_schema(ref_template="#/components/schemas/{model}")


_WHOLE = re.compile(r"[0-9]{1,19}")  # ASCII only: str.isdigit() also passes '²', int() fails


def query_int(query: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    """A whole-number query parameter within [low, high], else a 422 naming it."""
    raw = query.get(name)
    if raw is None:
        return default
    if not _WHOLE.fullmatch(raw) or not low <= int(raw) <= high:
        raise field_error(name, f"a whole number from {low} to {high}")
    return int(raw)

"""The words the response schemas are written in. A use case declares the JSON Schema of the
body it builds beside the function that builds it (docs/design.md, "Response schemas from one
source"); these are the pieces they share."""

from __future__ import annotations

from typing import Any

STR: dict[str, Any] = {"type": "string"}
NULL_STR: dict[str, Any] = {"type": ["string", "null"]}


def strings(*names: str) -> dict[str, Any]:
    """Properties that are each a string (amounts, ids and times are strings in this API)."""
    return dict.fromkeys(names, STR)


def nullable_strings(*names: str) -> dict[str, Any]:
    """Properties that are each a string or null (not known yet, or not applicable)."""
    return dict.fromkeys(names, NULL_STR)

"""Reading JSON documents that come from outside (requests, partners' callbacks) strictly.

`json.loads` accepts what we cannot keep: NaN and Infinity, nesting deep enough to exhaust the
interpreter's stack (RecursionError, not ValueError), U+0000 (PostgreSQL refuses it in text) and
lone UTF-16 surrogates (`"\\ud800"`: a Python string that no UTF-8 encoder, hence no database
driver, accepts). Each surfaced as a 500 far from the parser; here each is a ValueError naming
where it is, so the caller answers 4xx before anything is written.
"""

from __future__ import annotations

import json
from typing import Any

NUL_MESSAGE = "must not contain the NUL character (U+0000)"
SURROGATE_MESSAGE = "must be valid Unicode text (no lone surrogate such as \\ud800)"


class BadText(ValueError):
    """A string in the document that cannot be stored; `path` names it (`a.b[2]`)."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path or 'body'}: {message}")
        self.path = path or "body"
        self.message = message


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _bad(text: str) -> str | None:
    if "\x00" in text:
        return NUL_MESSAGE
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return SURROGATE_MESSAGE
    return None


def bad_text(value: Any, path: str = "") -> BadText | None:
    """The first string (key or value) in a decoded document that cannot be stored."""
    if isinstance(value, str):
        why = _bad(value)
        return None if why is None else BadText(path, why)
    if isinstance(value, dict):
        for key, item in value.items():
            inner = f"{path}.{key}" if path else str(key)
            why = _bad(key)
            if why is not None:
                return BadText(inner.encode("utf-8", "backslashreplace").decode(), why)
            found = bad_text(item, inner)
            if found is not None:
                return found
    if isinstance(value, list):
        for i, item in enumerate(value):
            found = bad_text(item, f"{path}[{i}]")
            if found is not None:
                return found
    return None


def loads(raw: bytes | str) -> Any:
    """Decode strictly; ValueError (BadText for an unstorable string) on anything we refuse."""
    try:
        doc = json.loads(raw, parse_constant=_refuse_constant)
    except RecursionError:
        raise ValueError("the document is nested too deeply") from None
    if _may_hold_bad_text(raw):
        found = bad_text(doc)
        if found is not None:
            raise found
    return doc


def _may_hold_bad_text(raw: bytes | str) -> bool:
    """Cheap test first: NUL and surrogates reach a decoded string only through escapes
    (raw control characters and invalid UTF-8 are refused by the decoder)."""
    return isinstance(raw, str) or b"\\u" in raw

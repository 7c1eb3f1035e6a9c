"""Small helpers views share: reading JSON bodies and answering JSON."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from aiohttp import web

from gateway.api.problems import Problem, field_error
from gateway.storage.keys import Caller


async def read_json(request: web.Request) -> Any:
    if request.content_type != "application/json":
        raise Problem(
            415, "unsupported-media-type", "Unsupported media type", "send application/json"
        )
    return parse_json_body(await request.read())  # read() enforces client_max_size (413)


def parse_json_body(raw: bytes) -> Any:
    """A JSON document from a request body: strict (no NaN/Infinity) and free of NUL."""
    try:
        doc = json.loads(raw, parse_constant=_refuse_constant)
    except ValueError as exc:
        raise Problem(
            400, "malformed-json", "Malformed JSON", f"the body is not JSON: {exc}"
        ) from None
    if b"\\u0000" in raw:  # cheap test first; most bodies never spell a NUL
        where = _nul_path(doc, "")
        if where is not None:
            raise field_error(where or "body", NUL_MESSAGE)
    return doc


NUL_MESSAGE = "must not contain the NUL character (U+0000)"


def _nul_path(value: Any, path: str) -> str | None:
    """Where a NUL hides in a JSON document: no text column stores one (PostgreSQL refuses)."""
    if isinstance(value, str):
        return path if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            inner = f"{path}.{key}" if path else str(key)
            if "\x00" in key:
                return inner
            found = _nul_path(item, inner)
            if found is not None:
                return found
    if isinstance(value, list):
        for i, item in enumerate(value):
            found = _nul_path(item, f"{path}[{i}]")
            if found is not None:
                return found
    return None


def refuse_nul_in_form(form: Mapping[str, Any]) -> None:
    for name, value in form.items():
        if "\x00" in name or (isinstance(value, str) and "\x00" in value):
            raise field_error(name.replace("\x00", "\\0"), NUL_MESSAGE)


def refuse_nul_in_url(request: web.Request) -> None:
    """A NUL in the path or a query parameter is refused before any view sees it."""
    if "\x00" in request.path:
        raise field_error("path", NUL_MESSAGE)
    if "%00" in request.query_string or "\x00" in request.query_string:
        for name, value in request.query.items():
            if "\x00" in name or "\x00" in value:
                raise field_error(name.replace("\x00", "\\0"), NUL_MESSAGE)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def reply(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    return web.json_response(body, status=status, headers=headers)


def caller(request: web.Request) -> Caller:
    return request["caller"]


def idempotency_key(request: web.Request) -> str:
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key:
        raise Problem(
            400,
            "idempotency-key-required",
            "Idempotency-Key required",
            "send an Idempotency-Key header (a unique string per intended request)",
            errors=[{"field": "Idempotency-Key", "message": "missing"}],
        )
    if len(key) > 200:
        raise field_error("Idempotency-Key", "at most 200 characters")
    return key

"""Small helpers views share: reading JSON bodies and answering JSON."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from gateway.api.problems import Problem, field_error
from gateway.storage.keys import Caller


async def read_json(request: web.Request) -> Any:
    if request.content_type != "application/json":
        raise Problem(
            415, "unsupported-media-type", "Unsupported media type", "send application/json"
        )
    raw = await request.read()  # aiohttp enforces client_max_size here (413)
    try:
        return json.loads(raw, parse_constant=_refuse_constant)
    except ValueError as exc:
        raise Problem(
            400, "malformed-json", "Malformed JSON", f"the body is not JSON: {exc}"
        ) from None


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

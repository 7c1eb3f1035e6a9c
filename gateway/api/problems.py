"""RFC 9457 problem details: the only shape an error response has."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from aiohttp import web

from gateway.errors import BadSignature, Conflict, Invalid, NotFound, Refused, UseCaseError

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "https://remit-gateway.dev/problems/"


class Problem(Exception):
    """Raised by the HTTP layer itself (bad JSON, auth); the error middleware renders it, and
    use cases' own errors through `problem_for`."""

    def __init__(
        self,
        status: int,
        slug: str,
        title: str,
        detail: str = "",
        errors: Sequence[dict[str, Any]] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail or title)
        self.status = status
        self.slug = slug
        self.title = title
        self.detail = detail
        self.errors = list(errors or [])
        self.extra = extra

    def body(self, instance: str | None = None) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "type": "about:blank" if self.slug == "about:blank" else PROBLEM_BASE + self.slug,
            "title": self.title,
            "status": self.status,
            "detail": self.detail or self.title,
        }
        if instance:
            doc["instance"] = instance
        if self.errors:
            doc["errors"] = self.errors
        doc.update(self.extra)
        return doc

    def response(self, instance: str | None = None) -> web.Response:
        return web.Response(
            status=self.status,
            text=json.dumps(self.body(instance)),
            content_type=PROBLEM_JSON,
        )


# The one place a use case's refusal becomes an HTTP status (the most specific kind wins).
_STATUS: dict[type[UseCaseError], int] = {
    BadSignature: 401,
    Refused: 403,
    NotFound: 404,
    Conflict: 409,
    Invalid: 422,
}


def problem_for(error: UseCaseError) -> Problem:
    """The problem details a client sees for a use case's refusal."""
    status = next(_STATUS[kind] for kind in type(error).__mro__ if kind in _STATUS)
    return Problem(status, error.slug, error.title, error.detail, error.errors, **error.extra)


PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}

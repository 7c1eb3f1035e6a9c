"""RFC 9457 problem details: the only shape an error response has."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from aiohttp import web

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "https://remit-gateway.dev/problems/"


class Problem(Exception):
    """Raised anywhere below a view; the error middleware renders it."""

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


def validation(errors: Sequence[dict[str, Any]], detail: str | None = None) -> Problem:
    first = errors[0] if errors else {}
    return Problem(
        422,
        "validation-error",
        "Your request is not valid",
        detail or f"{first.get('field', 'body')}: {first.get('message', 'invalid')}",
        errors=errors,
    )


def field_error(field: str, message: str) -> Problem:
    return validation([{"field": field, "message": message}])


def not_found(what: str) -> Problem:
    return Problem(404, "not-found", "Not found", f"{what} does not exist")


def conflict(slug: str, title: str, detail: str) -> Problem:
    return Problem(409, slug, title, detail)


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

"""Route specs: each route states its roles, body model and responses once; the router, the
auth middleware and /openapi.json all read the same table."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from pydantic import BaseModel

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

ANY_CALLER = frozenset({"sender-app", "partner", "operator"})


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    handler: Handler
    summary: str
    roles: frozenset[str] = frozenset()  # empty: public
    tag: str = "remittances"
    body: type[BaseModel] | None = None
    query: Sequence[dict[str, Any]] = ()
    response: dict[str, Any] | None = None
    status: int = 200
    media: str = "application/json"  # what the answer is (3xx: none, a Location header)
    idempotency_key: bool = False
    errors: tuple[int, ...] = ()
    extra_responses: dict[int, str] = field(default_factory=dict)  # other answers, same shape
    html: bool = False  # also answers text/html (a printable page) when the caller accepts it
    pdf: bool = False  # also answers application/pdf (the page printed) when asked

    @property
    def name(self) -> str:
        """A router-safe unique name, also the OpenAPI operationId."""
        slug = re.sub(r"[^a-zA-Z0-9]+", "_", self.path).strip("_")
        return f"{self.method.lower()}_{slug}"


def roles(*names: str) -> frozenset[str]:
    return frozenset(names)


def add_routes(app: web.Application, table: Sequence[Route]) -> dict[str, Route]:
    by_name: dict[str, Route] = {}
    for route in table:
        app.router.add_route(route.method, route.path, route.handler, name=route.name)
        by_name[route.name] = route
    return by_name

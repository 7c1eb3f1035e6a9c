"""/openapi.json, generated from the route table: a route exists in the document exactly when it
exists in the router."""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web

from gateway.api.appkeys import ROUTES
from gateway.api.problems import PROBLEM_SCHEMA
from gateway.api.routing import Route
from gateway.api.schemas import schema_of

ERROR_TEXT = {
    400: "Malformed request",
    401: "Missing or unknown API key",
    403: "The key's role may not call this route",
    404: "Not found",
    409: "Conflict (idempotency key reused, state changed)",
    413: "Body too large",
    415: "Body is not JSON",
    422: "Validation failed; `errors` names the fields",
}


_OK = "OK"


def _answer(route: Route, status: int, description: str) -> dict[str, Any]:
    """A success answer: a redirect names its Location, anything else its media type."""
    if 300 <= status < 400:
        description = "See Other" if description is _OK else description
        return {"description": description, "headers": {"Location": {"schema": {"type": "string"}}}}
    schema = route.response or {"type": "object"}
    return {"description": description, "content": {route.media: {"schema": schema}}}


def _operation(route: Route, components: dict[str, Any]) -> dict[str, Any]:
    op: dict[str, Any] = {
        "summary": route.summary,
        "operationId": route.name,
        "tags": [route.tag],
        "parameters": [
            {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
            for name in re.findall(r"{(\w+)}", route.path)
        ]
        + list(route.query),
        "responses": {
            str(status): _answer(route, status, description)
            for status, description in sorted({route.status: _OK, **route.extra_responses}.items())
        },
    }
    if route.html:
        op["responses"][str(route.status)]["content"]["text/html"] = {"schema": {"type": "string"}}
    if route.pdf:
        op["responses"][str(route.status)]["content"]["application/pdf"] = {
            "schema": {"type": "string", "format": "binary"}
        }
    if route.idempotency_key:
        op["parameters"].append(
            {
                "name": "Idempotency-Key",
                "in": "header",
                "required": True,
                "schema": {"type": "string"},
            }
        )
    if route.body is not None:
        schema = schema_of(route.body)
        for name, sub in schema.pop("$defs", {}).items():
            components[name] = sub
        components[route.body.__name__] = schema
        op["requestBody"] = {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {"$ref": f"#/components/schemas/{route.body.__name__}"}
                }
            },
        }
    errors = set(route.errors)
    if route.roles:
        op["security"] = [{"apiKey": []}]
        op["x-roles"] = sorted(route.roles)
        errors |= {401, 403}
    for code in sorted(errors):
        op["responses"][str(code)] = {
            "description": ERROR_TEXT.get(code, "Error"),
            "content": {
                "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
            },
        }
    return op


def build_openapi(routes: dict[str, Route]) -> dict[str, Any]:
    components: dict[str, Any] = {"Problem": PROBLEM_SCHEMA}
    paths: dict[str, dict[str, Any]] = {}
    for route in routes.values():
        paths.setdefault(route.path, {})[route.method.lower()] = _operation(route, components)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Remittance gateway",
            "version": "0.1.0",
            "description": "Quotes, remittances, customers and partners. Amounts are strings.",
        },
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {"apiKey": {"type": "http", "scheme": "bearer"}},
        },
    }


async def openapi_view(request: web.Request) -> web.Response:
    return web.json_response(build_openapi(request.app[ROUTES]))

"""What the response-schema tests share (tests/integration/test_api_response_schemas*.py):
a recorder that makes real requests and keeps each answer with its documented route, and the
check that every answer matches what /openapi.json says of that route and status, closed (a
field the body carries and the schema does not name fails), and that the area's every
documented operation and success status was answered.

Each test file covers some of the document's tags (AREAS); one test checks that the areas
together cover every tag of the full route table, so an operation added to the gateway fails
here until a test drives it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import jsonschema_rs

# Test file (tests/integration/test_api_response_schemas_<area>.py) -> the OpenAPI tags it drives.
AREAS: dict[str, frozenset[str]] = {
    "sender": frozenset({"operations", "corridors", "quotes", "customers", "webhooks", "ledger"}),
    "remittances": frozenset({"remittances"}),
    "payments": frozenset({"payins", "partners"}),
    "compliance": frozenset({"compliance", "kyc"}),
    "console": frozenset({"console"}),
    "bots": frozenset({"bots"}),
}


def _path_pattern(path: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\\{\w+\\}", "[^/]+", re.escape(path)) + "$")


@dataclass(frozen=True)
class Answer:
    method: str
    route: str
    status: int
    media: str | None
    body: Any
    location: str | None


class Recorder:
    """Real requests through a test client; each answer is kept with its documented route."""

    def __init__(self, client, doc: dict[str, Any], auth=None) -> None:
        self.client = client
        self.doc = doc
        self.auth = auth or (lambda role: {})
        self.routes = [(_path_pattern(p), p) for p in doc["paths"]]
        self.seen: list[Answer] = []

    def route_of(self, path: str) -> str:
        matches = [p for pattern, p in self.routes if pattern.match(path.split("?")[0])]
        assert matches, path
        return min(matches, key=lambda p: p.count("{"))  # a literal segment beats a parameter

    async def call(
        self, method: str, path: str, role: str | None = "sender-app", status=None, **kw
    ) -> Any:
        """The answer's body (JSON decoded, else text); `status`: the one expected (default:
        any below 400)."""
        headers = {**(self.auth(role) if role else {}), **kw.pop("headers", {})}
        resp = await self.client.request(method, path, headers=headers, allow_redirects=False, **kw)
        text = await resp.text()
        if status is None:
            assert resp.status < 400, (method, path, resp.status, text)
        else:
            assert resp.status == status, (method, path, resp.status, text)
        media = resp.content_type if resp.headers.get("Content-Type") else None
        body = await resp.json(content_type=None) if media and media.endswith("json") else text
        self.seen.append(
            Answer(
                method.lower(),
                self.route_of(path),
                resp.status,
                media,
                body,
                resp.headers.get("Location"),
            )
        )
        return body

    async def record(self, method: str, path: str, resp) -> Any:
        """Keep an answer a support helper asked for (its aiohttp response); its body."""
        body = await resp.json(content_type=None)
        self.keep(method, path, resp.status, body)
        return body

    def keep(self, method: str, path: str, status: int, body: Any) -> None:
        """Keep a JSON answer a support helper already read (its status and body)."""
        answer = Answer(method.lower(), self.route_of(path), status, "application/json", body, None)
        self.seen.append(answer)


async def reported_error(gateway, external_id: str = "err") -> str:
    """The id of an error case a paid sender opened (for the officers' routes and pages)."""
    sender = await gateway.customer(external_id=external_id)
    await gateway.top_up(sender["id"])
    rem = await gateway.send(sender=sender)
    await gateway.drain()
    body = {"kind": "not_received", "description": "my mother got nothing"}
    resp = await gateway.client.post(
        f"/v1/remittances/{rem['id']}/errors", json=body, headers=gateway.auth()
    )
    assert resp.status == 201, await resp.text()
    return (await resp.json())["id"]


def _resolve(schema: dict[str, Any], doc: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        return doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _unnamed_fields(schema: dict[str, Any], body: Any, doc: dict[str, Any], where: str) -> list:
    """Fields of `body` that `schema` does not name (objects that list properties only)."""
    schema = _resolve(schema, doc)
    found: list[str] = []
    if isinstance(body, dict) and "properties" in schema and "additionalProperties" not in schema:
        props = schema["properties"]
        for key, value in body.items():
            if key not in props:
                found.append(f"{where}.{key}")
            else:
                found += _unnamed_fields(props[key], value, doc, f"{where}.{key}")
    if isinstance(body, dict) and isinstance(schema.get("additionalProperties"), dict):
        for key, value in body.items():
            found += _unnamed_fields(schema["additionalProperties"], value, doc, f"{where}.{key}")
    if isinstance(body, list) and isinstance(schema.get("items"), dict):
        for i, item in enumerate(body):
            found += _unnamed_fields(schema["items"], item, doc, f"{where}[{i}]")
    return found


def mismatches(answer: Answer, doc: dict[str, Any]) -> list[str]:
    """What the document gets wrong about one real answer."""
    where = f"{answer.method} {answer.route} {answer.status}"
    response = doc["paths"][answer.route][answer.method]["responses"].get(str(answer.status))
    if response is None:
        return [f"{where}: status undocumented"]
    if 300 <= answer.status < 400:
        documented = "Location" in response.get("headers", {})
        return [] if documented and answer.location else [f"{where}: redirect undocumented"]
    content = response.get("content", {})
    if answer.media not in content:
        return [f"{where}: answered {answer.media}, documented {sorted(content)}"]
    schema = content[answer.media]["schema"]
    if not answer.media.endswith("json"):
        return [] if isinstance(answer.body, str) and schema.get("type") == "string" else [where]
    validator = jsonschema_rs.validator_for({**schema, "components": doc["components"]})
    found = [f"{where}: {e.message}" for e in validator.iter_errors(answer.body)]
    found += [f"{where}: undocumented {f}" for f in _unnamed_fields(schema, answer.body, doc, "")]
    return found


def operations(doc: dict[str, Any], tags: frozenset[str]) -> set[tuple[str, str, int]]:
    """Every documented success answer (method, path, status) of operations tagged `tags`."""
    return {
        (method, path, int(status))
        for path, ops in doc["paths"].items()
        for method, op in ops.items()
        if set(op["tags"]) & tags
        for status in op["responses"]
        if int(status) < 400
    }


def check(rec: Recorder, area: str) -> None:
    """Every answer recorded matches the document; every documented success answer of the
    area's operations was recorded."""
    failures = [m for answer in rec.seen for m in mismatches(answer, rec.doc)]
    assert failures == [], "\n".join(failures)
    driven = {(a.method, a.route, a.status) for a in rec.seen}
    left = operations(rec.doc, AREAS[area]) - driven
    assert left == set(), f"documented but never answered: {sorted(left)}"

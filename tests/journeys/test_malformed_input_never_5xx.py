"""No 5xx on malformed input (#20). Every route that takes a body, enumerated from the running
app's router (a route added later is covered without touching this file), gets malformed
bodies: broken and hostile JSON (lone surrogates, NaN, nesting past the stack, huge numbers,
NUL) and broken forms (multipart without a boundary, a part without a name, an unknown
charset). Each is answered 4xx: a problem document on the API, a page on the console. Signed
callbacks are signed, so the body is what gets judged."""

from __future__ import annotations

import json

import pytest
from aiohttp import web

from corridors.signing import signature_headers
from gateway.api.appkeys import ROUTES
from tests.conftest import DEMO_PARTNER, SIM_SECRET, add_simulator
from tests.console_support import hold, sign_in

JSON = "application/json"
MULTIPART = "multipart/form-data; boundary=zz"

MALFORMED: list[tuple[str, str, bytes]] = [
    ("lone surrogate", JSON, b'{"name": "a\\ud800b", "partner_reference": "a\\ud800b"}'),
    ("lone surrogate key", JSON, b'{"a\\udfffb": 1}'),
    ("surrogate at top", JSON, b'"\\ud800"'),
    ("NUL", JSON, b'{"a": {"b": ["x\\u0000"]}}'),
    ("truncated", JSON, b'{"a": '),
    ("not UTF-8", JSON, b'{"a": "\xff\xfe"}'),
    ("UTF-8 surrogate bytes", JSON, b'{"a": "\xed\xa0\x80"}'),
    ("NaN", JSON, b'{"amount": NaN}'),
    ("deep nesting", JSON, b"[" * 20000 + b"]" * 20000),
    ("huge integer", JSON, b'{"amount": 1' + b"0" * 5000 + b"}"),
    ("huge exponent", JSON, b'{"amount": 1e999999}'),
    ("array", JSON, b"[]"),
    ("empty", JSON, b""),
    ("multipart, empty part", MULTIPART, b"--zz\r\n\r\n"),
    ("multipart without boundary", "multipart/form-data", b"--zz\r\n\r\n"),
    ("multipart, no start", MULTIPART, b"garbage"),
    (
        "multipart, part not UTF-8",
        MULTIPART,
        b'--zz\r\nContent-Disposition: form-data; name="username"\r\n\r\n\xff\r\n--zz--\r\n',
    ),
    (
        "multipart, unknown charset",
        MULTIPART + "; charset=bogus",
        b'--zz\r\nContent-Disposition: form-data; name="a"\r\n'
        b"Content-Type: text/plain; charset=bogus\r\n\r\nx\r\n--zz--\r\n",
    ),
    ("form, unknown charset", "application/x-www-form-urlencoded; charset=bogus", b"a=b"),
    ("form, NUL", "application/x-www-form-urlencoded", b"username=a%00b&csrf_token=x"),
    ("form as JSON", JSON, b"username=a&password=b"),
]

PREFERENCE = ("sender-app", "operator", "partner", "admin", "supervisor", "analyst")


def _body_routes(app: web.Application) -> list[tuple[str, str, str]]:
    """(method, path template, route name) of every route that reads a body."""
    found = []
    for route in app.router.routes():
        if route.method in ("POST", "PUT", "PATCH", "DELETE"):
            info = route.resource.get_info() if route.resource else {}
            path = info.get("path") or info.get("formatter")
            found.append((route.method, path, route.name or ""))
    return found


@pytest.fixture
async def world(gateway, officers):
    """Real objects for the path parameters, a signed-in console session, every key."""
    # The simulator is a pay-in partner too.
    await add_simulator(gateway.svc.engine, gateway.sim, gateway.clock(), kinds="payout,payin")
    rem_id, case_id = await hold(gateway)
    customer_id = (await gateway.get(rem_id))["sender_id"]
    signed = await sign_in(gateway.client, "admin")
    assert signed.status == 303, await signed.text()
    tokens = {**gateway.keys, **{o.role: o.token for o in officers.values()}}
    return {"rem": rem_id, "case": case_id, "customer": customer_id, "tokens": tokens}


def _fill(path: str, world: dict) -> str:
    if "{partner_id}" in path:
        path = path.replace("{partner_id}", DEMO_PARTNER)
    if "{id}" in path:
        if "/cases/" in path:
            value = world["case"]
        elif "/customers/" in path:
            value = world["customer"]
        else:
            value = world["rem"]
        path = path.replace("{id}", value)
    return path


def _headers(gateway, world: dict, name: str, path: str, ctype: str, body: bytes) -> dict:
    headers = {"Content-Type": ctype, "Idempotency-Key": "malformed-1"}
    route = gateway.client.server.app[ROUTES].get(name)
    roles = route.roles if route is not None else frozenset()
    if roles:
        role = next(r for r in PREFERENCE if r in roles)
        headers["Authorization"] = f"Bearer {world['tokens'][role]}"
    elif "/callbacks/" in path:
        headers.update(signature_headers(SIM_SECRET.encode(), body, gateway.clock().timestamp()))
    return headers


async def test_no_malformed_body_gets_a_5xx_anywhere(gateway, world) -> None:
    routes = _body_routes(gateway.client.server.app)
    assert any(p == "/console/login" for _, p, _ in routes)  # the router is what we walk
    assert any(p == "/v1/partner/callbacks/{partner_id}" for _, p, _ in routes)
    failures = []
    seen: dict[tuple[str, str], int] = {}
    for method, template, name in routes:
        path = _fill(template, world)
        for label, ctype, body in MALFORMED:
            headers = _headers(gateway, world, name, path, ctype, body)
            resp = await gateway.client.request(method, path, data=body, headers=headers)
            text = await resp.text()
            seen[template, label] = resp.status
            if resp.status >= 500:
                failures.append(f"{method} {template} [{label}] -> {resp.status}: {text[:120]}")
            elif resp.status >= 400:
                page = template.startswith("/console/")
                wanted = "text/html" if page else "application/problem+json"
                if resp.content_type != wanted:
                    failures.append(f"{method} {template} [{label}] -> {resp.content_type}")
    assert failures == []
    # Not vacuous: the session got every console form to its parser, which refused the body.
    forms = [t for _, t, _ in routes if t.startswith("/console/")]
    assert forms and all(seen[t, "multipart, empty part"] == 400 for t in forms)


async def test_the_console_sign_in_with_a_broken_multipart_body_is_a_page(gateway) -> None:
    for ctype in (MULTIPART, "multipart/form-data"):
        resp = await gateway.client.post(
            "/console/login", data=b"--zz\r\n\r\n", headers={"Content-Type": ctype}
        )
        assert resp.status == 400, await resp.text()
        assert resp.content_type == "text/html"
        assert "remit_session" not in resp.cookies


async def test_a_signed_callback_with_a_lone_surrogate_is_refused_naming_the_field(
    gateway,
) -> None:
    rem = await gateway.send()
    await gateway.drain()
    doc = {"payout_id": rem["id"], "status": "paid", "partner_reference": "a\ud800b"}
    body = json.dumps(doc).encode()  # ASCII: the surrogate travels as \ud800
    assert b"\\ud800" in body
    headers = {
        "Content-Type": JSON,
        **signature_headers(SIM_SECRET.encode(), body, gateway.clock().timestamp()),
    }
    resp = await gateway.client.post(
        f"/v1/partner/callbacks/{DEMO_PARTNER}", data=body, headers=headers
    )
    assert resp.status == 422, await resp.text()
    problem = await resp.json()
    assert [e["field"] for e in problem["errors"]] == ["partner_reference"]

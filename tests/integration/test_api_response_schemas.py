"""/openapi.json against real answers: every operation of the full route table belongs to an
area whose test (tests/integration/test_api_response_schemas_<area>.py) drives each of its
documented success answers and validates the body closed against the documented schema
(tests/api_schemas_support); here, each kind of documented error answers once, as the RFC 9457
problem the document gives."""

from __future__ import annotations

import uuid
from pathlib import Path

from gateway.api.openapi import build_openapi
from gateway.app import ROUTE_TABLE
from gateway.usecases import health
from tests.api_schemas_support import AREAS, Recorder, mismatches


def _full_document() -> dict:
    """Every route the gateway can mount (the bots' only when configured)."""
    return build_openapi({route.name: route for route in ROUTE_TABLE})


def test_every_documented_operation_belongs_to_an_area_that_drives_it() -> None:
    doc = _full_document()
    tags = {op["tags"][0] for ops in doc["paths"].values() for op in ops.values()}
    claimed = [tag for area in AREAS.values() for tag in area]
    assert sorted(claimed) == sorted(tags), "each tag in exactly one area"
    here = Path(__file__).parent
    for area in AREAS:
        test = (here / f"test_api_response_schemas_{area}.py").read_text()
        assert f'check(rec, "{area}")' in test, area


def _error_statuses(doc: dict) -> set[int]:
    return {
        int(status)
        for ops in doc["paths"].values()
        for op in ops.values()
        for status in op["responses"]
        if int(status) >= 400
    }


async def test_each_kind_of_documented_error_answers_as_a_problem(gateway, monkeypatch) -> None:
    doc = await (await gateway.client.get("/openapi.json")).json()
    rec = Recorder(gateway.client, doc, gateway.auth)
    key = {"Idempotency-Key": str(uuid.uuid4())}
    topup = "/v1/customers/{}/wallet/topups"
    sender = await gateway.customer()
    broken = {"Content-Type": "application/json"}
    await rec.call("POST", "/v1/quotes", data=b"{", headers=broken, status=400)
    await rec.call("GET", "/v1/corridors", role=None, status=401)
    await rec.call("GET", "/v1/ledger/accounts", status=403)
    await rec.call("GET", "/v1/quotes/qt_missing", status=404)
    for amount, status in (("10.00", 201), ("20.00", 409)):  # the key again, another body
        body = {"amount": amount, "currency": "USD"}
        await rec.call(
            "POST", topup.format(sender["id"]), "operator", status, json=body, headers=key
        )
    big = {"external_id": "u-1", "name": "x" * gateway.svc.settings.max_body_bytes}
    await rec.call("PUT", "/v1/customers", json=big, status=413)
    await rec.call("PUT", "/v1/customers", data="name=Ana", status=415)
    await rec.call("POST", "/v1/quotes", json={"send_currency": "USD"}, status=422)

    async def unavailable(svc, timeout_s: float) -> None:
        raise ConnectionRefusedError

    monkeypatch.setattr(health, "database_answers", unavailable)
    await rec.call("GET", "/readyz", role=None, status=503)
    assert [m for answer in rec.seen for m in mismatches(answer, doc)] == []
    errors = {a.status for a in rec.seen if a.status >= 400}
    assert errors == _error_statuses(_full_document())
    for ops in doc["paths"].values():
        for op in ops.values():
            for status, response in op["responses"].items():
                if int(status) >= 400:
                    assert list(response["content"]) == ["application/problem+json"]

"""The published Mojaloop FSPIOP v2.0 OpenAPI (npm `@mojaloop/api-snippets`, installed by
.ci/run with `npm install --prefix .ci/node @mojaloop/api-snippets`): every request and callback
a test sees is checked against it, body and header parameters. Missing spec: the tests fail in
CI (CI=true) and skip elsewhere, saying how to get it."""

from __future__ import annotations

import functools
import os
import re
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SPEC = (
    ROOT
    / ".ci/node/node_modules/@mojaloop/api-snippets/docs/fspiop-rest-v2.0-openapi3-snippets.yaml"
)
INSTALL = "npm install --prefix .ci/node @mojaloop/api-snippets"


@functools.cache
def spec() -> dict[str, Any]:
    if not SPEC.is_file():
        message = f"FSPIOP OpenAPI missing at {SPEC}: run `{INSTALL}`"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return yaml.safe_load(SPEC.read_text())


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        kind, name = node["$ref"].split("/")[-2:]
        node = spec()["components"][kind][name]
    return node


def _template(path: str) -> tuple[str, dict[str, str]]:
    """The spec's path template matching a concrete FSPIOP path, and its parameters."""
    for template in spec()["paths"]:
        pattern = "^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template) + "$"
        match = re.match(pattern, path)
        if match:
            return template, match.groupdict()
    raise AssertionError(f"{path} is not an FSPIOP path")


def _check(schema: dict[str, Any], value: Any, what: str) -> None:
    validator = jsonschema_rs.validator_for(
        {**schema, "components": spec()["components"]}, validate_formats=False
    )
    errors = [str(e) for e in validator.iter_errors(value)]
    assert not errors, f"{what}: {errors[:3]}"


def validate(method: str, path: str, headers: dict[str, str], body: Any) -> str:
    """Assert that this message is what the spec defines; returns the operation id."""
    template, params = _template(path.split("?")[0])
    item = spec()["paths"][template]
    operation = item.get(method.lower())
    assert operation is not None, f"{method} {template} is not in the FSPIOP API"
    sent = {k.lower(): v for k, v in headers.items()}
    for param in [*item.get("parameters", []), *operation.get("parameters", [])]:
        param = _resolve(param)
        if param["in"] == "header":
            name = param["name"].lower()
            if name in ("content-length",):
                continue
            if param.get("required") and not (name == "content-type" and body is None):
                assert name in sent, f"{method} {path}: header {param['name']} missing"
            if name in sent:
                _check(param.get("schema", {}), sent[name], f"header {param['name']}")
        elif param["in"] == "path":
            _check(param.get("schema", {}), params[param["name"]], f"path {param['name']}")
    request_body = operation.get("requestBody")
    if request_body is None:
        assert body is None, f"{method} {template} takes no body"
    else:
        schema = _resolve(request_body)["content"]["application/json"]["schema"]
        _check(schema, body, f"{method} {template} body")
    return operation["operationId"]

"""Small helpers views share: reading JSON bodies and answering JSON."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from aiohttp import web

from corridors import jsondoc
from gateway.api.appkeys import SERVICES
from gateway.api.problems import Problem
from gateway.domain.callers import Caller
from gateway.errors import field_error
from gateway.services import Services


async def read_json(request: web.Request) -> Any:
    if request.content_type != "application/json":
        raise Problem(
            415, "unsupported-media-type", "Unsupported media type", "send application/json"
        )
    return parse_json_body(await request.read())  # read() enforces client_max_size (413)


def parse_json_body(raw: bytes) -> Any:
    """A JSON document from a request body: strict (no NaN/Infinity, no nesting past the
    stack) and free of what no text column stores (NUL, lone surrogates): corridors.jsondoc."""
    try:
        return jsondoc.loads(raw)
    except jsondoc.BadText as bad:
        raise field_error(bad.path, bad.message) from None
    except ValueError as exc:
        raise Problem(
            400, "malformed-json", "Malformed JSON", f"the body is not JSON: {exc}"
        ) from None


NUL_MESSAGE = jsondoc.NUL_MESSAGE


async def read_form(request: web.Request) -> Any:
    """A form body (urlencoded or multipart), refused 400 when aiohttp cannot read it (a
    multipart body without a boundary or a part without a name, an unknown charset, bytes
    that are not its text) and 422 for a NUL; the console turns either into a page."""
    try:
        form = await request.post()  # post() enforces client_max_size (413)
    except (ValueError, LookupError, AssertionError) as exc:
        raise Problem(
            400, "malformed-form", "Malformed form", f"the form cannot be read: {exc}"[:300]
        ) from None
    refuse_nul_in_form(form)
    return form


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


def reply(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    return web.json_response(body, status=status, headers=headers)


def caller(request: web.Request) -> Caller:
    return request["caller"]


def about_id(
    use_case: Callable[[Services, Caller, str], Awaitable[Any]],
) -> Callable[[web.Request], Awaitable[web.Response]]:
    """The view that answers with what `use_case` makes of the caller and the path's `{id}`."""

    async def view(request: web.Request) -> web.Response:
        svc = request.app[SERVICES]
        return reply(await use_case(svc, caller(request), request.match_info["id"]))

    return view


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

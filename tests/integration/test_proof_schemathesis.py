"""Schemathesis against /openapi.json: generated requests (valid and invalid) to every route of
a gateway served on 127.0.0.1 never get a 5xx, and every 4xx is RFC 9457 problem details."""

from __future__ import annotations

import asyncio
import json
import os
import threading
from collections.abc import Iterator

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable

schemathesis = pytest.importorskip("schemathesis")
from schemathesis.generation.modes import GenerationMode  # noqa: E402

# A deeper hunt: REMIT_FUZZ_EXAMPLES=500 and REMIT_FUZZ_RANDOM=1 (fresh cases each run).
EXAMPLES = int(os.environ.get("REMIT_FUZZ_EXAMPLES", "12"))
# Fixed cases by default, so a CI run is reproducible; a finding is a test to add.
DERANDOMIZE = os.environ.get("REMIT_FUZZ_RANDOM") != "1"
PROBLEM_FIELDS = {"type", "title", "status", "detail"}


class ServedGateway:
    """The real app on a real socket, in a thread with its own loop (schemathesis is sync)."""

    def __init__(self, database_url: str, screener) -> None:
        self.database_url = database_url
        self.screener = screener
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.keys: dict[str, str] = {}
        self.base_url = ""
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        try:
            self.loop.run_until_complete(self._start())
        except BaseException as exc:  # surfaced to the test
            self.error = exc
            self.ready.set()
            return
        self.ready.set()
        self.loop.run_forever()
        self.loop.run_until_complete(self.runner.cleanup())

    async def _start(self) -> None:
        from aiohttp import web

        from corridors.outbound import OutboundRule
        from gateway.app import create_app
        from gateway.config import Settings
        from gateway.services import utc_now
        from gateway.storage.engine import create_engine
        from gateway.storage.keys import create_key
        from gateway.storage.migrate import upgrade_async
        from tests.conftest import add_partner

        await upgrade_async(self.database_url)
        engine = create_engine(self.database_url)
        partner = {"name": "simulator", "base_url": "http://127.0.0.1:9"}
        await add_partner(engine, "sim-ph-wallet", secret="unused", now=utc_now(), **partner)
        async with engine.begin() as conn:
            for role in ("sender-app", "operator"):
                self.keys[role], _ = await create_key(conn, f"st-{role}", role, None, utc_now())
            self.keys["partner"], _ = await create_key(
                conn, "st-partner", "partner", "sim-ph-wallet", utc_now()
            )
        await engine.dispose()
        app = create_app(
            Settings(
                database_url=self.database_url,
                partner_timeout_s=1,
                rates_mode="sample",
                outbound=OutboundRule.development(),
            ),
            run_workers=False,
            screener=self.screener,
            migrate=False,
        )
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        self.base_url = f"http://127.0.0.1:{port}"

    def __enter__(self) -> ServedGateway:
        self.thread.start()
        self.ready.wait(60)
        if self.error is not None:
            raise self.error
        return self

    def __exit__(self, *exc: object) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(30)


@pytest.fixture
def served(database_url, screener) -> Iterator[ServedGateway]:
    with ServedGateway(database_url, screener) as gw:
        yield gw


def check_response(case, response) -> None:
    where = f"{case.method} {case.formatted_path} -> {response.status_code}"
    assert response.status_code < 500, f"{where}: {response.content[:300]!r}"
    if 400 <= response.status_code < 500:
        ctype = response.headers.get("content-type", [""])[0]
        if case.formatted_path.startswith("/console/"):  # people's pages: a refusal page
            assert ctype.startswith("text/html"), f"{where}: {ctype}"
            return
        assert ctype.startswith("application/problem+json"), f"{where}: {ctype}"
        body = json.loads(response.content)
        assert set(body) >= PROBLEM_FIELDS, f"{where}: {body}"
        assert body["status"] == response.status_code, where


def test_no_5xx_and_every_4xx_is_a_problem(served) -> None:
    doc = requests.get(served.base_url + "/openapi.json", timeout=10).json()
    schema = schemathesis.openapi.from_dict(doc)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10
    roles = [*sorted(served.keys), "none"]
    session = requests.Session()
    seen: set[int] = set()

    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @settings(
                max_examples=EXAMPLES,
                derandomize=DERANDOMIZE,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(generation_mode=mode), role=st.sampled_from(roles))
            def run(case, role) -> None:
                headers = dict(case.headers or {})
                if role != "none":
                    headers["Authorization"] = f"Bearer {served.keys[role]}"
                response = case.call(
                    base_url=served.base_url, session=session, headers=headers, timeout=10
                )
                seen.add(response.status_code)
                check_response(case, response)

            try:
                run()
            except Unsatisfiable:
                # Nothing to make invalid (no parameters, no body): positive cases covered it.
                assert mode is GenerationMode.NEGATIVE, operation.label
    # The run reached handlers, not only the auth wall.
    assert any(200 <= code < 300 for code in seen)
    assert seen & {400, 404, 415, 422}

"""A payout partner simulator (push mode) with injected faults, for demos and tests. It speaks
our JSON API (below) and, on the same port, ISO 20022 (corridors/iso20022_simulator.py) and
Mojaloop FSPIOP as a switch (corridors/mojaloop_simulator.py).

It behaves like the partners we fear: slow, failing with 5xx, hanging past the client timeout
*after* recording and paying (the nasty case), refusing permanently, calling back twice or
late. It still keeps the promises a real partner must: signed requests only, and one payment
per idempotency key (same key + same body -> same answer; same key + other body -> 409).

HTTP protocol
- POST /payouts: JSON PayoutInstruction, headers Idempotency-Key (= payout_id),
  X-Remit-Timestamp, X-Remit-Signature: v1=<hex>. 200 {"payout_id", "status":
  "accepted"|"paid"|"failed", "partner_reference", "reason"}; 400 bad request; 401 bad
  signature {"reason": <SignatureError reason>}; 409 key reused with another body; 503 fault
  (error_rate: before recording; late_error_rate: after recording and paying).
- GET /payouts/{idempotency_key}: signed over an empty body; 200 as above, 404 never recorded.
- Callback (when the instruction has callback_url): POST the same status document, signed
  with the same headers, once the payout is final (paid or failed).
- GET /_sim/payouts (unsigned, test aid): {"payouts": {key: {...,"payments": n,
  "protocol": "remit"|"iso20022"|"mojaloop"}},
  "total_payments": n}.
- GET /_sim/statement.csv (unsigned): the partner's statement for `remit reconcile`, one row
  per payment made (a payout paid twice appears twice) and one per failed payout; columns
  payout_id, partner_reference, amount, currency, status.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import hashlib
import io
import json
import random
import time
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

import aiohttp
import structlog
from aiohttp import web

from corridors.signing import SignatureError, signature_headers, verify

log = structlog.get_logger("corridors.simulator")

DEV_SECRET = b"remit-partner-sim-dev-secret"
"""Default shared secret so `remit partner-sim` and `remit demo` work with no setup."""
FAIL_REASONS = ("ACCOUNT_CLOSED", "INVALID_ACCOUNT", "RECIPIENT_LIMIT_EXCEEDED")


@dataclass(frozen=True, slots=True)
class Faults:
    """What can go wrong, and how often. Rates are probabilities in [0, 1], rolled per request
    from a generator seeded with `seed`, so a run is reproducible."""

    latency_ms: int = 0
    error_rate: float = 0.0
    timeout_rate: float = 0.0
    fail_rate: float = 0.0
    duplicate_callback_rate: float = 0.0
    late_callback_ms: int = 0
    seed: int | None = None
    pay_delay_ms: int = 0
    hang_ms: int = 60_000
    """How long a "timeout" answer stalls (it records and pays first)."""
    late_error_rate: float = 0.0
    """Answer 503 *after* recording (and paying): the retry must be deduplicated."""
    lost_callback_rate: float = 0.0
    """Never send the final callback (the Mojaloop case: a status inquiry must settle it)."""

    def __post_init__(self) -> None:
        for name in (
            "error_rate",
            "timeout_rate",
            "fail_rate",
            "duplicate_callback_rate",
            "late_error_rate",
            "lost_callback_rate",
        ):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1")
        for name in ("latency_ms", "late_callback_ms", "pay_delay_ms", "hang_ms"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")

    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
        """Add one --option per field (e.g. --timeout-rate 0.2) to a CLI parser."""
        for f in fields(cls):
            kind = float if "rate" in f.name else int
            parser.add_argument(
                "--" + f.name.replace("_", "-"), type=kind, default=f.default, dest=f.name
            )

    @classmethod
    def from_options(
        cls, options: argparse.Namespace | dict[str, Any] | None = None, **overrides: Any
    ) -> Faults:
        """Faults from an argparse namespace or dict (unknown keys ignored) plus overrides."""
        raw = vars(options) if isinstance(options, argparse.Namespace) else dict(options or {})
        raw.update(overrides)
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in raw.items() if k in names})


@dataclass
class _Payout:
    """What the simulated partner knows about one idempotency key."""

    body_hash: str
    instruction: dict[str, Any]
    status: str
    partner_reference: str
    reason: str | None = None
    payments: int = 0
    requests: int = 1
    callbacks: int = 0
    protocol: str = "remit"
    """How it was instructed, and so how its callback is written: "remit" JSON, "iso20022"."""
    coin_returned: bool = False

    def answer(self) -> dict[str, Any]:
        return {
            "payout_id": self.instruction["payout_id"],
            "status": self.status,
            "partner_reference": self.partner_reference,
            "reason": self.reason,
        }


@dataclass
class _State:
    faults: Faults
    secrets: tuple[bytes, ...]
    clock: Callable[[], float]
    rng: random.Random
    payouts: dict[str, _Payout] = field(default_factory=dict)
    tasks: set[asyncio.Task[None]] = field(default_factory=set)
    closing: asyncio.Event = field(default_factory=asyncio.Event)
    session: aiohttp.ClientSession | None = None
    log: list[dict[str, Any]] = field(default_factory=list)
    """FSPIOP messages in and out (corridors/mojaloop_simulator.py)."""
    coin_return: Callable[[dict[str, Any]], Any] | None = None
    """Gives the coin back on chain for a payout it fails that was settled on chain (its
    instruction names `chain_settlement`); wired by whoever can reach the chain."""

    def roll(self, rate: float) -> bool:
        return rate > 0 and self.rng.random() < rate

    def spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)


STATE = web.AppKey("corridors_simulator_state", _State)


def _error(status: int, reason: str) -> web.Response:
    return web.json_response({"reason": reason}, status=status)


async def _checked_body(request: web.Request, state: _State) -> bytes:
    """Latency fault, then the signature check; raises an HTTP 401 on a bad signature."""
    if state.faults.latency_ms:
        await asyncio.sleep(state.faults.latency_ms / 1000)
    body = await request.read()
    try:
        verify(state.secrets, request.headers, body, state.clock())
    except SignatureError as exc:
        raise web.HTTPUnauthorized(
            text=json.dumps({"reason": exc.reason}), content_type="application/json"
        ) from exc
    return body


async def _create_payout(request: web.Request) -> web.Response:
    state = request.app[STATE]
    body = await _checked_body(request, state)
    key = request.headers.get("Idempotency-Key", "")
    try:
        instruction = json.loads(body)
    except ValueError:
        return _error(400, "bad_json")
    if not key or not isinstance(instruction, dict) or instruction.get("payout_id") != key:
        return _error(400, "idempotency_key_must_equal_payout_id")
    admitted = await admit(state, key, hashlib.sha256(body).hexdigest(), instruction)
    if isinstance(admitted, web.Response):
        return admitted
    return web.json_response(admitted.answer())


async def admit(
    state: _State, key: str, digest: str, instruction: dict[str, Any], protocol: str = "remit"
) -> _Payout | web.Response:
    """The faults and the one-payment-per-key promise every protocol shares: an error before
    recording, a 409 for a key reused with another body, an error or a hang after recording."""
    if state.roll(state.faults.error_rate):
        return _error(503, "simulated_error")  # before recording: nothing happened
    payout = state.payouts.get(key)
    if payout is not None:
        if payout.body_hash != digest:
            return _error(409, "idempotency_conflict")
        payout.requests += 1
    else:
        payout = _record(state, key, digest, instruction, protocol)
    if state.roll(state.faults.late_error_rate):
        return _error(503, "simulated_error_after_recording")
    if state.roll(state.faults.timeout_rate):
        # Recorded (and maybe paid) already; the client gives up before this answer arrives.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(state.closing.wait(), state.faults.hang_ms / 1000)
    return payout


def _record(
    state: _State, key: str, digest: str, instruction: dict[str, Any], protocol: str
) -> _Payout:
    payout = _Payout(
        digest,
        instruction,
        "accepted",
        f"SIM-{uuid.UUID(int=state.rng.getrandbits(128)).hex[:12]}",
        protocol=protocol,
    )
    state.payouts[key] = payout
    if state.roll(state.faults.fail_rate):
        _settle(state, payout, "failed", state.rng.choice(FAIL_REASONS))
    elif state.faults.pay_delay_ms:
        state.spawn(_pay_later(state, payout))
    else:
        _settle(state, payout, "paid")
    log.info("sim.payout", payout_id=key, status=payout.status)
    return payout


def _settle(state: _State, payout: _Payout, status: str, reason: str | None = None) -> None:
    payout.status, payout.reason = status, reason
    if status == "paid":
        payout.payments += 1
    if status == "failed" and state.coin_return and payout.instruction.get("chain_settlement"):
        state.spawn(_give_coin_back(state, payout))
    url = payout.instruction.get("callback_url")
    if url and not state.roll(state.faults.lost_callback_rate):
        copies = 2 if state.roll(state.faults.duplicate_callback_rate) else 1
        if payout.protocol == "mojaloop":
            from corridors.mojaloop_simulator import transfer_callback

            state.spawn(transfer_callback(state, payout, str(url), copies))
        else:
            state.spawn(_callback(state, payout, str(url), copies))


async def _give_coin_back(state: _State, payout: _Payout) -> None:
    assert state.coin_return is not None
    try:
        await state.coin_return(dict(payout.instruction))
        payout.coin_returned = True
        log.info("sim.coin_returned", payout_id=payout.instruction.get("payout_id"))
    except Exception as exc:  # the partner retries by hand; the gateway keeps waiting
        log.warning("sim.coin_return_failed", error=str(exc)[:200])


async def _pay_later(state: _State, payout: _Payout) -> None:
    await asyncio.sleep(state.faults.pay_delay_ms / 1000)
    if payout.status == "accepted":  # a cancelled payout is never paid
        _settle(state, payout, "paid")


async def _callback(state: _State, payout: _Payout, url: str, copies: int) -> None:
    """POST the signed status document `copies` times, after the late-callback delay."""
    if state.faults.late_callback_ms:
        await asyncio.sleep(state.faults.late_callback_ms / 1000)
    assert state.session is not None
    content_type, body = callback_body(state, payout)
    for _ in range(copies):
        headers = {
            "Content-Type": content_type,
            **signature_headers(state.secrets[0], body, state.clock()),
        }
        for attempt in range(3):
            try:
                async with state.session.post(url, data=body, headers=headers) as response:
                    if response.status < 500:
                        payout.callbacks += 1
                        break
            except (aiohttp.ClientError, TimeoutError):
                pass
            await asyncio.sleep(0.05 * 2**attempt)


def callback_body(state: _State, payout: _Payout) -> tuple[str, bytes]:
    if payout.protocol == "iso20022":
        from corridors.iso20022_simulator import status_report

        return "application/xml", status_report(state, payout)
    return "application/json", json.dumps(
        payout.answer(), sort_keys=True, separators=(",", ":")
    ).encode()


async def _payout_asked(request: web.Request) -> _Payout | None:
    """The payout the signed request's path names (None: never received)."""
    state = request.app[STATE]
    await _checked_body(request, state)
    return state.payouts.get(request.match_info["key"])


async def _get_payout(request: web.Request) -> web.Response:
    payout = await _payout_asked(request)
    if payout is None:
        return _error(404, "not_found")
    return web.json_response(payout.answer())


async def _cancel_payout(request: web.Request) -> web.Response:
    """Withdraw a payout not yet paid (200, status cancelled); too late: 409 with its status."""
    payout = await _payout_asked(request)
    if payout is None:
        return _error(404, "not_found")
    if payout.status in ("accepted", "cancelled"):
        payout.status = "cancelled"
        log.info("sim.payout_cancelled", payout_id=request.match_info["key"])
        return web.json_response(payout.answer())
    return web.json_response(payout.answer(), status=409)


async def _list_payouts(request: web.Request) -> web.Response:
    state = request.app[STATE]
    payouts = {
        key: {
            **p.answer(),
            "amount": p.instruction.get("amount"),
            "currency": p.instruction.get("currency"),
            "payments": p.payments,
            "requests": p.requests,
            "callbacks": p.callbacks,
            "protocol": p.protocol,
            "coin_returned": p.coin_returned,
        }
        for key, p in state.payouts.items()
    }
    total = sum(p.payments for p in state.payouts.values())
    return web.json_response({"payouts": payouts, "total_payments": total})


STATEMENT_COLUMNS = ("payout_id", "partner_reference", "amount", "currency", "status")


def statement_csv(payouts: dict[str, _Payout]) -> str:
    """One row per payment, and one per failed payout, as a partner's statement lists them."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(STATEMENT_COLUMNS)
    for key, p in payouts.items():
        base = (
            key,
            p.partner_reference,
            p.instruction.get("amount"),
            p.instruction.get("currency"),
        )
        rows = [(*base, "paid")] * p.payments if p.payments else []
        if p.status == "failed":
            rows.append((*base, "failed"))
        writer.writerows(rows)
    return out.getvalue()


async def _statement(request: web.Request) -> web.Response:
    text = statement_csv(request.app[STATE].payouts)
    return web.Response(text=text, content_type="text/csv")


async def _lifecycle(app: web.Application) -> AsyncIterator[None]:
    state = app[STATE]
    state.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5))
    yield
    for task in list(state.tasks):
        task.cancel()
    await asyncio.gather(*state.tasks, return_exceptions=True)
    await state.session.close()


async def _on_shutdown(app: web.Application) -> None:
    app[STATE].closing.set()  # release hanging "timeout" handlers so shutdown is quick


def create_simulator_app(
    faults: Faults | None = None,
    secret: bytes | Sequence[bytes] = DEV_SECRET,
    *,
    clock: Callable[[], float] = time.time,
    coin_return: Callable[[dict[str, Any]], Any] | None = None,
) -> web.Application:
    """The simulator as an aiohttp app; `secret` may be several (rotation: any verifies,
    the first signs callbacks). `coin_return(instruction)`: how it gives coin back on chain
    for a payout it fails (see `set_coin_return`)."""
    faults = faults or Faults()
    secrets = (secret,) if isinstance(secret, bytes) else tuple(secret)
    app = web.Application()
    app[STATE] = _State(faults, secrets, clock, random.Random(faults.seed))
    app[STATE].coin_return = coin_return
    app.router.add_post("/payouts", _create_payout)
    app.router.add_get("/payouts/{key}", _get_payout)
    app.router.add_post("/payouts/{key}/cancel", _cancel_payout)
    app.router.add_get("/_sim/payouts", _list_payouts)
    app.router.add_get("/_sim/statement.csv", _statement)
    from corridors import iso20022_simulator

    iso20022_simulator.add_routes(app)
    from corridors import mojaloop_simulator

    mojaloop_simulator.add_routes(app)
    app.cleanup_ctx.append(_lifecycle)
    app.on_shutdown.append(_on_shutdown)
    return app


def set_coin_return(app: web.Application, coin_return: Callable[[dict[str, Any]], Any]) -> None:
    """Wire (or rewire) how the simulator gives coin back on chain, once the chain is up."""
    app[STATE].coin_return = coin_return


async def run_simulator(
    host: str = "127.0.0.1",
    port: int = 8081,
    faults: Faults | None = None,
    secret: bytes | Sequence[bytes] = DEV_SECRET,
) -> None:
    """Serve the simulator until cancelled (`remit partner-sim`)."""
    runner = web.AppRunner(create_simulator_app(faults, secret), shutdown_timeout=2)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    log.info("sim.started", host=host, port=port)
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()


def main(argv: Sequence[str] | None = None) -> None:
    """`python -m corridors.simulator --port 8081 --timeout-rate 0.2 ...` for manual runs."""
    parser = argparse.ArgumentParser(description="Payout partner simulator")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--secret", default=DEV_SECRET.decode(), help="shared HMAC secret")
    Faults.add_arguments(parser)
    args = parser.parse_args(argv)
    faults = Faults.from_options(args)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run_simulator(args.host, args.port, faults, args.secret.encode()))


if __name__ == "__main__":
    # Run the imported module, not __main__: the protocol simulators' routes look up this
    # module's app keys (corridors.simulator.STATE), which a second copy would not have.
    from corridors.simulator import main as _main

    _main()

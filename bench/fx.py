"""FX benchmark: firm quotes priced per second, in-process (rate lookup + price).

Run: /work/venv/bin/python bench/fx.py [--seconds 1.0]
Each measurement is a function returning a Figure; main() runs them in order and prints one
table. The baseline (bare Decimal conversion and rounding, the least a quote must do) is measured
in the same run, so figures compare on the same machine and load. The HTTP part (quotes over
POST /v1/quotes from a separate load process) is meant to be added as more functions in
MEASUREMENTS once the gateway exists.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import ROUND_DOWN, Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fx.pricing import FeeSchedule, PricingPolicy, price
from fx.rates import Rate, RateSource, default_rate_source

POLICY = PricingPolicy(
    spread_bps=75,
    fee=FeeSchedule(Decimal("2.99"), Decimal("0.5"), Decimal("3"), Decimal("25")),
    quote_ttl=timedelta(minutes=10),
)
NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)
PAIRS = [("USD", "PHP"), ("USD", "NGN"), ("EUR", "KES"), ("GBP", "INR"), ("USDC", "MXN")]


@dataclass
class Figure:
    name: str
    ops: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.ops / self.seconds

    @property
    def micros(self) -> float:
        return self.seconds / self.ops * 1e6


def _loop(name: str, seconds: float, step: Callable[[int], object]) -> Figure:
    ops, start = 0, time.perf_counter()
    deadline = start + seconds
    while True:
        for _ in range(200):
            step(ops)
            ops += 1
        if time.perf_counter() >= deadline:
            return Figure(name, ops, time.perf_counter() - start)


async def _aloop(name: str, seconds: float, step: Callable[[int], Awaitable[object]]) -> Figure:
    ops, start = 0, time.perf_counter()
    deadline = start + seconds
    while True:
        for _ in range(200):
            await step(ops)
            ops += 1
        if time.perf_counter() >= deadline:
            return Figure(name, ops, time.perf_counter() - start)


def baseline_decimal(seconds: float) -> Figure:
    """Ceiling: one Decimal multiply + quantize, the core of any conversion."""
    amount, rate, q = Decimal("196.01"), Decimal("57.542166"), Decimal("0.01")
    return _loop(
        "baseline: Decimal convert+round",
        seconds,
        lambda i: (amount * rate).quantize(q, rounding=ROUND_DOWN),
    )


def _price_loop(label: str, seconds: float, side: str, amount: Callable[[int], str]) -> Figure:
    mid = Rate("USD", "PHP", Decimal("58.1234"), "ecb", NOW)
    pair = {"send_currency": "USD", "receive_currency": "PHP"}
    return _loop(label, seconds, lambda i: price(POLICY, mid, **pair, **{side: amount(i)}, now=NOW))


def price_send_side(seconds: float) -> Figure:
    return _price_loop(
        "price() send side, rate given", seconds, "send_amount", lambda i: f"{100 + i % 900}.00"
    )


def price_receive_side(seconds: float) -> Figure:
    return _price_loop(
        "price() receive side, rate given",
        seconds,
        "receive_amount",
        lambda i: f"{5000 + i % 50000}",
    )


async def rate_lookup(seconds: float, rates: RateSource) -> Figure:
    async def step(i: int) -> object:
        base, quote = PAIRS[i % len(PAIRS)]
        return await rates.rate(base, quote)

    return await _aloop("rate lookup, default chain (5 pairs)", seconds, step)


async def firm_quote(seconds: float, rates: RateSource) -> Figure:
    async def step(i: int) -> object:
        base, quote = PAIRS[i % len(PAIRS)]
        mid = await rates.rate(base, quote)
        return price(
            POLICY,
            mid,
            send_currency=base,
            receive_currency=quote,
            send_amount=f"{100 + i % 900}",
            now=NOW,
        )

    return await _aloop("firm quote: rate lookup + price", seconds, step)


async def run(seconds: float) -> list[Figure]:
    rates = default_rate_source(clock=lambda: NOW)
    await rates.rate("USD", "PHP")  # load the embedded ECB data outside the timings
    return [
        baseline_decimal(seconds),
        price_send_side(seconds),
        price_receive_side(seconds),
        await rate_lookup(seconds, rates),
        await firm_quote(seconds, rates),
    ]


BARE_QUOTE_SERVER = """
import sys
from decimal import Decimal
from aiohttp import web
async def quote(request):
    body = await request.json()
    amount = Decimal(body["send_amount"])
    return web.json_response(
        {"id": "qt_x", "send_amount": str(amount), "fee": "3.49", "rate": "63.04",
         "receive_amount": str(amount * Decimal("63.04")), "expires_at": "2026-01-01T00:00:00Z"},
        status=201,
    )
app = web.Application()
app.router.add_post("/quotes", quote)
app.router.add_get("/", lambda request: web.json_response({"status": "ok"}))
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None)
"""


def http_quotes(seconds: float, connections: list[int]) -> dict:
    """POST /v1/quotes through `remit serve` (SQLite, workers off) against a bare aiohttp
    handler that parses the same JSON and answers a similar body; load from its own process.

    Each side runs at every connection count; its capacity is its best run. A durable quote
    costs a commit, which group commit shares among the requests waiting for it: with few
    connections the gateway is bound by commit latency, not by its capacity."""
    import tempfile

    from bench.e2e import PY, REMIT, env_with, free_port, load, process, seed, wait_http

    runs: dict[int, dict] = {}
    with tempfile.TemporaryDirectory(prefix="remit-bench-fx-") as tmp:
        work = Path(tmp)
        url = f"sqlite+aiosqlite:///{work / 'fx.db'}"
        keys = asyncio.run(seed(url, "http://127.0.0.1:9"))
        port, bare_port = free_port(), free_port()
        env = env_with(REMIT_DATABASE_URL=url, REMIT_PORT=str(port), REMIT_LOG_LEVEL="warning")
        with process([*REMIT, "serve", "--no-workers"], env, work / "gateway.log") as gw:
            wait_http(f"http://127.0.0.1:{port}/healthz", gw)
            for n in connections:
                args = ["--connections", str(n), "--duration", str(seconds)]
                gateway = load(
                    "quotes",
                    "--url",
                    f"http://127.0.0.1:{port}",
                    "--key",
                    keys["sender-app"],
                    *args,
                )
                runs[n] = {"gateway": gateway["rps"]}
        bare_cmd = [PY, "-c", BARE_QUOTE_SERVER, str(bare_port)]
        with process(bare_cmd, env_with(), work / "bare.log") as proc:
            wait_http(f"http://127.0.0.1:{bare_port}/", proc)
            for n in connections:
                args = ["--connections", str(n), "--duration", str(seconds)]
                runs[n]["bare"] = load("quotes", "--url", f"http://127.0.0.1:{bare_port}", *args)[
                    "rps"
                ]
    gateway_peak = max(r["gateway"] for r in runs.values())
    bare_peak = max(r["bare"] for r in runs.values())
    return {
        "runs": runs,
        "gateway": gateway_peak,
        "bare": bare_peak,
        "share": gateway_peak / bare_peak,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1.0, help="duration of each figure")
    parser.add_argument("--http-seconds", type=float, default=10.0, help="HTTP run duration")
    parser.add_argument(
        "--connections",
        default="16,64",
        help="HTTP load connections, one run per comma-separated count (default 16,64)",
    )
    parser.add_argument("--no-http", action="store_true", help="in-process figures only")
    args = parser.parse_args()
    figures = asyncio.run(run(args.seconds))
    base = figures[0].per_second
    print(f"Python {sys.version.split()[0]}, {args.seconds:.1f} s per figure, one process")
    print(f"{'measurement':<40} {'ops/s':>12} {'us/op':>9} {'vs baseline':>12}")
    for f in figures:
        print(f"{f.name:<40} {f.per_second:>12,.0f} {f.micros:>9.1f} {f.per_second / base:>11.3f}x")
    if args.no_http:
        return
    counts = [int(n) for n in str(args.connections).split(",")]
    http = http_quotes(args.http_seconds, counts)
    print(
        f"\nHTTP, {args.http_seconds:.0f} s per run, load from its own process "
        "(goal: POST /v1/quotes capacity >= 40% of the bare handler's)"
    )
    print(f"{'connections':<16}{'POST /v1/quotes':>18}{'bare handler':>16}{'share':>8}")
    for n, pair in http["runs"].items():
        share = pair["gateway"] / pair["bare"]
        print(f"{n:<16}{pair['gateway']:>14,.0f} r/s{pair['bare']:>12,.0f} r/s{share:>8.1%}")
    print(
        f"{'best of each':<16}{http['gateway']:>14,.0f} r/s{http['bare']:>12,.0f} r/s"
        f"{http['share']:>8.1%}"
    )


if __name__ == "__main__":
    main()

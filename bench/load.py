"""The load client, run in its own process: closed loop over a fixed number of connections for a
fixed duration (optionally paced to an offered rate), printing one JSON object on stdout.

    python -m bench.load remit --url U --key K --senders FILE --connections C --duration S \
        [--rate R]
    python -m bench.load bare  --url U --connections C --duration S
    python -m bench.load quotes --url U [--key K] --connections C --duration S
    python -m bench.load setup --url U --key K --operator-key K2 --count N --out FILE

`remit`: each iteration asks for a firm quote and submits a remittance from it; the accept
latency is that of POST /v1/remittances. Each sender sends at most `--per-sender` remittances
(the AML velocity rule holds a sixth within 24 h), each to its own recipient (fan-in rule)."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
import uuid
from collections.abc import Callable
from typing import Any

import aiohttp

LETTERS = "abcdefghijklmnopqrstuvwxyz"


def letters(n: int) -> str:
    """A name-safe rendering of a number (names take letters only)."""
    out = ""
    while True:
        n, d = divmod(n, 26)
        out += LETTERS[d]
        if n == 0:
            return out.capitalize()


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def session(connections: int) -> aiohttp.ClientSession:
    connector = aiohttp.TCPConnector(limit=connections, force_close=False)
    return aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=30))


async def setup(args: argparse.Namespace) -> dict:
    """Senders with wallets, created concurrently before any measurement."""
    sender_h = {"Authorization": f"Bearer {args.key}"}
    operator_h = {"Authorization": f"Bearer {args.operator_key}"}
    gate = asyncio.Semaphore(args.connections)
    ids: list[str] = [""] * args.count
    async with session(args.connections) as http:

        async def one(i: int) -> None:
            async with gate:
                body = {
                    "external_id": f"{args.prefix}-{i}",
                    "name": f"Sender {letters(i)}",
                    "country": "US",
                    "mobile_number": "+14155550100",
                    "mobile_number_verified": True,
                }
                async with http.put(args.url + "/v1/customers", json=body, headers=sender_h) as r:
                    assert r.status in (200, 201), await r.text()
                    ids[i] = (await r.json())["id"]
                topup = {"amount": args.topup, "currency": "USD"}
                headers = {**operator_h, "Idempotency-Key": f"{args.prefix}-topup-{i}"}
                url = f"{args.url}/v1/customers/{ids[i]}/wallet/topups"
                async with http.post(url, json=topup, headers=headers) as r:
                    assert r.status == 201, await r.text()

        await asyncio.gather(*(one(i) for i in range(args.count)))
    with open(args.out, "w") as fh:
        json.dump(ids, fh)
    return {"senders": len(ids)}


async def remit(args: argparse.Namespace) -> dict:
    with open(args.senders) as fh:
        senders: list[str] = json.load(fh)
    headers = {"Authorization": f"Bearer {args.key}"}
    # Round-robin over the senders, so a sender's sends are a whole round apart (never
    # concurrent, as one person's would not be): their limit checks take the sender's lock.
    slots = [(i, s) for _ in range(args.per_sender) for i, s in enumerate(senders)]
    cursor = iter(range(len(slots)))
    accept_ms: list[float] = []
    created: list[str] = []
    errors: dict[str, int] = {}
    start = time.monotonic()
    end = start + args.duration
    interval = 1.0 / args.rate if args.rate else 0.0
    ticket = iter(range(10**9))

    async with session(args.connections) as http:

        async def loop() -> None:
            while True:
                if interval:  # paced: request n starts no earlier than start + n / rate
                    due = start + next(ticket) * interval
                    if due >= end:
                        return
                    await asyncio.sleep(max(0.0, due - time.monotonic()))
                if time.monotonic() >= end:
                    return
                n = next(cursor, None)
                if n is None:
                    errors["out_of_senders"] = errors.get("out_of_senders", 0) + 1
                    return
                index, sender = slots[n]
                try:
                    await one(index, sender)
                except (TimeoutError, aiohttp.ClientError, AssertionError) as exc:
                    name = type(exc).__name__ + (
                        f" {exc}"[:80] if isinstance(exc, AssertionError) else ""
                    )
                    errors[name] = errors.get(name, 0) + 1

        async def one(index: int, sender: str) -> None:
            quote = {"send_currency": "USD", "receive_currency": "PHP", "send_amount": args.amount}
            async with http.post(args.url + "/v1/quotes", json=quote, headers=headers) as r:
                assert r.status == 201, f"quote {r.status}"
                quote_id = (await r.json())["id"]
            body = {
                "quote_id": quote_id,
                "sender_id": sender,
                "recipient": {"name": f"Recipient {letters(index)}", "phone": f"+63917{index:07d}"},
            }
            h = {**headers, "Idempotency-Key": uuid.uuid4().hex}
            t0 = time.perf_counter()
            async with http.post(args.url + "/v1/remittances", json=body, headers=h) as r:
                payload = await r.read()
                latency = (time.perf_counter() - t0) * 1000
                assert r.status == 201, f"remittance {r.status} {payload[:120]!r}"
            accept_ms.append(latency)
            created.append(json.loads(payload)["id"])

        await asyncio.gather(*(loop() for _ in range(args.connections)))
    elapsed = time.monotonic() - start
    return {
        "connections": args.connections,
        "duration_s": round(elapsed, 2),
        "offered_rate": args.rate,
        "accepted": len(created),
        "accepted_per_s": round(len(created) / elapsed, 1),
        "accept_p50_ms": percentile(accept_ms, 0.50),
        "accept_p99_ms": percentile(accept_ms, 0.99),
        "errors": errors,
        "ids": created,
    }


async def _closed_loop(args: argparse.Namespace, send: Callable[[Any], Any], ok: int) -> dict:
    """`args.connections` clients, each sending its next request when the last one answered,
    for `args.duration` seconds; answers other than `ok` count as errors."""
    count = errors = 0
    start = time.monotonic()
    end = start + args.duration
    async with session(args.connections) as http:

        async def loop() -> None:
            nonlocal count, errors
            while time.monotonic() < end:
                try:
                    async with send(http) as r:
                        await r.read()
                        if r.status == ok:
                            count += 1
                        else:
                            errors += 1
                except aiohttp.ClientError:
                    errors += 1

        await asyncio.gather(*(loop() for _ in range(args.connections)))
    elapsed = time.monotonic() - start
    return {"requests": count, "errors": errors, "rps": round(count / elapsed, 1)}


async def bare(args: argparse.Namespace) -> dict:
    """GET / of a bare aiohttp handler: what the framework alone costs."""
    return await _closed_loop(args, lambda http: http.get(args.url + "/"), 200)


QUOTE_BODY = {"send_currency": "USD", "receive_currency": "PHP", "send_amount": "100.00"}


async def quotes(args: argparse.Namespace) -> dict:
    """POST a quote request in a closed loop: to /v1/quotes, or to a bare handler at /quotes."""
    headers = {"Authorization": f"Bearer {args.key}"} if args.key else {}
    path = "/v1/quotes" if args.key else "/quotes"
    return await _closed_loop(
        args, lambda http: http.post(args.url + path, json=QUOTE_BODY, headers=headers), 201
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=("remit", "bare", "setup", "quotes"))
    parser.add_argument("--url", required=True)
    parser.add_argument("--key")
    parser.add_argument("--operator-key")
    parser.add_argument("--senders", help="JSON list of sender ids (remit), written by setup")
    parser.add_argument("--out", help="setup: where to write the sender ids")
    parser.add_argument("--count", type=int, default=100, help="setup: senders to create")
    parser.add_argument("--topup", default="500.00")
    parser.add_argument("--prefix", default="bench", help="setup: external id prefix")
    parser.add_argument("--per-sender", type=int, default=5)
    parser.add_argument("--amount", default="20.00")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--rate", type=float, default=None, help="offered requests per second")
    args = parser.parse_args()
    run = {"remit": remit, "bare": bare, "setup": setup, "quotes": quotes}[args.mode]
    json.dump(asyncio.run(run(args)), sys.stdout)


if __name__ == "__main__":
    main()

"""The partner simulator's pull mode: a partner that collects payouts from the gateway
(GET /v1/partner/payouts?status=pending), accepts each, pays it and reports the outcome
(POST .../status), with the same injected faults as push mode (fail_rate, duplicate reports
through duplicate_callback_rate, seeded). It only speaks HTTP, so corridors stays free of the
gateway. `payments` counts payments per payout id: a correct gateway never gets one twice."""

from __future__ import annotations

import asyncio
import random
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import structlog

from corridors.simulator import FAIL_REASONS, Faults

log = structlog.get_logger("corridors.pull_agent")


@dataclass
class PullAgent:
    gateway_url: str
    api_key: str
    session: aiohttp.ClientSession
    faults: Faults = field(default_factory=Faults)
    payments: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self.gateway_url = self.gateway_url.rstrip("/")
        self._rng = random.Random(self.faults.seed)

    def _roll(self, rate: float) -> bool:
        return rate > 0 and self._rng.random() < rate

    async def _call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {self.api_key}"}
        url = f"{self.gateway_url}{path}"
        async with self.session.request(method, url, json=body, headers=headers) as resp:
            return resp.status, await resp.json(content_type=None)

    async def run_once(self) -> int:
        """Collect, accept, pay and report every pending payout; returns how many were done."""
        status, listed = await self._call("GET", "/v1/partner/payouts?status=pending")
        if status != 200:
            raise RuntimeError(f"listing payouts failed: HTTP {status}")
        done = 0
        for payout in listed["payouts"]:
            pid = payout["payout_id"]
            status, _ = await self._call("POST", f"/v1/partner/payouts/{pid}/accept")
            if status != 200:
                continue  # taken or settled meanwhile
            if self._roll(self.faults.fail_rate):
                report = {"status": "failed", "reason": self._rng.choice(FAIL_REASONS)}
            else:
                self.payments[pid] += 1
                ref = f"PULL-{uuid.UUID(int=self._rng.getrandbits(128)).hex[:12]}"
                report = {"status": "paid", "partner_reference": ref}
            copies = 2 if self._roll(self.faults.duplicate_callback_rate) else 1
            for _ in range(copies):
                await self._call("POST", f"/v1/partner/payouts/{pid}/status", report)
            log.info("pull.reported", payout_id=pid, status=report["status"])
            done += 1
        return done

    async def run(self, interval_s: float = 1.0) -> None:
        """Poll until cancelled (`remit partner-sim --mode pull`)."""
        while True:
            try:
                await self.run_once()
            except (aiohttp.ClientError, RuntimeError, TimeoutError) as exc:
                log.warning("pull.poll_failed", error=str(exc))
            await asyncio.sleep(interval_s)

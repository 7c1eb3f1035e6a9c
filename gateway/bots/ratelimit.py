"""Per-chat rate limits: a token bucket per chat, timed by the gateway's clock (tests move it).

Kept in process memory: a limit only has to stop one chat flooding one process; the platforms
pin a chat's deliveries to few connections, and a restart forgiving a burst is harmless."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime


@dataclass
class _Bucket:
    tokens: float
    at: datetime
    warned: bool = False


class ChatLimiter:
    def __init__(self, burst: int, per_minute: int, clock: Callable[[], datetime]) -> None:
        self.burst = burst
        self.per_second = per_minute / 60.0
        self.clock = clock
        self._buckets: dict[tuple[str, str], _Bucket] = {}

    def check(self, platform: str, chat_id: str) -> str:
        """ "ok", "warn" (first refusal: tell the user once) or "drop" (stay quiet)."""
        now = self.clock()
        key = (platform, chat_id)
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) > 100_000:
                self._buckets.clear()
            bucket = self._buckets[key] = _Bucket(float(self.burst), now)
        elapsed = max(0.0, (now - bucket.at).total_seconds())
        bucket.tokens = min(float(self.burst), bucket.tokens + elapsed * self.per_second)
        bucket.at = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            bucket.warned = False
            return "ok"
        if bucket.warned:
            return "drop"
        bucket.warned = True
        return "warn"

"""A per-partner circuit breaker: stop hammering a partner that keeps failing.

closed -> (failure_threshold consecutive transient failures) -> open -> (reset_timeout_s) ->
half_open: one trial call; success closes, failure re-opens. While open, `before_call` raises
PartnerUnavailable and nothing is sent, so the gateway can retry the step later.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

State = Literal["closed", "open", "half_open"]


class PartnerUnavailable(Exception):
    """The partner's circuit is open: nothing was sent; try again after `retry_after_s`."""

    def __init__(self, partner_id: str, retry_after_s: float) -> None:
        self.partner_id = partner_id
        self.retry_after_s = retry_after_s
        super().__init__(f"partner {partner_id} unavailable; retry in {retry_after_s:.1f}s")


@dataclass
class CircuitBreaker:
    """Counts consecutive transient failures of one partner; mutable by design, one per partner."""

    partner_id: str = "partner"
    failure_threshold: int = 5
    reset_timeout_s: float = 30.0
    clock: Callable[[], float] = time.monotonic
    _failures: int = field(default=0, init=False)
    _opened_at: float | None = field(default=None, init=False)
    _trial_running: bool = field(default=False, init=False)

    @property
    def state(self) -> State:
        if self._opened_at is None:
            return "closed"
        if self.clock() - self._opened_at >= self.reset_timeout_s:
            return "half_open"
        return "open"

    def before_call(self) -> None:
        """Raise PartnerUnavailable unless a call may go out now."""
        state = self.state
        if state == "closed":
            return
        if state == "half_open" and not self._trial_running:
            self._trial_running = True
            return
        assert self._opened_at is not None
        remaining = self.reset_timeout_s - (self.clock() - self._opened_at)
        raise PartnerUnavailable(self.partner_id, max(remaining, 0.0))

    def record_success(self) -> None:
        self._failures = 0
        self._opened_at = None
        self._trial_running = False

    def record_failure(self) -> None:
        self._failures += 1
        if self._trial_running or self._failures >= self.failure_threshold:
            self._opened_at = self.clock()
        self._trial_running = False

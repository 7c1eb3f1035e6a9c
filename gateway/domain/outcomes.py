"""What a pipeline step decided. The worker commits it; steps never write state themselves.

Plain data on the domain floor: the pipeline returns it and so do the use cases a step asks
(e.g. whether the travel rule holds a transfer), which may not import the pipeline."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.domain.states import Status

# Extra rows written in the same transaction as the transition (e.g. a compliance case).
Effect = Callable[[AsyncConnection], Awaitable[None]]


@dataclass(frozen=True)
class Advance:
    to: Status
    reason: str
    fields: dict[str, Any] = field(default_factory=dict)
    effects: tuple[Effect, ...] = ()
    wait: timedelta | None = None
    """The next step is not due before this (something else wakes it sooner, e.g. the chain
    settler): the worker lets the row go instead of running it at once."""


@dataclass(frozen=True)
class Retry:
    """Try the same step again after `delay` (a partner down, a wallet not yet topped up)."""

    delay: timedelta
    error: str
    fields: dict[str, Any] = field(default_factory=dict)


Outcome = Advance | Retry

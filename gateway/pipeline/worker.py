"""Workers claim due remittances in batches and advance each one. Several workers, in one
process or many, never advance the same remittance twice: a claim is a lease, and a commit
only succeeds while the row is still in the state (and lease) the step started from.

A claimed remittance is chained: while a step lands in another automatic state, the same
transition renews the lease and the worker runs the next step at once, so a remittance that
nothing holds up goes from created to paid_out in one claim (each step still commits, with its
history row, before the next starts). On shutdown a worker stops chaining and releases its
leases, so another process resumes the work without waiting for a lease to expire."""

from __future__ import annotations

import asyncio
import os
import socket
import time
from collections.abc import Sequence
from dataclasses import replace
from datetime import timedelta
from typing import Any

import structlog

from gateway import metrics
from gateway.domain.outcomes import Advance, Outcome, Retry
from gateway.domain.states import Status
from gateway.pipeline.steps import STEPS
from gateway.services import Services
from gateway.storage import remittances as store
from ledger_adapter.sessions import autocommit

log = structlog.get_logger("gateway.pipeline")

ERROR_BACKOFF = timedelta(seconds=1)
# A bound on steps per claim, so a remittance bouncing between states cannot pin a worker.
MAX_CHAIN = 16
PAYOUT_STATES = frozenset({Status.IN_TRANSIT, Status.PAYOUT_PENDING, Status.PAYOUT_UNKNOWN})


class Worker:
    def __init__(self, svc: Services, index: int = 0) -> None:
        self.svc = svc
        self.name = f"{socket.gethostname()}:{os.getpid()}:{index}"
        self._wake = asyncio.Event()
        self._stop: asyncio.Event | None = None

    def wake(self) -> None:
        self._wake.set()

    @property
    def stopping(self) -> bool:
        return self._stop is not None and self._stop.is_set()

    async def run(self, stop: asyncio.Event) -> None:
        """Keep up to `worker_batch` remittances in flight, claiming more as slots free up, so
        one slow remittance (a partner taking its time) never holds back a whole batch."""
        self._stop = stop
        settings = self.svc.settings
        inflight: set[asyncio.Task] = set()
        while not stop.is_set():
            claimed = 0
            inflight = {t for t in inflight if not t.done()}
            free = settings.worker_batch - len(inflight)
            # Claim in chunks (a quarter of the batch at least) unless idle: fewer claim queries.
            if free > 0 and (not inflight or free >= max(1, settings.worker_batch // 4)):
                try:
                    rows = await self.claim(free)
                except Exception:  # the loop must survive a database hiccup
                    log.exception("worker_cycle_failed", worker=self.name)
                    rows = []
                claimed = len(rows)
                inflight |= {asyncio.create_task(self.advance(row)) for row in rows}
            if claimed and claimed == free:
                continue  # there may be more due right now
            self._wake.clear()
            waiters = {asyncio.ensure_future(self._wake.wait()), asyncio.ensure_future(stop.wait())}
            await asyncio.wait(
                waiters | inflight,
                timeout=settings.poll_interval_s,
                return_when=asyncio.FIRST_COMPLETED,
            )
            for w in waiters:
                w.cancel()
        if inflight:  # shutdown: the steps in flight finish and commit (or release their lease)
            await asyncio.gather(*inflight, return_exceptions=True)

    async def claim(self, limit: int) -> Sequence[Any]:
        settings = self.svc.settings
        async with autocommit(self.svc.engine) as conn:  # one UPDATE ... RETURNING
            return await store.claim_due(
                conn, self.name, self.svc.now(), timedelta(seconds=settings.lease_s), limit
            )

    async def run_once(self) -> int:
        """Claim a batch and advance each claimed remittance as far as it goes on its own
        (tests drive the pipeline with this, deterministically)."""
        rows = await self.claim(self.svc.settings.worker_batch)
        if rows:
            await asyncio.gather(*(self.advance(row) for row in rows))
        return len(rows)

    async def advance(self, rem: Any) -> None:
        structlog.contextvars.bind_contextvars(remittance_id=rem.id)
        try:
            for _ in range(MAX_CHAIN):
                rem = await self.step(rem)
                if rem is None:
                    return
                if self.stopping:  # leave the rest to whoever runs next; free the lease now
                    await self.release(rem)
                    return
            await self.release(rem)
        except store.StaleState:
            log.info("step_result_discarded", status=rem.status)
        except Exception:  # a commit that failed: the lease lapses and a later claim retries
            log.exception("advance_failed", status=rem.status)
        finally:
            structlog.contextvars.unbind_contextvars("remittance_id")

    async def step(self, rem: Any) -> Any | None:
        """Run the step for the row's state and commit its outcome. Returns the row, still
        leased, when the next step may follow at once; None when this claim is done."""
        step = STEPS.get(Status(rem.status))
        if step is None:  # nothing automatic to do; drop the schedule
            async with autocommit(self.svc.engine) as conn:
                await store.reschedule(
                    conn, rem.id, lease_owner=self.name, at=None, error=None, count_attempt=False
                )
            return None
        started = time.perf_counter()
        try:
            outcome = await step(self.svc, rem)
        except Exception as exc:
            log.exception("step_failed", status=rem.status)
            metrics.STEP_ERRORS.labels(status=rem.status).inc()
            outcome = Retry(ERROR_BACKOFF * (2 ** min(rem.attempts, 6)), repr(exc))
        following = await self.commit(rem, outcome)
        result = "advance" if isinstance(outcome, Advance) else "retry"
        metrics.STEP_SECONDS.labels(status=rem.status, result=result).observe(
            time.perf_counter() - started
        )
        self.count(rem, outcome)
        return following

    async def commit(self, rem: Any, outcome: Outcome) -> Any | None:
        now = self.svc.now()
        lease = timedelta(seconds=self.svc.settings.lease_s)
        relock_until = None if self.stopping else now + lease
        following = None
        if isinstance(outcome, Advance) and outcome.wait is not None:
            relock_until = None  # not due yet: the row goes back, to be woken or claimed later
            fields = {**outcome.fields, "next_attempt_at": now + outcome.wait}
            outcome = replace(outcome, fields=fields)
        batch = self.svc.transition_batch
        if batch is not None and isinstance(outcome, Advance) and not outcome.effects:
            wanted = store.LeasedTransition(
                remittance_id=rem.id,
                frm=rem.status,
                to=outcome.to.value,
                now=now,
                reason=outcome.reason,
                lease_owner=self.name,
                relock_until=relock_until,
                fields=outcome.fields,
            )
            row = await batch(wanted)  # with other workers' transitions, one statement
            log.info("transition", frm=rem.status, to=outcome.to.value)
            return row if row.lease_owner == self.name else None
        # A transition (one statement on PostgreSQL) or a reschedule stands alone; effects
        # must land with the transition, in one transaction.
        alone = not (isinstance(outcome, Advance) and outcome.effects)
        async with autocommit(self.svc.engine) if alone else self.svc.engine.begin() as conn:
            if isinstance(outcome, Advance):
                row = await store.transition(
                    conn,
                    rem.id,
                    rem.status,
                    outcome.to,
                    now=now,
                    reason=outcome.reason,
                    lease_owner=self.name,
                    relock_until=relock_until,
                    **outcome.fields,
                )
                for effect in outcome.effects:
                    await effect(conn)
                if row.lease_owner == self.name:
                    following = row
            else:
                await store.reschedule(
                    conn,
                    rem.id,
                    lease_owner=self.name,
                    at=now + outcome.delay,
                    error=outcome.error,
                    **outcome.fields,
                )
        if isinstance(outcome, Advance):
            log.info("transition", frm=rem.status, to=outcome.to.value)
        return following

    async def release(self, rem: Any) -> None:
        """Give a still-leased row back, due now, without counting an attempt."""
        async with autocommit(self.svc.engine) as conn:
            await store.reschedule(
                conn,
                rem.id,
                lease_owner=self.name,
                at=self.svc.now(),
                error=None,
                count_attempt=False,
            )

    @staticmethod
    def count(rem: Any, outcome: Outcome) -> None:
        frm = Status(rem.status)
        if isinstance(outcome, Retry):
            if frm in PAYOUT_STATES and outcome.error.startswith("partner unavailable"):
                metrics.PARTNER_ERRORS.labels(partner=rem.partner_id, kind="unavailable").inc()
            return
        metrics.TRANSITIONS.labels(frm=frm.value, to=outcome.to.value).inc()
        if frm in PAYOUT_STATES and outcome.to == Status.PAYOUT_UNKNOWN:
            metrics.PARTNER_ERRORS.labels(partner=rem.partner_id, kind="timeout").inc()
        elif frm in PAYOUT_STATES and outcome.to == Status.FAILED:
            metrics.PARTNER_ERRORS.labels(partner=rem.partner_id, kind="failed").inc()
        elif frm == Status.SCREENING and outcome.to == Status.ON_HOLD:
            metrics.SCREENING_HITS.labels(reason=metrics.screening_reason(outcome.reason)).inc()

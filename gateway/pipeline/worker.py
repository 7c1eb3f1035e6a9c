"""Workers claim due remittances in batches and advance each one. Several workers, in one
process or many, never advance the same remittance twice: a claim is a lease, and a commit
only succeeds while the row is still in the state (and lease) the step started from.

A claimed remittance is chained: while a step lands in another automatic state, the same
transition renews the lease and the worker runs the next step at once, so a remittance that
nothing holds up goes from created to paid_out in one claim. Steps that never leave the
gateway run as one fused run (`steps.goes_on`) committed once, with every history row; a
commit comes before any step that may leave it (a partner call, the chain), and the runs of
the remittances a worker has in flight commit together, one transaction per batch. On
shutdown a worker stops chaining and releases its leases, so another process resumes the
work without waiting for a lease to expire."""

from __future__ import annotations

import asyncio
import os
import socket
import time
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import structlog

from gateway import metrics
from gateway.domain.outcomes import Advance, Outcome, Retry
from gateway.domain.states import Status
from gateway.pipeline.common import Step
from gateway.pipeline.steps import STEPS, goes_on
from gateway.services import Services
from gateway.storage import remittances as store
from ledger_adapter.sessions import autocommit

log = structlog.get_logger("gateway.pipeline")

ERROR_BACKOFF = timedelta(seconds=1)
# A bound on steps per claim, so a remittance bouncing between states cannot pin a worker.
MAX_CHAIN = 16
PAYOUT_STATES = frozenset({Status.IN_TRANSIT, Status.PAYOUT_PENDING, Status.PAYOUT_UNKNOWN})


class Ahead:
    """A claimed row as the uncommitted moves of a run leave it: what the run's next step
    reads (attributes, or `_mapping`, like a row)."""

    def __init__(self, row: Any, values: dict[str, Any]) -> None:
        self._mapping = {**row._mapping, **values}

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["_mapping"][name]
        except KeyError:
            raise AttributeError(name) from None


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
            steps = 0
            while steps < MAX_CHAIN:
                rem, ran = await self.fused(rem, MAX_CHAIN - steps)
                steps += ran
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
        """Run the step for the row's state alone and commit its outcome. Returns the row,
        still leased, when the next step may follow at once; None when this claim is done."""
        return (await self.fused(rem, 1))[0]

    async def fused(self, rem: Any, budget: int = MAX_CHAIN) -> tuple[Any | None, int]:
        """Run the steps from the row's state while they fuse (`steps.goes_on`: nothing
        leaves the gateway between them), at most `budget`, on the row as the run's moves
        leave it, and commit the run once: every move with its history row, or none. Returns
        the committed row, still leased, when the next step may follow at once (else None),
        and how many steps ran."""
        ahead, ran, passed, fields = rem, [], [], {}
        while True:
            status = Status(ahead.status)
            step = STEPS.get(status)
            if step is None:  # nothing automatic to do; drop the schedule (a run's start only)
                async with autocommit(self.svc.engine) as conn:
                    await store.reschedule(
                        conn,
                        rem.id,
                        lease_owner=self.name,
                        at=None,
                        error=None,
                        count_attempt=False,
                    )
                return None, 1
            ran.append(status)
            outcome = await self.timed(step, ahead)
            more = isinstance(outcome, Advance) and len(ran) < budget and not self.stopping
            if not (more and goes_on(ran, outcome)):
                return await self.commit(rem, passed, fields, outcome), len(ran)
            passed.append((outcome.to.value, outcome.reason))
            fields.update(outcome.fields)
            moved = {"status": outcome.to.value, "attempts": 0, "last_error": None}
            ahead = Ahead(ahead, {**fields, **moved})

    async def timed(self, step: Step, rem: Any) -> Outcome:
        started = time.perf_counter()
        try:
            outcome = await step(self.svc, rem)
        except Exception as exc:
            log.exception("step_failed", status=rem.status)
            metrics.STEP_ERRORS.labels(status=rem.status).inc()
            outcome = Retry(ERROR_BACKOFF * (2 ** min(rem.attempts, 6)), repr(exc))
        result = "advance" if isinstance(outcome, Advance) else "retry"
        metrics.STEP_SECONDS.labels(status=rem.status, result=result).observe(
            time.perf_counter() - started
        )
        self.count(rem, outcome)
        return outcome

    async def commit(
        self, rem: Any, passed: list[tuple[str, str]], fields: dict, outcome: Outcome
    ) -> Any | None:
        """Commit a run: the moves `passed` (state, reason) from the row's state, then the last
        step's outcome, in one write with a history row per move; a Retry after moves retries
        the last state's step later, in the same write."""
        now = self.svc.now()
        if isinstance(outcome, Retry) and not passed:
            async with autocommit(self.svc.engine) as conn:  # one statement
                await store.reschedule(
                    conn,
                    rem.id,
                    lease_owner=self.name,
                    at=now + outcome.delay,
                    error=outcome.error,
                    **outcome.fields,
                )
            return None
        lease = timedelta(seconds=self.svc.settings.lease_s)
        relock_until = None if self.stopping else now + lease
        effects: tuple = ()
        if isinstance(outcome, Advance):
            through = tuple(passed)
            to, reason, effects = outcome.to.value, outcome.reason, outcome.effects
            fields = {**fields, **outcome.fields}
            if outcome.wait is not None:
                relock_until = None  # not due yet: the row goes back, to be woken or claimed later
                fields["next_attempt_at"] = now + outcome.wait
        else:  # the moves commit; the state they reached tries its step again later
            through, (to, reason) = tuple(passed[:-1]), passed[-1]
            relock_until = None
            retry = {"next_attempt_at": now + outcome.delay, "last_error": outcome.error[:300]}
            fields = {**fields, **retry, "attempts": 1, **outcome.fields}
        wanted = store.LeasedTransition(
            rem.id, rem.status, to, now, reason, self.name, relock_until, fields, through, effects
        )
        row = await self.svc.transition_batch(wanted)  # with other runs, one transaction
        for frm, moved, _ in wanted.moves():
            log.info("transition", frm=frm, to=moved)
        if isinstance(outcome, Advance) and row.lease_owner == self.name:
            return row
        return None

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

"""Workers claim due remittances, run one step each and commit the outcome. Several workers, in
one process or many, never advance the same remittance twice: a claim is a lease, and a commit
only succeeds while the row is still in the state (and lease) the step started from."""

from __future__ import annotations

import asyncio
import os
import socket
from datetime import timedelta

import structlog

from gateway.domain.states import Status
from gateway.pipeline.outcomes import Advance, Outcome, Retry
from gateway.pipeline.steps import STEPS
from gateway.services import Services
from gateway.storage import remittances as store

log = structlog.get_logger("gateway.pipeline")

ERROR_BACKOFF = timedelta(seconds=1)


class Worker:
    def __init__(self, svc: Services, index: int = 0) -> None:
        self.svc = svc
        self.name = f"{socket.gethostname()}:{os.getpid()}:{index}"
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        settings = self.svc.settings
        while not stop.is_set():
            try:
                done = await self.run_once()
            except Exception:  # the loop must survive a database hiccup
                log.exception("worker_cycle_failed", worker=self.name)
                done = 0
            if done:
                continue
            self._wake.clear()
            waiters = [asyncio.ensure_future(self._wake.wait()), asyncio.ensure_future(stop.wait())]
            await asyncio.wait(
                waiters, timeout=settings.poll_interval_s, return_when=asyncio.FIRST_COMPLETED
            )
            for w in waiters:
                w.cancel()

    async def run_once(self) -> int:
        """Claim a batch and advance each claimed remittance by one step."""
        settings = self.svc.settings
        now = self.svc.now()
        async with self.svc.engine.begin() as conn:
            rows = await store.claim_due(
                conn, self.name, now, timedelta(seconds=settings.lease_s), settings.worker_batch
            )
        if rows:
            await asyncio.gather(*(self.advance(row) for row in rows))
        return len(rows)

    async def advance(self, rem) -> None:
        structlog.contextvars.bind_contextvars(remittance_id=rem.id)
        try:
            step = STEPS.get(Status(rem.status))
            if step is None:  # nothing automatic to do; drop the schedule
                async with self.svc.engine.begin() as conn:
                    await store.reschedule(
                        conn,
                        rem.id,
                        lease_owner=self.name,
                        at=None,
                        error=None,
                        count_attempt=False,
                    )
                return
            try:
                outcome = await step(self.svc, rem)
            except Exception as exc:
                log.exception("step_failed", status=rem.status)
                outcome = Retry(ERROR_BACKOFF * (2 ** min(rem.attempts, 6)), repr(exc))
            await self.commit(rem, outcome)
        except store.StaleState:
            log.info("step_result_discarded", status=rem.status)
        finally:
            structlog.contextvars.unbind_contextvars("remittance_id")

    async def commit(self, rem, outcome: Outcome) -> None:
        now = self.svc.now()
        async with self.svc.engine.begin() as conn:
            if isinstance(outcome, Advance):
                await store.transition(
                    conn,
                    rem.id,
                    rem.status,
                    outcome.to,
                    now=now,
                    reason=outcome.reason,
                    lease_owner=self.name,
                    **outcome.fields,
                )
                for effect in outcome.effects:
                    await effect(conn)
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

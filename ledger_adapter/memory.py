"""InMemoryLedger: the reference model. Dicts, no I/O, no awaits inside a batch (so atomic)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from . import core
from .audit import balance_findings
from .chain import GENESIS, chain_hash
from .port import (
    Account,
    AccountConflict,
    AccountNotFound,
    Balance,
    Transfer,
)


def to_us(when: datetime) -> int:
    """Aware datetime -> integer microseconds since the epoch (how times are stored)."""
    if when.tzinfo is None:
        raise ValueError("naive datetime; pass an aware (UTC) one")
    delta = when - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def utcnow() -> datetime:
    return datetime.now(UTC)


class InMemoryLedger(core.Engine):
    """Same semantics as SqlLedger (shared `core` rules); used as the model in tests."""

    def __init__(self, clock: Callable[[], datetime] = utcnow) -> None:
        self._clock = clock
        self._accounts: dict[str, tuple[Account, Balance]] = {}
        self._transfers: dict[str, Transfer] = {}
        self._journal: list[Transfer] = []
        self._resolved: dict[str, str] = {}
        self._failures: dict[str, core.Failure] = {}

    async def create_accounts(self, accounts: Sequence[Account]) -> None:
        for acc in accounts:
            core.validate_account(acc)
        fresh: dict[str, Account] = {}
        for acc in accounts:
            have = self._accounts.get(acc.id, (fresh.get(acc.id), None))[0]
            if have is not None and (have.asset, int(have.flags)) != (acc.asset, int(acc.flags)):
                raise AccountConflict(f"account {acc.id} exists as {have}", account_id=acc.id)
            if have is None:
                fresh[acc.id] = acc
        for acc in fresh.values():
            self._accounts[acc.id] = (acc, Balance())

    async def execute(self, ops: Sequence[core.Op]) -> int:
        """Apply a linked batch of transfers, posts and voids; returns how many were new."""
        core.validate_shape(ops)
        state = core.State(self._accounts, self._transfers, self._resolved, self._failures)
        plan = core.plan(ops, state, to_us(self._clock()))
        if plan.error is not None:
            for f in plan.failures:
                self._failures[f.id] = f
            raise plan.error
        head = self._journal[-1].hash if self._journal else GENESIS
        for t in core.with_chain(plan.new, len(self._journal), head, chain_hash):
            self._journal.append(t)
            self._transfers[t.id] = t
            if t.pending_id is not None:
                self._resolved[t.pending_id] = t.id
        for aid, (dp, cp, dpend, cpend) in plan.deltas.items():
            acc, b = self._accounts[aid]
            self._accounts[aid] = (
                acc,
                Balance(
                    b.debits_posted + dp,
                    b.credits_posted + cp,
                    b.debits_pending + dpend,
                    b.credits_pending + cpend,
                ),
            )
        return len(plan.new)

    async def balance(self, account_id: str) -> Balance:
        try:
            return self._accounts[account_id][1]
        except KeyError:
            raise AccountNotFound(
                f"account {account_id} not found", account_id=account_id
            ) from None

    async def balances(self, prefix: str = "") -> dict[str, tuple[str, Balance]]:
        return {
            aid: (acc.asset, b)
            for aid, (acc, b) in sorted(self._accounts.items())
            if aid.startswith(prefix)
        }

    async def history(self, account_id: str) -> list[Transfer]:
        await self.balance(account_id)
        return [t for t in self._journal if account_id in (t.debit_account, t.credit_account)]

    async def get_transfer(self, id: str) -> Transfer | None:
        return (await self.get_transfers([id])).get(id)

    async def get_transfers(self, ids: Sequence[str]) -> dict[str, Transfer]:
        wanted = set(ids)
        return {t.id: t for t in self._journal if t.id in wanted}

    async def check(self) -> list[str]:
        findings = balance_findings(self._accounts.values())
        head = GENESIS
        for t in self._journal:
            head = chain_hash(head, t)
            if head != t.hash:
                findings.append(f"chain broken at seq {t.seq} ({t.id})")
                break
        return findings

    async def sweep_expired(self, now: datetime | None = None) -> int:
        now_us = to_us(now or self._clock())
        expired = [
            t.id
            for t in self._journal
            if t.kind == "pending"
            and t.expires_us is not None
            and t.expires_us <= now_us
            and t.id not in self._resolved
        ]
        done = 0
        for pid in expired:
            done += await self.execute([core.VoidOp(expiry_id(pid), pid)])
        return done


def expiry_id(pending_id: str) -> str:
    """The sweeper's void id: deterministic, so two sweepers void a pending once."""
    if len(pending_id) <= core.MAX_ID - 10:
        return f"expire:{pending_id}"
    return "expire:#" + hashlib.sha256(pending_id.encode()).hexdigest()[:40]

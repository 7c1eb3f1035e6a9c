"""SqlLedger: the default engine, on SQLite (aiosqlite) or PostgreSQL (asyncpg).

Writers lock the chain head row `ledger_anchor` (it serialises appends to the hash chain),
then the accounts they touch in id order (SELECT ... FOR UPDATE on PostgreSQL); every writer
takes the locks in that order, so none can deadlock. Concurrent callers' batches share one
transaction (`.grouping`), each decided on the state its predecessors left: on PostgreSQL in
four round trips (`ledger_adapter.pg`); on SQLite, which serialises writers anyway, under an
asyncio.Lock per engine plus BEGIN IMMEDIATE, which keep concurrent tasks from deadlocking on
lock upgrades.
"""

from __future__ import annotations

import asyncio
import json
import weakref
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

import asyncpg
from sqlalchemy import func, insert, select, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from . import core, pg
from .audit import balance_findings
from .chain import GENESIS, anchor_mac, chain_hash, verify_anchor
from .grouping import BatchGroup
from .memory import expiry_id, to_us, utcnow
from .port import (
    Account,
    AccountConflict,
    AccountFlags,
    AccountNotFound,
    Balance,
    PendingAlreadyResolved,
    Transfer,
    TransferSpec,
)
from .sessions import reading, use_immediate_transactions
from .tables import TABLES, LedgerAccount, LedgerAnchor, LedgerFailure, LedgerTransfer

A = LedgerAccount.__table__
T = LedgerTransfer.__table__
F = LedgerFailure.__table__
N = LedgerAnchor.__table__

RETRYABLE_SQLSTATES = {"40001", "40P01"}
ATTEMPTS = 8
_TRANSFER_COLUMNS = pg.TRANSFER_COLUMNS

_JSON_TRANSFER = "json_object(" + ", ".join(f"'{c}', {c}" for c in _TRANSFER_COLUMNS) + ")"
_SQLITE_LOAD_TAIL = f"""
UNION ALL
SELECT 'h', json_array(seq, hash) FROM ledger_anchor WHERE id = 1
UNION ALL
SELECT 't', {_JSON_TRANSFER} FROM ledger_transfers
    WHERE id IN (SELECT value FROM json_each(:keys))
UNION ALL
SELECT 'f', json_array(id, body, error, message, culprit) FROM ledger_failures
    WHERE id IN (SELECT value FROM json_each(:ids))
"""
_SQLITE_ACCOUNT = (
    "SELECT 'a', json_array(id, asset, flags, debits_posted, credits_posted, debits_pending,"
    " credits_pending) FROM ledger_accounts WHERE id IN "
)
_SQLITE_LOAD = text(_SQLITE_ACCOUNT + "(SELECT value FROM json_each(:aids))" + _SQLITE_LOAD_TAIL)
_SQLITE_LOAD_PENDING = text(
    _SQLITE_ACCOUNT
    + """(
    SELECT value FROM json_each(:aids)
    UNION SELECT debit_account FROM ledger_transfers
        WHERE id IN (SELECT value FROM json_each(:pids))
    UNION SELECT credit_account FROM ledger_transfers
        WHERE id IN (SELECT value FROM json_each(:pids))
)"""
    + _SQLITE_LOAD_TAIL
    + f"""UNION ALL
SELECT 't', {_JSON_TRANSFER} FROM ledger_transfers
    WHERE pending_id IN (SELECT value FROM json_each(:pids))
"""
)
#: The head's seq, and whether any of the ids was applied or refused before.
_SQLITE_PROBE = text(
    """SELECT (SELECT seq FROM ledger_anchor WHERE id = 1),
    EXISTS (SELECT 1 FROM ledger_transfers WHERE id IN (SELECT value FROM json_each(:ids)))
    OR EXISTS (SELECT 1 FROM ledger_failures WHERE id IN (SELECT value FROM json_each(:ids)))"""
)
_SQLITE_INSERT = (
    f"INSERT INTO ledger_transfers ({', '.join(_TRANSFER_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in _TRANSFER_COLUMNS)})"
)
_SQLITE_ADD = (
    "UPDATE ledger_accounts SET debits_posted = debits_posted + ?, "
    "credits_posted = credits_posted + ?, debits_pending = debits_pending + ?, "
    "credits_pending = credits_pending + ? WHERE id = ?"
)

_sqlite_locks: weakref.WeakKeyDictionary[Any, asyncio.Lock] = weakref.WeakKeyDictionary()


async def create_tables(engine: AsyncEngine) -> None:
    """Create only the ledger's tables (other packages share SQLModel.metadata)."""
    async with engine.begin() as conn:
        await conn.run_sync(lambda sync: TABLES[0].metadata.create_all(sync, tables=TABLES))


def _row_to_transfer(r: Any) -> Transfer:
    return Transfer(
        id=r.id,
        kind=r.kind,
        debit_account=r.debit_account,
        credit_account=r.credit_account,
        amount=r.amount,
        asset=r.asset,
        pending_id=r.pending_id,
        timeout_s=r.timeout_s,
        expires_us=r.expires_us,
        code=r.code,
        created_us=r.created_us,
        seq=r.seq,
        hash=r.hash,
    )


def _row_to_account(r: Any) -> tuple[Account, Balance]:
    return (
        Account(r.id, r.asset, AccountFlags(r.flags)),
        Balance(r.debits_posted, r.credits_posted, r.debits_pending, r.credits_pending),
    )


def _transfer_row(t: Transfer) -> dict[str, Any]:
    return {
        "seq": t.seq,
        "id": t.id,
        "kind": t.kind,
        "debit_account": t.debit_account,
        "credit_account": t.credit_account,
        "amount": t.amount,
        "asset": t.asset,
        "pending_id": t.pending_id,
        "timeout_s": t.timeout_s,
        "expires_us": t.expires_us,
        "code": t.code,
        "created_us": t.created_us,
        "hash": t.hash,
    }


def _retryable(exc: Exception) -> bool:
    if not isinstance(exc, DBAPIError):
        return pg.retryable(exc)  # the PostgreSQL write path raises asyncpg's own errors
    if isinstance(exc, IntegrityError):
        return True  # a concurrent writer took the id first: re-read and decide again
    orig = exc.orig
    code = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    # SQLite: another process held the database past the busy timeout
    return code in RETRYABLE_SQLSTATES or "database is locked" in str(orig)


def _consume(task: asyncio.Future[Any]) -> None:
    """Retrieve a shielded task's outcome so an abandoned one logs no warning."""
    if not task.cancelled():
        task.exception()


class SqlLedger(core.Engine):
    """The ledger port on SQL. `hmac_key` (from REMIT_LEDGER_HMAC_KEY) anchors the chain head."""

    def __init__(
        self,
        engine: AsyncEngine,
        hmac_key: bytes | None = None,
        *,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.engine = engine
        self._key = hmac_key or None
        self._clock = clock
        # Writes: concurrent batches share a transaction (.grouping): on PostgreSQL through
        # ledger_adapter.pg, on SQLite under one writer per engine at a time (_execute_group).
        self._lock: asyncio.Lock | None = None
        self._known = core.KnownState()
        if engine.dialect.name == "postgresql":
            self._group = BatchGroup(self._run_group)
        elif engine.dialect.name == "sqlite":
            use_immediate_transactions(engine)
            self._lock = _sqlite_locks.setdefault(engine.sync_engine, asyncio.Lock())
            self._group = BatchGroup(self._run_group_sqlite)
        else:
            raise ValueError(f"SqlLedger runs on SQLite or PostgreSQL, not {engine.dialect.name}")

    # -- transactions -------------------------------------------------------------------

    @asynccontextmanager
    async def _write(self) -> AsyncIterator[AsyncConnection]:
        """A write transaction: serialised per engine on SQLite, plain on PostgreSQL."""
        if self._lock is None:
            async with self.engine.begin() as conn:
                yield conn
            return
        async with self._lock, self.engine.begin() as conn:
            yield conn

    @asynccontextmanager
    async def _snapshot(self) -> AsyncIterator[AsyncConnection]:
        """A consistent read of the whole ledger (for check)."""
        if self._lock is not None:
            async with self._write() as conn:
                yield conn
            return
        async with self.engine.connect() as conn:
            conn = await conn.execution_options(isolation_level="REPEATABLE READ")
            async with conn.begin():
                yield conn

    async def _retrying(self, fn: Callable[[], Any]) -> Any:
        """Run a write transaction to its end even if the caller is cancelled.

        A cancelled await inside a transaction can leave the driver connection half-open
        (on SQLite: holding the write lock); shielding lets it commit or roll back cleanly.
        The caller still sees CancelledError, and a retry is an idempotent no-op.
        """
        task = asyncio.ensure_future(self._attempts(fn))
        task.add_done_callback(_consume)
        return await asyncio.shield(task)

    async def _run_group(self, batches: list[Sequence[core.Op]]) -> list[core.Plan]:
        return await self._attempts(
            lambda: pg.execute_group(
                self.engine, batches, to_us(self._clock()), self._key, self._known
            )
        )

    async def _run_group_sqlite(self, batches: list[Sequence[core.Op]]) -> list[core.Plan]:
        return await self._attempts(lambda: self._execute_group(batches))

    async def _attempts(self, fn: Callable[[], Any]) -> Any:
        for attempt in range(ATTEMPTS):
            try:
                return await fn()
            except (DBAPIError, asyncpg.PostgresError) as exc:
                if attempt == ATTEMPTS - 1 or not _retryable(exc):
                    raise
        raise AssertionError("unreachable")

    # -- accounts -----------------------------------------------------------------------

    async def create_accounts(self, accounts: Sequence[Account]) -> None:
        for acc in accounts:
            core.validate_account(acc)
        if accounts:
            await self._retrying(lambda: self._create_accounts(accounts))

    async def _create_accounts(self, accounts: Sequence[Account]) -> None:
        wanted: dict[str, Account] = {}
        for acc in accounts:
            have = wanted.setdefault(acc.id, acc)
            if (have.asset, int(have.flags)) != (acc.asset, int(acc.flags)):
                raise AccountConflict(f"account {acc.id} given twice", account_id=acc.id)
        async with self._write() as conn:
            rows = await conn.execute(select(A).where(A.c.id.in_(list(wanted))))
            for r in rows:
                acc = wanted.pop(r.id)
                if (r.asset, r.flags) != (acc.asset, int(acc.flags)):
                    raise AccountConflict(
                        f"account {acc.id} exists with asset {r.asset}, flags {r.flags}",
                        account_id=acc.id,
                    )
            if wanted:
                await conn.execute(
                    insert(A),
                    [
                        {"id": a.id, "asset": a.asset, "flags": int(a.flags)}
                        for a in wanted.values()
                    ],
                )

    # -- transfers ----------------------------------------------------------------------

    async def execute(self, ops: Sequence[core.Op]) -> int:
        """Apply a linked batch of transfers, posts and voids; returns how many were new."""
        core.validate_shape(ops)
        if not ops:
            return 0
        plan = await self._group.submit(ops)
        if plan.error is not None:
            raise plan.error
        return len(plan.new)

    async def _execute_group(self, batches: Sequence[Sequence[core.Op]]) -> list[core.Plan]:
        """SQLite: several linked batches in one transaction, one plan per batch, each decided
        on the state its predecessors left (`core.decide_group`)."""
        now_us = to_us(self._clock())
        ops = [op for batch in batches for op in batch]
        try:
            async with self._write() as conn:  # under the database lock from here
                state = await self._known_state_sqlite(conn, ops)
                if state is not None:
                    head = self._known.head
                else:
                    head, state = await self._load_sqlite(conn, ops)
                plans, new = await self._apply_sqlite(conn, batches, state, head, now_us)
        except BaseException:
            self._known.forget()
            raise
        self._known.learn(head, core.chain_end(new, head), state.accounts)
        return plans

    async def _known_state_sqlite(
        self, conn: AsyncConnection, ops: Sequence[core.Op]
    ) -> core.State | None:
        """The remembered balances, if the head has not moved and the ids are new: one
        probe instead of reading every account the batch touches."""
        state = self._known.state_for(ops)
        if state is None:
            return None
        head, seen = (
            await conn.execute(_SQLITE_PROBE, {"ids": json.dumps([op.id for op in ops])})
        ).one()
        if self._known.head is None or head != self._known.head[0] or seen:
            self._known.miss()
            return None
        return state

    async def _apply_sqlite(
        self,
        conn: AsyncConnection,
        batches: Sequence[Sequence[core.Op]],
        state: core.State,
        head: tuple[int, str] | None,
        now_us: int,
    ) -> tuple[list[core.Plan], list[Transfer]]:
        """Decide the batches and write their rows and refusals; `state` ends as written."""
        plans, new, failures, deltas = core.decide_group(batches, state, now_us)
        if failures:
            await conn.execute(
                insert(F),
                [
                    {
                        "id": f.id,
                        "body": f.body,
                        "error": f.error,
                        "message": f.message[:1024],
                        "culprit": f.culprit,
                        "created_us": now_us,
                    }
                    for f in failures
                ],
            )
        if new:
            await self._append(conn, new, deltas, head)
        return plans, new

    async def _load_sqlite(
        self, conn: AsyncConnection, ops: Sequence[core.Op]
    ) -> tuple[tuple[int, str] | None, core.State]:
        """The whole read in one statement (head, accounts, earlier ids) as JSON documents."""
        ids = [op.id for op in ops]
        pids = sorted(core.pending_ids(ops))
        specs = [op for op in ops if isinstance(op, TransferSpec)]
        aids = sorted({s.debit_account for s in specs} | {s.credit_account for s in specs})
        params = {
            "aids": json.dumps(aids),
            "pids": json.dumps(pids),
            "keys": json.dumps([*ids, *pids]),
            "ids": json.dumps(ids),
        }
        head = None
        accounts: dict[str, tuple[Account, Balance]] = {}
        transfers: dict[str, Transfer] = {}
        failures: dict[str, core.Failure] = {}
        for kind, doc in await conn.execute(_SQLITE_LOAD_PENDING if pids else _SQLITE_LOAD, params):
            d = json.loads(doc)
            if kind == "a":
                aid, asset, flags, *bal = d
                accounts[aid] = (Account(aid, asset, AccountFlags(flags)), Balance(*bal))
            elif kind == "t":
                transfers[d["id"]] = Transfer(**d)
            elif kind == "f":
                failures[d[0]] = core.Failure(*d)
            else:
                head = (d[0], d[1])
        resolved = {t.pending_id: t.id for t in transfers.values() if t.pending_id}
        return head, core.State(accounts, transfers, resolved, failures)

    async def _append(
        self,
        conn: AsyncConnection,
        new: list[Transfer],
        deltas: dict[str, list[int]],
        head: tuple[int, str] | None,
    ) -> None:
        seq, prev = head or (0, GENESIS)
        new = core.with_chain(new, seq, prev, chain_hash)
        await conn.exec_driver_sql(  # straight to the driver's executemany
            _SQLITE_INSERT, [tuple(getattr(t, c) for c in _TRANSFER_COLUMNS) for t in new]
        )
        await conn.exec_driver_sql(_SQLITE_ADD, [(*d, aid) for aid, d in sorted(deltas.items())])
        last = new[-1]
        row = {
            "seq": last.seq,
            "hash": last.hash,
            "mac": anchor_mac(self._key, last.seq, last.hash) if self._key else "",
        }
        if head is None:
            # the first writer creates the row; a concurrent first writer gets an
            # IntegrityError and retries against it
            await conn.execute(insert(N), {"id": 1, **row})
        else:
            await conn.execute(update(N).where(N.c.id == 1).values(**row))

    # -- reads --------------------------------------------------------------------------

    async def balance(self, account_id: str) -> Balance:
        async with reading(self.engine) as conn:
            r = (await conn.execute(select(A).where(A.c.id == account_id))).first()
        if r is None:
            raise AccountNotFound(f"account {account_id} not found", account_id=account_id)
        return _row_to_account(r)[1]

    async def balances(self, prefix: str = "") -> dict[str, tuple[str, Balance]]:
        q = select(A).order_by(A.c.id)
        if prefix:
            q = q.where(A.c.id.startswith(prefix, autoescape=True))
        async with reading(self.engine) as conn:
            rows = await conn.execute(q)
        out = {}
        for r in rows:
            acc, b = _row_to_account(r)
            out[acc.id] = (acc.asset, b)
        return out

    async def history(self, account_id: str) -> list[Transfer]:
        await self.balance(account_id)
        q = (
            select(T)
            .where((T.c.debit_account == account_id) | (T.c.credit_account == account_id))
            .order_by(T.c.seq)
        )
        async with reading(self.engine) as conn:
            return [_row_to_transfer(r) for r in await conn.execute(q)]

    async def get_transfer(self, id: str) -> Transfer | None:
        return (await self.get_transfers([id])).get(id)

    async def get_transfers(self, ids: Sequence[str]) -> dict[str, Transfer]:
        if not ids:
            return {}
        async with reading(self.engine) as conn:
            rows = await conn.execute(select(T).where(T.c.id.in_(sorted(set(ids)))))
            return {r.id: _row_to_transfer(r) for r in rows}

    async def head(self) -> tuple[int, str]:
        """(seq, hash) of the chain head, to export as an external anchor."""
        async with reading(self.engine) as conn:
            r = (await conn.execute(select(N.c.seq, N.c.hash).where(N.c.id == 1))).first()
        return (r.seq, r.hash) if r else (0, GENESIS)

    # -- audit and sweeping -------------------------------------------------------------

    async def check(self) -> list[str]:
        async with self._snapshot() as conn:
            accounts = [_row_to_account(r) for r in await conn.execute(select(A))]
            anchor = (await conn.execute(select(N).where(N.c.id == 1))).first()
            findings = balance_findings(accounts)
            recomputed, chain, last = await self._replay(conn)
        stored = {acc.id: b for acc, b in accounts}
        for aid in sorted(set(stored) | set(recomputed)):
            want = Balance(*recomputed.get(aid, (0, 0, 0, 0)))
            if stored.get(aid) != want:
                findings.append(f"{aid}: balance {stored.get(aid)} != journal {want}")
        findings.extend(chain)
        findings.extend(self._anchor_findings(anchor, last))
        return findings

    async def _replay(
        self, conn: AsyncConnection
    ) -> tuple[dict[str, list[int]], list[str], tuple[int, str]]:
        """Walk the journal in order: recompute balances, verify seq numbers and hashes."""
        sums: dict[str, list[int]] = {}
        pending_amount: dict[str, int] = {}
        findings: list[str] = []
        seq, head = 0, GENESIS
        result = await conn.stream(select(T).order_by(T.c.seq))
        async for r in result:
            t = _row_to_transfer(r)
            if t.seq != seq + 1:
                findings.append(f"journal gap: seq {t.seq} follows {seq}")
            seq = t.seq
            head = chain_hash(head, t)
            if head != t.hash:
                findings.append(f"chain broken at seq {t.seq} ({t.id})")
                head = t.hash
            d = sums.setdefault(t.debit_account, [0, 0, 0, 0])
            c = sums.setdefault(t.credit_account, [0, 0, 0, 0])
            if t.kind == "posted":
                d[0] += t.amount
                c[1] += t.amount
            elif t.kind == "pending":
                d[2] += t.amount
                c[3] += t.amount
                pending_amount[t.id] = t.amount
            else:
                held = pending_amount.pop(t.pending_id or "", None)
                if held is None:
                    findings.append(f"{t.id}: resolves unknown or resolved pending {t.pending_id}")
                    continue
                d[2] -= held
                c[3] -= held
                if t.kind == "post":
                    d[0] += t.amount
                    c[1] += t.amount
        return sums, findings, (seq, head)

    def _anchor_findings(self, anchor: Any, last: tuple[int, str]) -> list[str]:
        """The head row must name the journal's last row, and (with a key) carry its HMAC."""
        seq, head = last
        if anchor is None:
            return [f"chain head seq {seq} has no anchor"] if seq else []
        findings = []
        if (anchor.seq, anchor.hash) != (seq, head):
            findings.append(f"anchor names seq {anchor.seq}, journal ends at seq {seq}")
        if self._key is not None and not verify_anchor(
            self._key, anchor.seq, anchor.hash, anchor.mac
        ):
            findings.append(f"anchor at seq {anchor.seq}: bad HMAC")
        return findings

    async def sweep_expired(self, now: datetime | None = None) -> int:
        now_us = to_us(now or self._clock())
        R = T.alias("r")
        q = (
            select(T.c.id)
            .where(T.c.kind == "pending", T.c.expires_us <= now_us)
            .where(~select(R.c.id).where(R.c.pending_id == T.c.id).exists())
            .order_by(T.c.seq)
        )
        async with reading(self.engine) as conn:
            expired = [r.id for r in await conn.execute(q)]
        done = 0
        for pid in expired:
            try:
                done += await self.execute([core.VoidOp(expiry_id(pid), pid)])
            except PendingAlreadyResolved:
                continue  # posted or voided meanwhile
        return done

    async def count(self) -> int:
        """Number of journal rows."""
        async with reading(self.engine) as conn:
            return (await conn.execute(select(func.count()).select_from(T))).scalar_one()

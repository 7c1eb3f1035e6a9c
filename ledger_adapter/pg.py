"""The PostgreSQL write path of SqlLedger: one batch in four round trips, on asyncpg directly.

Why the driver and not SQLAlchemy here: the adapter sends BEGIN as a round trip of its own and
then the chain-head lock as another; here both travel in one simple-protocol message, so the
read that follows already runs on a snapshot taken after the lock, and sees every transfer
committed before ours. The statements are fixed, prepared once per connection by asyncpg, and
the connection still comes from (and returns to) the engine's pool.

Round trips: BEGIN + head lock, one read (head, accounts locked in id order, earlier rows with
the batch's ids), one write (journal rows, balance deltas and head in one statement), COMMIT.

When this process wrote last (the head is still where its own last commit left it), a batch of
plain transfers between accounts it knows is decided on the balances it remembers and written
in one statement of its own transaction, which re-checks under the head lock that the head has
not moved and that the ids are new; if either check fails nothing is written and the batch
takes the four round trips above (see `core.KnownState`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from operator import attrgetter
from typing import Any

import asyncpg
from sqlalchemy.ext.asyncio import AsyncEngine

from . import core
from .chain import GENESIS, anchor_mac, chain_hash
from .port import Account, AccountFlags, Balance, Transfer, TransferSpec
from .tables import LedgerTransfer

T = LedgerTransfer.__table__
TRANSFER_COLUMNS = [c.name for c in T.columns]
_TYPES = {c.name: ("bigint" if c.type.python_type is int else "text") for c in T.columns}
#: Journal rows as one array parameter per column ($1..$n, TRANSFER_COLUMNS order).
UNNEST_TRANSFERS = (
    "unnest(" + ", ".join(f"${i + 1}::{_TYPES[c]}[]" for i, c in enumerate(TRANSFER_COLUMNS)) + ")"
)

#: Unique violations (a concurrent writer took the id or the seq first), serialisation
#: failures and deadlocks: re-read and decide again.
RETRYABLE_SQLSTATES = {"23505", "40001", "40P01"}

BEGIN_AND_LOCK_HEAD = (
    "BEGIN ISOLATION LEVEL READ COMMITTED; SELECT 1 FROM ledger_anchor WHERE id = 1 FOR UPDATE"
)

# One row of arrays (decoded by the driver, no per-row overhead): the head, the locked
# accounts, then earlier transfers and failures with the batch's ids as JSON documents.
# Journal lookups are scalar subqueries per id, so they probe the unique indexes whatever the
# planner believes about the journal's size.
_LOAD_TAIL = """, agg AS (  -- one pass: every array lists the accounts in the same order
    SELECT array_agg(id) AS id, array_agg(asset) AS asset, array_agg(flags) AS flags,
        array_agg(debits_posted) AS dp, array_agg(credits_posted) AS cp,
        array_agg(debits_pending) AS dpend, array_agg(credits_pending) AS cpend
    FROM acc
)
SELECT
    (SELECT seq FROM ledger_anchor WHERE id = 1),
    (SELECT hash FROM ledger_anchor WHERE id = 1),
    agg.id, agg.asset, agg.flags, agg.dp, agg.cp, agg.dpend, agg.cpend,
    (SELECT array_agg(j) FROM (
        SELECT (SELECT row_to_json(t)::text FROM ledger_transfers t WHERE t.id = k) AS j
        FROM unnest(${keys}::text[]) AS k
        {pending}
    ) AS x WHERE j IS NOT NULL),
    (SELECT array_agg(j) FROM (
        SELECT (SELECT row_to_json(f)::text FROM ledger_failures f WHERE f.id = k) AS j
        FROM unnest(${ids}::text[]) AS k
    ) AS y WHERE j IS NOT NULL)
FROM agg
"""
#: $1 account ids, $2 ids to look up, $3 the batch's ids.
LOAD = """
WITH acc AS MATERIALIZED (
    SELECT * FROM ledger_accounts WHERE id IN (SELECT unnest($1::text[])) ORDER BY id FOR UPDATE
)""" + _LOAD_TAIL.format(pending="", keys=2, ids=3)
#: Posts and voids also lock the pendings' accounts and read the rows that resolved them:
#: $1 account ids, $2 pending ids, $3 ids to look up, $4 the batch's ids.
LOAD_PENDING = """
WITH acc AS MATERIALIZED (
    SELECT * FROM ledger_accounts WHERE id IN (
        SELECT unnest($1::text[])
        UNION SELECT (SELECT debit_account FROM ledger_transfers t WHERE t.id = p)
            FROM unnest($2::text[]) AS p
        UNION SELECT (SELECT credit_account FROM ledger_transfers t WHERE t.id = p)
            FROM unnest($2::text[]) AS p
    ) ORDER BY id FOR UPDATE
)""" + _LOAD_TAIL.format(
    pending="""UNION ALL
        SELECT (SELECT row_to_json(r)::text FROM ledger_transfers r WHERE r.pending_id = p)
        FROM unnest($2::text[]) AS p""",
    keys=3,
    ids=4,
)

_N = len(TRANSFER_COLUMNS)
_ROW = attrgetter(*TRANSFER_COLUMNS)
_ID = TRANSFER_COLUMNS.index("id") + 1
_WRITE = f"""ins AS (
    INSERT INTO ledger_transfers ({", ".join(TRANSFER_COLUMNS)})
    SELECT * FROM {UNNEST_TRANSFERS} {{guard}}
), upd AS (
    UPDATE ledger_accounts a SET
        debits_posted = a.debits_posted + d.dp,
        credits_posted = a.credits_posted + d.cp,
        debits_pending = a.debits_pending + d.dpend,
        credits_pending = a.credits_pending + d.cpend
    FROM unnest(${_N + 1}::text[], (${_N + 2}::bigint[])[1:1], (${_N + 2}::bigint[])[2:2],
                (${_N + 2}::bigint[])[3:3], (${_N + 2}::bigint[])[4:4])
        AS d(id, dp, cp, dpend, cpend)
    WHERE a.id = d.id {{guard_and}}
)"""
#: $1..$n journal rows; $n+1 the accounts that change and $n+2 their deltas, one row of a 2-D
#: array per balance column (asyncpg checks each element of a 1-D array, but only the first row
#: of a 2-D one); $n+3..$n+5 the new head.
APPEND = (
    "WITH "
    + _WRITE.format(guard="", guard_and="")
    + f"""
INSERT INTO ledger_anchor (id, seq, hash, mac) VALUES (1, ${_N + 3}, ${_N + 4}, ${_N + 5})
ON CONFLICT (id) DO UPDATE SET seq = EXCLUDED.seq, hash = EXCLUDED.hash, mac = EXCLUDED.mac
"""
)
#: APPEND as one statement (its own transaction) that writes only if, under the head lock, the
#: head is still at seq $n+6 and none of the journal rows' ids failed before; returns whether
#: it wrote. Every writer moves the head, so an unmoved head means unchanged balances. An id
#: already in the journal fails the statement on the unique index (nothing written): a replay
#: is rare, and probing every id of every batch for it cost a measurable share of every batch
#: (docs/design.md). Failed ids are probed one by one (scalar subqueries), so the index serves
#: whatever the planner believes about the table's size.
APPEND_AT_HEAD = (
    f"""WITH head AS MATERIALIZED (
    SELECT seq FROM ledger_anchor WHERE id = 1 FOR UPDATE
), go AS MATERIALIZED (
    SELECT coalesce((SELECT seq FROM head) = ${_N + 6}
        AND NOT EXISTS (SELECT FROM unnest(${_ID}::text[]) AS k(id)
            WHERE (SELECT true FROM ledger_failures f WHERE f.id = k.id)),
        false) AS ok
), """
    + _WRITE.format(guard="WHERE (SELECT ok FROM go)", guard_and="AND (SELECT ok FROM go)")
    + f""", anchor AS (
    UPDATE ledger_anchor SET seq = ${_N + 3}, hash = ${_N + 4}, mac = ${_N + 5}
    WHERE id = 1 AND (SELECT ok FROM go)
)
SELECT ok FROM go
"""
)

RECORD_FAILURES = """
INSERT INTO ledger_failures (id, body, error, message, culprit, created_us)
SELECT *, $6::bigint FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
"""


def retryable(exc: BaseException) -> bool:
    return isinstance(exc, asyncpg.PostgresError) and exc.sqlstate in RETRYABLE_SQLSTATES


async def execute_group(
    engine: AsyncEngine,
    batches: Sequence[Sequence[core.Op]],
    now_us: int,
    key: bytes | None,
    known: core.KnownState,
) -> list[core.Plan]:
    """Plan and apply several linked batches in one transaction, one plan per batch.

    Each batch is decided on the state its predecessors left, as if they had run one after the
    other: a batch that fails is recorded and changes nothing, the others still apply.
    """
    async with engine.connect() as conn:
        raw: asyncpg.Connection = (await conn.get_raw_connection()).driver_connection
        try:
            plans = await _apply_known(raw, batches, now_us, key, known)
            if plans is not None:
                return plans
            # A deadlock (possible before the first append creates the head row) fails the
            # lock inside this message and leaves the transaction open: roll back below too.
            await raw.execute(BEGIN_AND_LOCK_HEAD)
            plans, read_at, now, state = await _apply(raw, batches, now_us, key)
            await raw.execute("COMMIT")
        except BaseException:
            known.forget()
            try:
                await raw.execute("ROLLBACK")  # a no-op (a warning) outside a transaction
            except Exception:  # the connection is broken: the pool must not hand it out
                await conn.invalidate()
            raise
    known.learn(read_at, now, state.accounts)
    return plans


async def _apply_known(
    raw: asyncpg.Connection,
    batches: Sequence[Sequence[core.Op]],
    now_us: int,
    key: bytes | None,
    known: core.KnownState,
) -> list[core.Plan] | None:
    """The one-statement path: plain transfers between known accounts that all apply.

    Returns None (nothing written) when the batches need the database's view: an unknown
    account, a post or void, a refusal to record, an id seen before, or a moved head.
    """
    state = known.state_for([op for ops in batches for op in ops])
    if state is None:
        return None
    plans, new, failures, deltas = core.decide_group(batches, state, now_us)
    if failures or not new:
        return None
    head = known.head
    args = _append_args(new, deltas, head, key)
    try:
        wrote = await raw.fetchval(APPEND_AT_HEAD, *args, head[0])
    except asyncpg.UniqueViolationError:  # an id seen before: the database must decide
        wrote = False
    if not wrote:
        known.miss()
        return None
    known.learn(head, core.chain_end(new, head), state.accounts)
    return plans


async def _apply(
    raw: asyncpg.Connection,
    batches: Sequence[Sequence[core.Op]],
    now_us: int,
    key: bytes | None,
) -> tuple[list[core.Plan], tuple[int, str] | None, tuple[int, str] | None, core.State]:
    """The four-round-trip path; returns the plans, the head before and after, the state."""
    head, state = await _load(raw, [op for ops in batches for op in ops])
    plans, new, failures, deltas = core.decide_group(batches, state, now_us)
    if failures:
        await raw.execute(
            RECORD_FAILURES,
            [f.id for f in failures],
            [f.body for f in failures],
            [f.error for f in failures],
            [f.message[:1024] for f in failures],
            [f.culprit for f in failures],
            now_us,
        )
    if new:
        await raw.execute(APPEND, *_append_args(new, deltas, head, key))
    return plans, head, core.chain_end(new, head), state


async def _load(
    raw: asyncpg.Connection, ops: Sequence[core.Op]
) -> tuple[tuple[int, str] | None, core.State]:
    ids = [op.id for op in ops]
    pids = sorted(core.pending_ids(ops))
    aids = sorted(
        {
            a
            for op in ops
            if isinstance(op, TransferSpec)
            for a in (op.debit_account, op.credit_account)
        }
    )
    if pids:
        row = await raw.fetchrow(LOAD_PENDING, aids, pids, [*ids, *pids], ids)
    else:
        row = await raw.fetchrow(LOAD, aids, ids, ids)
    head = (row[0], row[1]) if row[0] is not None else None
    accounts: dict[str, tuple[Account, Balance]] = {}
    if row[2]:
        for aid, asset, flags, dp, cp, dpend, cpend in zip(*row[2:9], strict=True):
            accounts[aid] = (
                Account(aid, asset, AccountFlags(flags)),
                Balance(dp, cp, dpend, cpend),
            )
    transfers: dict[str, Transfer] = {}
    for doc in row[9] or ():
        d = json.loads(doc)
        transfers[d["id"]] = Transfer(**d)
    failures: dict[str, core.Failure] = {}
    for doc in row[10] or ():
        d = json.loads(doc)
        failures[d["id"]] = core.Failure(d["id"], d["body"], d["error"], d["message"], d["culprit"])
    resolved = {t.pending_id: t.id for t in transfers.values() if t.pending_id}
    return head, core.State(accounts, transfers, resolved, failures)


def _append_args(
    new: list[Transfer],
    deltas: dict[str, list[int]],
    head: tuple[int, str] | None,
    key: bytes | None,
) -> list[Any]:
    """Chain the new rows after `head`; APPEND's parameters."""
    seq, prev = head or (0, GENESIS)
    chained = core.with_chain(new, seq, prev, chain_hash)
    changes = sorted((aid, d) for aid, d in deltas.items() if any(d))
    last = chained[-1]
    args: list[Any] = list(zip(*map(_ROW, chained), strict=True))
    args += [
        [a for a, _ in changes],
        [list(column) for column in zip(*(d for _, d in changes), strict=True)],
        last.seq,
        last.hash,
        anchor_mac(key, last.seq, last.hash) if key else "",
    ]
    return args

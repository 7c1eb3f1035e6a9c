"""The ledger's rules as pure functions, shared by every engine.

An engine loads the state a batch touches (accounts, earlier transfers and failures with the
batch's ids, the pending transfers it resolves), calls `plan`, and persists the result. Keeping
the rules here means the SQL engine and the in-memory model cannot drift apart on semantics;
what the model tests then check is persistence, atomicity and concurrency.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from .port import (
    ERRORS,
    Account,
    AccountFlags,
    AccountNotFound,
    AssetMismatch,
    Balance,
    IdempotencyConflict,
    InsufficientFunds,
    InvalidTransfer,
    LedgerError,
    PendingAlreadyResolved,
    PendingExpired,
    Transfer,
    TransferNotFound,
    TransferSpec,
)

MAX_ID = 200
_ASSET = re.compile(r"^[A-Z0-9]{2,16}$")


@dataclass(frozen=True, slots=True)
class PostOp:
    id: str
    pending_id: str
    amount: int | None = None


@dataclass(frozen=True, slots=True)
class VoidOp:
    id: str
    pending_id: str


Op = TransferSpec | PostOp | VoidOp


class Engine:
    """The port's movements, each one linked batch of the engine's own `execute`."""

    async def execute(self, ops: Sequence[Op]) -> int:
        """Apply a linked batch of transfers, posts and voids; returns how many were new."""
        raise NotImplementedError

    async def transfer(self, specs: Sequence[TransferSpec]) -> None:
        await self.execute(specs)

    async def post_pending(self, id: str, pending_id: str, amount: int | None = None) -> None:
        await self.execute([PostOp(id, pending_id, amount)])

    async def void_pending(self, id: str, pending_id: str) -> None:
        await self.execute([VoidOp(id, pending_id)])


@dataclass(frozen=True, slots=True)
class Failure:
    """A recorded refusal: the same id and body raise the same error again, forever."""

    id: str
    body: str
    error: str
    message: str
    culprit: str | None

    def exception(self) -> LedgerError:
        return ERRORS.get(self.error, LedgerError)(self.message, self.culprit)


@dataclass(slots=True)
class State:
    """What a batch may read: only the rows it touches."""

    accounts: dict[str, tuple[Account, Balance]]
    transfers: dict[str, Transfer]  # by id: the batch's ids and the pendings it names
    resolved: dict[str, str]  # pending id -> id of the post/void that resolved it
    failures: dict[str, Failure]


@dataclass(slots=True)
class Plan:
    """The outcome of a batch: new transfers and balance deltas, or an error to record."""

    new: list[Transfer] = field(default_factory=list)
    deltas: dict[str, list[int]] = field(default_factory=dict)  # id -> [dp, cp, dpend, cpend]
    error: LedgerError | None = None
    failures: list[Failure] = field(default_factory=list)


def _check_id(value: object, what: str, transfer_id: str | None = None) -> None:
    if not isinstance(value, str) or not value or len(value) > MAX_ID:
        raise InvalidTransfer(f"{what} must be a non-empty string of at most {MAX_ID}", transfer_id)


def _check_amount(value: object, transfer_id: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise InvalidTransfer(f"amount must be a positive int, got {value!r}", transfer_id)


def validate_account(account: Account) -> None:
    _check_id(account.id, "account id")
    if not isinstance(account.asset, str) or not _ASSET.match(account.asset):
        raise InvalidTransfer(f"bad asset {account.asset!r}", account_id=account.id)
    flags = AccountFlags(account.flags)
    both = AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS | AccountFlags.CREDITS_MUST_NOT_EXCEED_DEBITS
    if flags & both == both:
        raise InvalidTransfer("an account cannot carry both balance flags", account_id=account.id)


def validate_shape(ops: Sequence[Op]) -> None:
    """Refuse malformed input before anything is read or written (never recorded)."""
    for op in ops:
        _check_id(op.id, "transfer id")
        if isinstance(op, TransferSpec):
            _check_id(op.debit_account, "debit_account", op.id)
            _check_id(op.credit_account, "credit_account", op.id)
            _check_amount(op.amount, op.id)
            if op.debit_account == op.credit_account:
                raise InvalidTransfer("debit and credit account are the same", op.id)
            if not isinstance(op.asset, str) or not _ASSET.match(op.asset):
                raise InvalidTransfer(f"bad asset {op.asset!r}", op.id)
            if op.timeout_s is not None and (
                not op.pending or not isinstance(op.timeout_s, int) or op.timeout_s <= 0
            ):
                raise InvalidTransfer("timeout_s needs pending=True and a positive int", op.id)
            if not isinstance(op.code, str) or len(op.code) > 64:
                raise InvalidTransfer("code must be a string of at most 64", op.id)
        else:
            _check_id(op.pending_id, "pending_id", op.id)
            if isinstance(op, PostOp) and op.amount is not None:
                _check_amount(op.amount, op.id)


def body(op: Op) -> str:
    """Canonical form of a request, to tell a retry from a reuse of the id."""
    if isinstance(op, TransferSpec):
        fields: list[object] = [
            "pending" if op.pending else "posted",
            op.debit_account,
            op.credit_account,
            op.amount,
            op.asset,
            op.timeout_s,
            op.code,
        ]
    elif isinstance(op, PostOp):
        fields = ["post", op.pending_id, op.amount]
    else:
        fields = ["void", op.pending_id]
    return json.dumps(fields, separators=(",", ":"))


def pending_ids(ops: Iterable[Op]) -> set[str]:
    return {op.pending_id for op in ops if not isinstance(op, TransferSpec)}


def _matches(op: Op, rec: Transfer, transfers: Mapping[str, Transfer]) -> bool:
    if isinstance(op, TransferSpec):
        return (
            rec.kind == ("pending" if op.pending else "posted")
            and rec.debit_account == op.debit_account
            and rec.credit_account == op.credit_account
            and rec.amount == op.amount
            and rec.asset == op.asset
            and rec.timeout_s == op.timeout_s
            and rec.code == op.code
        )
    if isinstance(op, PostOp):
        if rec.kind != "post" or rec.pending_id != op.pending_id:
            return False
        if op.amount is not None:
            return rec.amount == op.amount
        pending = transfers.get(op.pending_id)
        return pending is not None and rec.amount == pending.amount
    return rec.kind == "void" and rec.pending_id == op.pending_id


def plan(ops: Sequence[Op], state: State, now_us: int) -> Plan:
    """Decide a linked batch against `state`: all of it applies, or none (with an error)."""
    out = Plan()
    work = {
        aid: [b.debits_posted, b.credits_posted, b.debits_pending, b.credits_pending]
        for aid, (_, b) in state.accounts.items()
    }
    batch: dict[str, Op] = {}
    made: dict[str, Transfer] = {}
    resolved = dict(state.resolved)
    fresh: list[Op] = []
    for op in ops:
        rec = state.transfers.get(op.id)
        if rec is not None:
            if _matches(op, rec, state.transfers):
                continue
            out.error = IdempotencyConflict(f"transfer {op.id} exists with another body", op.id)
            return out
        failed = state.failures.get(op.id)
        if failed is not None:
            if failed.body == body(op):
                out.error = failed.exception()
            else:
                out.error = IdempotencyConflict(f"transfer {op.id} failed with another body", op.id)
            return out
        if op.id in batch:
            if body(batch[op.id]) == body(op):
                continue
            out.error = IdempotencyConflict(f"transfer {op.id} twice in one batch", op.id)
            return out
        batch[op.id] = op
        fresh.append(op)
        if out.error is not None:
            continue
        try:
            t = _apply(op, state, work, made, resolved, now_us)
        except LedgerError as exc:
            out.error = exc
            continue
        made[t.id] = t
        out.new.append(t)
    if out.error is not None:
        err = out.error
        out.new = []
        out.failures = [
            Failure(op.id, body(op), type(err).__name__, str(err), err.transfer_id) for op in fresh
        ]
        return out
    for aid, now in work.items():
        _, b = state.accounts[aid]
        delta = [
            now[0] - b.debits_posted,
            now[1] - b.credits_posted,
            now[2] - b.debits_pending,
            now[3] - b.credits_pending,
        ]
        if any(delta):
            out.deltas[aid] = delta
    return out


def advance(state: State, plan: Plan) -> None:
    """Fold an applied plan into `state`, so the next batch is decided after it."""
    for aid, d in plan.deltas.items():
        account, b = state.accounts[aid]
        state.accounts[aid] = (
            account,
            Balance(
                b.debits_posted + d[0],
                b.credits_posted + d[1],
                b.debits_pending + d[2],
                b.credits_pending + d[3],
            ),
        )
    for t in plan.new:
        state.transfers[t.id] = t
        if t.pending_id:
            state.resolved[t.pending_id] = t.id


_DEBITS_LIMITED = int(AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS)
_CREDITS_LIMITED = int(AccountFlags.CREDITS_MUST_NOT_EXCEED_DEBITS)


def _account(state: State, aid: str, op_id: str, asset: str) -> Account:
    entry = state.accounts.get(aid)
    if entry is None:
        raise AccountNotFound(f"account {aid} not found", op_id, aid)
    if entry[0].asset != asset:
        raise AssetMismatch(f"account {aid} holds {entry[0].asset}, not {asset}", op_id, aid)
    return entry[0]


def _apply(
    op: Op,
    state: State,
    work: dict[str, list[int]],
    made: dict[str, Transfer],
    resolved: dict[str, str],
    now_us: int,
) -> Transfer:
    if isinstance(op, TransferSpec):
        debit = _account(state, op.debit_account, op.id, op.asset)
        credit = _account(state, op.credit_account, op.id, op.asset)
        d, c = work[debit.id], work[credit.id]
        # int arithmetic on the IntFlag: Flag's own operators cost more than the whole check
        if int.__and__(debit.flags, _DEBITS_LIMITED) and d[0] + d[2] + op.amount > d[1]:
            raise InsufficientFunds(f"{debit.id}: debits would exceed credits", op.id, debit.id)
        if int.__and__(credit.flags, _CREDITS_LIMITED) and c[1] + c[3] + op.amount > c[0]:
            raise InsufficientFunds(f"{credit.id}: credits would exceed debits", op.id, credit.id)
        slot = 2 if op.pending else 0
        d[slot] += op.amount
        c[slot + 1] += op.amount
        return Transfer(  # positional: half the cost of keywords, once per transfer
            op.id,  # id
            "pending" if op.pending else "posted",  # kind
            op.debit_account,
            op.credit_account,
            op.amount,
            op.asset,
            None,  # pending_id
            op.timeout_s,
            now_us + op.timeout_s * 1_000_000 if op.timeout_s else None,  # expires_us
            op.code,
            now_us,  # created_us
        )
    pending = made.get(op.pending_id) or state.transfers.get(op.pending_id)
    if pending is None or pending.kind != "pending":
        raise TransferNotFound(f"no pending transfer {op.pending_id}", op.id)
    if op.pending_id in resolved:
        raise PendingAlreadyResolved(
            f"pending {op.pending_id} already resolved by {resolved[op.pending_id]}", op.id
        )
    amount = pending.amount
    if isinstance(op, PostOp):
        if pending.expires_us is not None and now_us >= pending.expires_us:
            raise PendingExpired(f"pending {op.pending_id} expired", op.id)
        if op.amount is not None:
            if op.amount > pending.amount:
                raise InvalidTransfer(
                    f"post of {op.amount} exceeds pending amount {pending.amount}", op.id
                )
            amount = op.amount
    d, c = work[pending.debit_account], work[pending.credit_account]
    d[2] -= pending.amount
    c[3] -= pending.amount
    if isinstance(op, PostOp):
        d[0] += amount
        c[1] += amount
    resolved[op.pending_id] = op.id
    return Transfer(
        id=op.id,
        kind="post" if isinstance(op, PostOp) else "void",
        debit_account=pending.debit_account,
        credit_account=pending.credit_account,
        amount=amount,
        asset=pending.asset,
        pending_id=op.pending_id,
        code=pending.code,
        created_us=now_us,
    )


def decide_group(
    batches: Sequence[Sequence[Op]], state: State, now_us: int
) -> tuple[list[Plan], list[Transfer], list[Failure], dict[str, list[int]]]:
    """Plan each batch on the state its predecessors left, as if they had run one after the
    other (a batch that fails changes nothing, the others still apply); gather the rows to
    write: the plans, the new transfers, the refusals, each account's summed deltas."""
    plans: list[Plan] = []
    new: list[Transfer] = []
    failures: list[Failure] = []
    deltas: dict[str, list[int]] = {}
    for ops in batches:
        decided = plan(ops, state, now_us)
        plans.append(decided)
        if decided.error is not None:
            failures += decided.failures
            state.failures.update((f.id, f) for f in decided.failures)
            continue
        advance(state, decided)
        new += decided.new
        for aid, delta in decided.deltas.items():
            total = deltas.setdefault(aid, [0, 0, 0, 0])
            for i in range(4):
                total[i] += delta[i]
    return plans, new, failures, deltas


@dataclass(slots=True)
class KnownState:
    """The balances of the accounts this process last wrote, exact while the chain head is
    still `head` (every write moves the head under its lock, so an unmoved head proves nobody
    else wrote since). One per SqlLedger; the database stays the authority: a writer uses it
    only after confirming, under the head lock, that the head is still `head`.

    `trusted` says whether trying is worth it: a miss (the head had moved) costs a wait for the
    lock and a round trip, so after one the writer reads the database until a read finds the
    head where this process left it, i.e. until it is again the only one writing.
    """

    head: tuple[int, str] | None = None
    accounts: dict[str, tuple[Account, Balance]] = field(default_factory=dict)
    trusted: bool = False
    max_accounts: int = 100_000

    def state_for(self, ops: Sequence[Op]) -> State | None:
        """The state to decide `ops` on, if they are plain transfers between known accounts
        (and the writer then confirms, under its lock, the head and that the ids are new)."""
        if self.head is None or not self.trusted:
            return None
        accounts: dict[str, tuple[Account, Balance]] = {}
        for op in ops:
            if not isinstance(op, TransferSpec):
                return None
            for aid in (op.debit_account, op.credit_account):
                entry = self.accounts.get(aid)
                if entry is None:
                    return None
                accounts[aid] = entry
        return State(accounts, {}, {}, {})

    def miss(self) -> None:
        """The confirmation failed: read before deciding, at least once."""
        self.trusted = False

    def forget(self) -> None:
        self.head = None
        self.accounts = {}
        self.trusted = False

    def learn(
        self,
        read_at: tuple[int, str] | None,
        now: tuple[int, str] | None,
        accounts: dict[str, tuple[Account, Balance]],
    ) -> None:
        """After a commit: `accounts` (read at head `read_at`, then written) are exact at
        `now`; what was known before stays exact only if the read found the head we knew."""
        unmoved = read_at == self.head
        if read_at is None or not unmoved or len(self.accounts) > self.max_accounts:
            self.accounts = {}
        self.accounts.update(accounts)
        self.head = now
        self.trusted = unmoved


def chain_end(new: Sequence[Transfer], head: tuple[int, str] | None) -> tuple[int, str] | None:
    """The chain head after `new` (chained) was appended at `head`."""
    return (new[-1].seq, new[-1].hash) if new else head


def with_chain(new: list[Transfer], seq: int, head: str, chain_hash) -> list[Transfer]:
    """Number and hash-chain new transfers after (seq, head)."""
    out = []
    for t in new:
        seq += 1
        # fresh from plan() and not yet shared: fill in place (frozen to everyone else)
        object.__setattr__(t, "seq", seq)
        head = chain_hash(head, t)
        object.__setattr__(t, "hash", head)
        out.append(t)
    return out

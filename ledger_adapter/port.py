"""The ledger port: value types, errors and the `Ledger` protocol every engine implements.

Modelled on TigerBeetle: accounts and transfers are immutable, one asset per transfer,
integer amounts in minor units, pending (two-phase) transfers that post or void once, linked
batches that succeed or fail together, idempotency by client-chosen transfer id.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import IntFlag
from typing import Protocol, runtime_checkable


class AccountFlags(IntFlag):
    """Balance constraints checked on every transfer (pending amounts count against them)."""

    NONE = 0
    DEBITS_MUST_NOT_EXCEED_CREDITS = 1
    CREDITS_MUST_NOT_EXCEED_DEBITS = 2


@dataclass(frozen=True, slots=True)
class Account:
    """An account holds exactly one asset; its id is the caller's name for it (see chart)."""

    id: str
    asset: str
    flags: AccountFlags = AccountFlags.NONE


@dataclass(frozen=True, slots=True)
class TransferSpec:
    """A request to move `amount` minor units of `asset` from debit to credit account.

    `pending=True` reserves the amount until posted or voided; `timeout_s` lets
    `sweep_expired` void it after that many seconds.
    """

    id: str
    debit_account: str
    credit_account: str
    amount: int
    asset: str
    pending: bool = False
    timeout_s: int | None = None
    code: str = ""


@dataclass(frozen=True, slots=True)
class Balance:
    """The four running totals of an account, all in minor units."""

    debits_posted: int = 0
    credits_posted: int = 0
    debits_pending: int = 0
    credits_pending: int = 0

    @property
    def credit_balance(self) -> int:
        """Posted credits less posted debits: what a liability (wallet) holds."""
        return self.credits_posted - self.debits_posted

    @property
    def debit_balance(self) -> int:
        """Posted debits less posted credits: what an asset (cash, supply) holds."""
        return self.debits_posted - self.credits_posted

    @property
    def available(self) -> int:
        """What a credit-normal account can still spend: pending debits are already promised."""
        return self.credits_posted - self.debits_posted - self.debits_pending


#: Kinds of stored transfers: a plain posted one, a pending one, and the two resolutions.
KINDS = ("posted", "pending", "post", "void")


@dataclass(frozen=True, slots=True)
class Transfer:
    """A transfer as recorded (immutable). Post/void rows name the pending's accounts."""

    id: str
    kind: str
    debit_account: str
    credit_account: str
    amount: int
    asset: str
    pending_id: str | None = None
    timeout_s: int | None = None
    expires_us: int | None = None
    code: str = ""
    created_us: int = 0
    seq: int = 0
    hash: str = ""

    @property
    def created_at(self) -> datetime:
        return datetime.fromtimestamp(self.created_us / 1_000_000, UTC)

    @property
    def expires_at(self) -> datetime | None:
        if self.expires_us is None:
            return None
        return datetime.fromtimestamp(self.expires_us / 1_000_000, UTC)


class LedgerError(Exception):
    """Base of every ledger refusal; carries the transfer (or account) it concerns."""

    def __init__(
        self, message: str, transfer_id: str | None = None, account_id: str | None = None
    ) -> None:
        super().__init__(message)
        self.transfer_id = transfer_id
        self.account_id = account_id


class InvalidTransfer(LedgerError):
    """Malformed request (bad amount, same account twice, post above the pending amount)."""


class InsufficientFunds(LedgerError):
    """A flag such as DEBITS_MUST_NOT_EXCEED_CREDITS would be broken."""


class IdempotencyConflict(LedgerError):
    """The id was used before with another body."""


class AccountNotFound(LedgerError):
    """A transfer names an account that was never created."""


class AccountConflict(LedgerError):
    """An account id exists with another asset or other flags."""


class AssetMismatch(LedgerError):
    """The transfer's asset differs from an account's asset."""


class TransferNotFound(LedgerError):
    """post/void names a pending transfer that does not exist (or is not pending)."""


class PendingAlreadyResolved(LedgerError):
    """The pending transfer was already posted or voided (or expired)."""


class PendingExpired(PendingAlreadyResolved):
    """The pending transfer's timeout passed; only a void (or the sweeper) may resolve it."""


ERRORS: dict[str, type[LedgerError]] = {
    cls.__name__: cls
    for cls in (
        LedgerError,
        InvalidTransfer,
        InsufficientFunds,
        IdempotencyConflict,
        AccountNotFound,
        AccountConflict,
        AssetMismatch,
        TransferNotFound,
        PendingAlreadyResolved,
        PendingExpired,
    )
}


@runtime_checkable
class Ledger(Protocol):
    """The port: one small async surface, interchangeable engines (SQL, in-memory)."""

    async def create_accounts(self, accounts: Sequence[Account]) -> None:
        """Create accounts; an existing id with the same asset and flags is fine."""

    async def transfer(self, specs: Sequence[TransferSpec]) -> None:
        """Apply a linked batch atomically; ids already applied with the same body are no-ops."""

    async def post_pending(self, id: str, pending_id: str, amount: int | None = None) -> None:
        """Post a pending transfer (all of it, or `amount` up to it; the rest is released)."""

    async def void_pending(self, id: str, pending_id: str) -> None:
        """Release a pending transfer."""

    async def balance(self, account_id: str) -> Balance: ...

    async def balances(self, prefix: str = "") -> dict[str, tuple[str, Balance]]:
        """Account id -> (asset, balance) for every account whose id starts with prefix."""

    async def history(self, account_id: str) -> list[Transfer]:
        """Transfers touching the account, oldest first."""

    async def get_transfer(self, id: str) -> Transfer | None:
        """The applied transfer with this client id, or None (never applied, or failed)."""

    async def get_transfers(self, ids: Sequence[str]) -> dict[str, Transfer]:
        """The applied transfers among these client ids, by id, in one read; an id never
        applied (or failed) is absent."""

    async def check(self) -> list[str]:
        """Invariant findings; an empty list means healthy."""

    async def sweep_expired(self, now: datetime | None = None) -> int:
        """Void pending transfers whose timeout passed; returns how many were voided."""

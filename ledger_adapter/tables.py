"""SQL tables of the ledger (SQLModel, so they live in SQLModel.metadata for Alembic).

Only `ledger_accounts` balance columns are ever updated; transfers, failures and anchors are
insert-only. Times are integer microseconds since the epoch (same on SQLite and PostgreSQL).
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, Integer, String, text
from sqlmodel import Field, SQLModel

ID = 255


class LedgerAccount(SQLModel, table=True):
    __tablename__ = "ledger_accounts"

    id: str = Field(sa_column=Column(String(ID), primary_key=True))
    asset: str = Field(sa_column=Column(String(16), nullable=False))
    flags: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))
    debits_posted: int = Field(
        default=0, sa_column=Column(BigInteger, nullable=False, server_default="0")
    )
    credits_posted: int = Field(
        default=0, sa_column=Column(BigInteger, nullable=False, server_default="0")
    )
    debits_pending: int = Field(
        default=0, sa_column=Column(BigInteger, nullable=False, server_default="0")
    )
    credits_pending: int = Field(
        default=0, sa_column=Column(BigInteger, nullable=False, server_default="0")
    )


class LedgerTransfer(SQLModel, table=True):
    """The journal: one row per applied transfer, post or void, hash-chained by `seq`."""

    __tablename__ = "ledger_transfers"
    __table_args__ = (
        Index("ix_ledger_transfers_debit", "debit_account"),
        Index("ix_ledger_transfers_credit", "credit_account"),
        # partial: most rows have neither, and every index entry costs on insert
        Index(
            "ix_ledger_transfers_expiry",
            "expires_us",
            postgresql_where=text("expires_us IS NOT NULL"),
            sqlite_where=text("expires_us IS NOT NULL"),
        ),
        # a pending transfer is resolved (posted or voided) at most once
        Index(
            "ux_ledger_transfers_pending",
            "pending_id",
            unique=True,
            postgresql_where=text("pending_id IS NOT NULL"),
            sqlite_where=text("pending_id IS NOT NULL"),
        ),
    )

    seq: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    id: str = Field(sa_column=Column(String(ID), nullable=False, unique=True))
    kind: str = Field(sa_column=Column(String(8), nullable=False))
    debit_account: str = Field(sa_column=Column(String(ID), nullable=False))
    credit_account: str = Field(sa_column=Column(String(ID), nullable=False))
    amount: int = Field(sa_column=Column(BigInteger, nullable=False, server_default="0"))
    asset: str = Field(sa_column=Column(String(16), nullable=False))
    pending_id: str | None = Field(default=None, sa_column=Column(String(ID)))
    timeout_s: int | None = Field(default=None, sa_column=Column(BigInteger))
    expires_us: int | None = Field(default=None, sa_column=Column(BigInteger))
    code: str = Field(default="", sa_column=Column(String(64), nullable=False))
    created_us: int = Field(sa_column=Column(BigInteger, nullable=False, server_default="0"))
    hash: str = Field(sa_column=Column(String(64), nullable=False))


class LedgerFailure(SQLModel, table=True):
    """A refused transfer id: retried with the same body it fails the same way."""

    __tablename__ = "ledger_failures"

    id: str = Field(sa_column=Column(String(ID), primary_key=True))
    body: str = Field(sa_column=Column(String(2048), nullable=False))
    error: str = Field(sa_column=Column(String(64), nullable=False))
    message: str = Field(sa_column=Column(String(1024), nullable=False))
    culprit: str | None = Field(default=None, sa_column=Column(String(ID)))
    created_us: int = Field(sa_column=Column(BigInteger, nullable=False, server_default="0"))


class LedgerAnchor(SQLModel, table=True):
    """The chain head (one row, id 1) and its HMAC; writers lock it to append to the chain.

    Overwritten on every commit (the one non-balance update): a cut tail would need an older
    MAC, which the database no longer holds and cannot compute without the key.
    """

    __tablename__ = "ledger_anchor"

    id: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    seq: int = Field(sa_column=Column(BigInteger, nullable=False))
    hash: str = Field(sa_column=Column(String(64), nullable=False))
    mac: str = Field(default="", sa_column=Column(String(64), nullable=False))


TABLES = [
    LedgerAccount.__table__,
    LedgerTransfer.__table__,
    LedgerFailure.__table__,
    LedgerAnchor.__table__,
]

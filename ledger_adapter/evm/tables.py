"""The chain's records in our database (SQLModel, so Alembic sees them).

`chain_txs`: every transaction we sign, committed (raw signed bytes, hash, nonce) before it is
broadcast; after a crash the same bytes go again, never a new transaction for the same nonce.
`chain_items`: one row per remittance settled on chain: what it mints and pays to whom, and the
transaction hash and log index that carried it.
`chain_returns`: every `Returned` event the settler saw (a partner giving coin back with a
remittance's reference), applied or not, and what became of its coin (burnt after a refund,
or sent back); `chain_cursors`: the last block each watch has read."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, Integer, LargeBinary, String, UniqueConstraint
from sqlmodel import Field, SQLModel


class ChainTx(SQLModel, table=True):
    __tablename__ = "chain_txs"
    __table_args__ = (
        UniqueConstraint("chain_id", "sender", "nonce", name="uq_chain_txs_nonce"),
        Index("ix_chain_txs_status", "status"),
    )

    hash: str = Field(sa_column=Column(String(66), primary_key=True))
    chain_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    sender: str = Field(sa_column=Column(String(42), nullable=False))
    nonce: int = Field(sa_column=Column(BigInteger, nullable=False))
    raw: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    # deploy_token | deploy_settlement | approve | mint | settle | burn | gas (ether for a
    # partner's gas on a chain we own) | foreign (a partner's own signed transaction, recorded
    # so the embedded chain replays it)
    purpose: str = Field(sa_column=Column(String(24), nullable=False))
    coin: str = Field(sa_column=Column(String(16), nullable=False))
    to_address: str | None = Field(default=None, sa_column=Column(String(42), nullable=True))
    created_address: str | None = Field(default=None, sa_column=Column(String(42), nullable=True))
    amount: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    # signed (recorded, maybe not broadcast) | sent | mined | reverted
    status: str = Field(sa_column=Column(String(12), nullable=False))
    block_number: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    gas_used: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    attempts: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    created_us: int = Field(sa_column=Column(BigInteger, nullable=False))
    sent_us: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    mined_us: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))


class ChainItem(SQLModel, table=True):
    __tablename__ = "chain_items"
    __table_args__ = (
        Index("ix_chain_items_status", "status"),
        Index("ix_chain_items_settle_tx", "settle_tx"),
    )

    remittance_id: str = Field(sa_column=Column(String(40), primary_key=True))
    coin: str = Field(sa_column=Column(String(16), nullable=False))
    partner_id: str = Field(sa_column=Column(String(64), nullable=False))
    receiver: str = Field(sa_column=Column(String(42), nullable=False))
    amount: int = Field(sa_column=Column(BigInteger, nullable=False))
    # queued | batched (in a signed settle tx) | settled | dropped | returned (the partner
    # gave the coin back: a matching Returned event, see chain_returns)
    status: str = Field(sa_column=Column(String(12), nullable=False))
    mint_tx: str | None = Field(default=None, sa_column=Column(String(66), nullable=True))
    settle_tx: str | None = Field(default=None, sa_column=Column(String(66), nullable=True))
    log_index: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    queued_us: int = Field(sa_column=Column(BigInteger, nullable=False))
    settled_us: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))


class ChainReturn(SQLModel, table=True):
    __tablename__ = "chain_returns"
    __table_args__ = (
        Index("ix_chain_returns_remittance", "remittance_id"),
        Index("ix_chain_returns_status", "status"),
    )

    tx_hash: str = Field(sa_column=Column(String(66), primary_key=True))
    log_index: int = Field(sa_column=Column(Integer, primary_key=True))
    block_number: int = Field(sa_column=Column(BigInteger, nullable=False))
    coin: str = Field(sa_column=Column(String(16), nullable=False))
    remittance_id: str = Field(sa_column=Column(String(40), nullable=False))
    sender: str = Field(sa_column=Column(String(42), nullable=False))
    amount: int = Field(sa_column=Column(BigInteger, nullable=False))
    # applied | unknown_ref | not_settled | wrong_sender | wrong_amount | duplicate
    status: str = Field(sa_column=Column(String(16), nullable=False))
    # The burn of an applied return's coin, once the books refunded its remittance.
    burn_tx: str | None = Field(default=None, sa_column=Column(String(66), nullable=True))
    recorded_us: int = Field(sa_column=Column(BigInteger, nullable=False))
    # An operator sends coin the books do not take back to where it came from (`remit chain
    # send-back`): why, then the treasury's transfer to the sender, signed by the chain's owner.
    send_back_reason: str | None = Field(default=None, sa_column=Column(String(200), nullable=True))
    send_back_tx: str | None = Field(default=None, sa_column=Column(String(66), nullable=True))


class ChainCursor(SQLModel, table=True):
    __tablename__ = "chain_cursors"

    name: str = Field(sa_column=Column(String(120), primary_key=True))
    block: int = Field(sa_column=Column(BigInteger, nullable=False))

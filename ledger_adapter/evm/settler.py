"""The settler: the one task (in one process) that signs, records, broadcasts and follows our
transactions.

Each round: contracts a coin needs are deployed; queued remittances are batched (one mint per
coin for what they bring, one `settle()` per partner per window, at most `batch_size` each); every
transaction is signed with the nonce we manage and committed to `chain_txs` before it is sent;
recorded transactions go out in nonce order (the same bytes again after a crash or a node
restart); receipts settle the remittances with their transaction hash and log index. A node that
is down, a timeout, a revert: the round ends and the next one resumes; nothing fails a
remittance."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import structlog
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from ledger_adapter.evm.client import (
    GAS,
    ChainClient,
    ChainError,
    SignedTx,
    settle_gas,
    settled_event,
)
from ledger_adapter.evm.items import ITEMS, TXS, now_us
from ledger_adapter.sql import reading

log = structlog.get_logger("chain")

MAX_ALLOWANCE = 2**256 - 1
TOKEN_NAMES = {"USDC": "USD Coin (remit test)", "EURC": "Euro Coin (remit test)"}


@dataclass(frozen=True)
class ChainSettings:
    window_s: float = 2.0
    batch_size: int = 100
    confirmations: int = 1
    rebroadcast_s: float = 15.0
    # Coins whose token already exists (a public network): drawn from the treasury's
    # inventory, never minted. Others are deployed and minted by us.
    tokens: dict[str, str] = field(default_factory=dict)


class Settler:
    def __init__(
        self,
        engine: AsyncEngine,
        client: ChainClient,
        settings: ChainSettings | None = None,
        on_settled: Callable[[list[str]], Any] = lambda ids: None,
    ) -> None:
        self.engine = engine
        self.client = client
        self.settings = settings or ChainSettings()
        self.on_settled = on_settled
        self.last_error: str | None = None

    # -- start ----------------------------------------------------------------------------------
    async def replay(self) -> int:
        """Rebuild an embedded chain: every transaction we recorded, in nonce order, the same
        bytes. Deterministic, so addresses, balances and log indexes come out as before."""
        async with reading(self.engine) as conn:
            rows = (
                await conn.execute(
                    select(TXS.c.hash, TXS.c.raw, TXS.c.chain_id)
                    .where(TXS.c.sender == self.client.address)
                    .order_by(TXS.c.nonce)
                )
            ).all()
        if not rows:
            return 0  # the chain is not even started
        cid = await self.client.chain_id()
        rows = [r for r in rows if r.chain_id == cid]
        for r in rows:
            await self.client.send_raw(r.raw, r.hash)
        return len(rows)

    async def run(self, stop: asyncio.Event, poll_s: float = 0.25) -> None:
        while not stop.is_set():
            try:
                await self.tick()
            except ChainError as exc:
                self.last_error = str(exc)
                log.warning("chain.wait", error=str(exc)[:300])
                poll = max(poll_s, 1.0)
            else:
                poll = poll_s
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), poll)

    async def tick(self) -> None:
        await self.prepare()
        await self.broadcast()
        await self.follow()
        self.last_error = None

    # -- sign and record --------------------------------------------------------------------------
    async def prepare(self, force: bool = False) -> int:
        """Sign what is due and commit it (deployments, mints, settlements) in one transaction."""
        pick = select(ITEMS).where(ITEMS.c.status == "queued").order_by(ITEMS.c.queued_us)
        async with reading(self.engine) as conn:  # idle rounds take no write lock
            queued = (await conn.execute(pick)).all()
        if not queued or not (force or self._due(queued)):
            return 0
        async with self.engine.begin() as conn:
            queued = (await conn.execute(pick)).all()
            if not queued:
                return 0
            unminted = (
                await conn.execute(
                    select(ITEMS)
                    .where(ITEMS.c.mint_tx.is_(None), ITEMS.c.status != "dropped")
                    .order_by(ITEMS.c.queued_us)
                )
            ).all()
            signer = _Signer(self, conn, await self._next_nonce(conn))
            contracts = await self._ensure_contracts(signer, {r.coin for r in queued})
            await self._mints(signer, contracts, unminted)
            await self._settlements(signer, contracts, queued)
            return signer.count

    def _due(self, queued: list[Any]) -> bool:
        oldest = queued[0].queued_us
        if now_us() - oldest >= self.settings.window_s * 1_000_000:
            return True
        sizes: dict[tuple[str, str], int] = {}
        for r in queued:
            key = (r.coin, r.receiver)
            sizes[key] = sizes.get(key, 0) + 1
        return max(sizes.values()) >= self.settings.batch_size

    async def _next_nonce(self, conn: AsyncConnection) -> int:
        cid, sender = await self.client.chain_id(), self.client.address
        top = (
            await conn.execute(
                select(func.max(TXS.c.nonce)).where(TXS.c.chain_id == cid, TXS.c.sender == sender)
            )
        ).scalar()
        ours = 0 if top is None else top + 1
        return max(ours, await self.client.next_nonce())

    async def _ensure_contracts(self, signer: _Signer, coins: Iterable[str]) -> dict[str, Any]:
        known = await contracts(signer.conn, await self.client.chain_id(), self.client.address)
        c = self.client
        for coin in sorted(coins):
            entry = known.get(coin) or Contracts(coin, self.settings.tokens.get(coin), None)
            if entry.token is None:
                name = TOKEN_NAMES.get(coin, f"{coin} (remit)")
                tx = await signer.sign("deploy_token", coin, c.deploy_token_data(name, coin), None)
                entry = Contracts(coin, tx.created, None, mintable=True)
            if entry.settlement is None:
                data = c.deploy_settlement_data(entry.token)
                tx = await signer.sign("deploy_settlement", coin, data, None)
                entry = Contracts(coin, entry.token, tx.created, entry.mintable)
                approve = c.approve_data(entry.settlement, MAX_ALLOWANCE)
                await signer.sign("approve", coin, approve, entry.token)
            known[coin] = entry
        return known

    async def _mints(self, signer: _Signer, known: dict[str, Any], unminted: list[Any]) -> None:
        """One mint per coin for every remittance not yet minted for (a reverted mint's
        remittances come back here)."""
        by_coin: dict[str, list[Any]] = {}
        for r in unminted:
            if r.coin in known and known[r.coin].mintable:
                by_coin.setdefault(r.coin, []).append(r)
        for coin, rows in by_coin.items():
            amount = sum(r.amount for r in rows)
            data = self.client.mint_data(self.client.address, amount)
            tx = await signer.sign("mint", coin, data, known[coin].token, amount=amount)
            ids = [r.remittance_id for r in rows]
            await signer.conn.execute(
                update(ITEMS).where(ITEMS.c.remittance_id.in_(ids)).values(mint_tx=tx.hash)
            )

    async def _settlements(self, signer: _Signer, known: dict[str, Any], queued: list[Any]) -> None:
        groups: dict[tuple[str, str], list[Any]] = {}
        for r in queued:
            groups.setdefault((r.coin, r.receiver), []).append(r)
        size = self.settings.batch_size
        for (coin, _receiver), rows in groups.items():
            for i in range(0, len(rows), size):
                chunk = rows[i : i + size]
                items = [(r.receiver, r.amount, r.remittance_id) for r in chunk]
                data = self.client.settle_data(items)
                amount = sum(r.amount for r in chunk)
                tx = await signer.sign(
                    "settle", coin, data, known[coin].settlement, settle_gas(len(chunk)), amount
                )
                ids = [r.remittance_id for r in chunk]
                await signer.conn.execute(
                    update(ITEMS)
                    .where(ITEMS.c.remittance_id.in_(ids))
                    .values(status="batched", settle_tx=tx.hash)
                )

    # -- broadcast and follow -----------------------------------------------------------------
    async def broadcast(self) -> int:
        """Send every recorded transaction not yet sent, in nonce order; a send that fails
        leaves it `signed` for the next round (no later nonce goes before it)."""
        async with reading(self.engine) as conn:
            rows = (
                await conn.execute(
                    select(TXS.c.hash, TXS.c.raw)
                    .where(TXS.c.status == "signed")
                    .order_by(TXS.c.nonce)
                )
            ).all()
        sent = 0
        for r in rows:
            await self.client.send_raw(r.raw, r.hash)
            await self._mark(r.hash, status="sent", sent_us=now_us(), attempts=TXS.c.attempts + 1)
            sent += 1
        return sent

    async def follow(self) -> int:
        """Receipts of sent transactions; a final one settles its remittances (or requeues them
        on a revert). One the node has forgotten (restarted, pruned) goes again, same bytes."""
        async with reading(self.engine) as conn:
            rows = (
                await conn.execute(select(TXS).where(TXS.c.status == "sent").order_by(TXS.c.nonce))
            ).all()
        if not rows:
            return 0
        head = await self.client.block_number()
        done = 0
        for tx in rows:
            receipt = await self.client.receipt(tx.hash)
            if receipt is None:
                if now_us() - (tx.sent_us or 0) > self.settings.rebroadcast_s * 1_000_000:
                    await self.client.send_raw(tx.raw, tx.hash)
                    await self._mark(tx.hash, sent_us=now_us(), attempts=TXS.c.attempts + 1)
                continue
            if head - receipt.block_number + 1 < self.settings.confirmations:
                continue
            await self._final(tx, receipt)
            done += 1
        return done

    async def _final(self, tx: Any, receipt: Any) -> None:
        ok = receipt.status == 1
        settled: list[str] = []
        async with self.engine.begin() as conn:
            await conn.execute(
                update(TXS)
                .where(TXS.c.hash == tx.hash)
                .values(
                    status="mined" if ok else "reverted",
                    block_number=receipt.block_number,
                    gas_used=receipt.gas_used,
                    mined_us=now_us(),
                )
            )
            if tx.purpose == "settle" and ok:
                for e in (settled_event(x) for x in receipt.logs):
                    if e is None:
                        continue
                    await conn.execute(
                        update(ITEMS)
                        .where(
                            ITEMS.c.remittance_id == e.remittance_id,
                            ITEMS.c.settle_tx == tx.hash,
                        )
                        .values(status="settled", log_index=e.log_index, settled_us=now_us())
                    )
                    settled.append(e.remittance_id)
            elif tx.purpose == "settle":
                await conn.execute(
                    update(ITEMS)
                    .where(ITEMS.c.settle_tx == tx.hash, ITEMS.c.status == "batched")
                    .values(status="queued", settle_tx=None)
                )
            elif tx.purpose == "mint" and not ok:
                await conn.execute(
                    update(ITEMS).where(ITEMS.c.mint_tx == tx.hash).values(mint_tx=None)
                )
        if not ok:
            log.warning("chain.reverted", tx=tx.hash, purpose=tx.purpose, coin=tx.coin)
        if settled:
            log.info("chain.settled", tx=tx.hash, coin=tx.coin, remittances=len(settled))
            woken = self.on_settled(settled)
            if inspect.isawaitable(woken):
                await woken

    async def _mark(self, tx_hash: str, **values: Any) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(update(TXS).where(TXS.c.hash == tx_hash).values(**values))


@dataclass(frozen=True)
class Contracts:
    coin: str
    token: str | None
    settlement: str | None
    mintable: bool = False


async def contracts(conn: AsyncConnection, chain_id: int, sender: str) -> dict[str, Contracts]:
    """Per coin, the token and settlement contract our recorded deployments created (a
    reverted deployment does not count)."""
    rows = (
        await conn.execute(
            select(TXS.c.purpose, TXS.c.coin, TXS.c.created_address)
            .where(
                TXS.c.chain_id == chain_id,
                TXS.c.sender == sender,
                TXS.c.purpose.in_(("deploy_token", "deploy_settlement")),
                TXS.c.status != "reverted",
            )
            .order_by(TXS.c.nonce)
        )
    ).all()
    out: dict[str, dict[str, Any]] = {}
    for r in rows:
        key = "token" if r.purpose == "deploy_token" else "settlement"
        out.setdefault(r.coin, {})[key] = r.created_address
    return {
        coin: Contracts(coin, d.get("token"), d.get("settlement"), mintable="token" in d)
        for coin, d in out.items()
    }


class _Signer:
    """Signs with consecutive nonces and records each transaction in the open transaction."""

    def __init__(self, settler: Settler, conn: AsyncConnection, nonce: int) -> None:
        self.settler, self.conn, self.nonce, self.count = settler, conn, nonce, 0
        self._fees: tuple[int, int] | None = None

    async def sign(
        self,
        purpose: str,
        coin: str,
        data: bytes,
        to: str | None,
        gas: int | None = None,
        amount: int = 0,
    ) -> SignedTx:
        client = self.settler.client
        if self._fees is None:
            self._fees = await client.fees()
        limit = gas or GAS[purpose]
        tx = await client.sign(self.nonce, data, to, limit, self._fees)
        await self.conn.execute(
            TXS.insert().values(
                hash=tx.hash,
                chain_id=await client.chain_id(),
                sender=client.address,
                nonce=tx.nonce,
                raw=tx.raw,
                purpose=purpose,
                coin=coin,
                to_address=to,
                created_address=tx.created,
                amount=amount,
                status="signed",
                attempts=0,
                created_us=now_us(),
            )
        )
        self.nonce += 1
        self.count += 1
        return tx

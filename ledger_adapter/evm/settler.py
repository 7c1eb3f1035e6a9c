"""The settler: the one task (in one process) that signs, records, broadcasts and follows our
transactions.

Each round: contracts a coin needs are deployed; queued remittances are batched (one mint per
coin for what they bring, one `settle()` per partner per window, at most `batch_size` each); every
transaction is signed with the nonce we manage and committed to `chain_txs` before it is sent;
recorded transactions go out in nonce order (the same bytes again after a crash or a node
restart); receipts settle the remittances with their transaction hash and log index. A node that
is down, a timeout, a revert: the round ends and the next one resumes; nothing fails a
remittance.

It also watches the settlement contracts' `Returned` events (a partner giving coin back with a
remittance's reference) from a block cursor kept in `chain_cursors`: each event is recorded once
in `chain_returns`, in the same database transaction as the cursor, and applied only when it
matches exactly one settled remittance (its reference, the address it was paid to, its
amount); an applied return's coin is burnt on chain (one burn per coin per round) once the
books have refunded its remittance (`refunded`, given by the gateway, which burns it in the
ledger then), never before: a remittance that is paid out after all keeps it unburnt. Anything
else is recorded and shown, never applied. Coin the books do not take (a return not applied,
or one for a remittance paid out) an operator sends back to its sender (`request_send_back`):
the next round signs the treasury's transfer.

`REMIT_CHAIN_CRASH_AT` (tests only): `after_sign`, `after_record`, `after_broadcast` or
`after_receipt` ends the process (os._exit) the first time a settle() transaction reaches that
point, so a crash test can kill it exactly there."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import os
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import structlog
from sqlalchemy import bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from ledger_adapter.evm.client import (
    GAS,
    ChainClient,
    ChainError,
    ReturnedEvent,
    SignedTx,
    settle_gas,
    settled_event,
)
from ledger_adapter.evm.items import CURSORS, ITEMS, RETURNS, TXS, now_us
from ledger_adapter.sessions import reading

log = structlog.get_logger("chain")

MAX_ALLOWANCE = 2**256 - 1
CRASH_POINTS = ("after_sign", "after_record", "after_broadcast", "after_receipt")
GAS_GIFT_WEI = 10**16
"""Ether the settler gives a partner it plays on a chain it owns, for the gas of its returns."""
TOKEN_NAMES = {"USDC": "USD Coin (remit test)", "EURC": "Euro Coin (remit test)"}


@dataclass(frozen=True)
class ChainSettings:
    window_s: float = 2.0
    batch_size: int = 100
    confirmations: int = 1
    rebroadcast_s: float = 15.0
    # How often a round also reads the partners' Returned events (a return is rare, and the
    # read costs the chain's owner as much as the rest of an idle round).
    returns_poll_s: float = 2.0
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
        on_returned: Callable[[list[str]], Any] = lambda ids: None,
        refunded: Refunded | None = None,
    ) -> None:
        self.engine = engine
        self.client = client
        self.settings = settings or ChainSettings()
        self.on_settled = on_settled
        self.on_returned = on_returned
        self.refunded = refunded or _all_refunded
        self.last_error: str | None = None
        self._signing = asyncio.Lock()  # one nonce sequence: prepare, gas gifts, foreign txs
        self._next_watch = 0.0
        self._crash_at = os.environ.get("REMIT_CHAIN_CRASH_AT") or None
        if self._crash_at is not None and self._crash_at not in CRASH_POINTS:
            raise ValueError(f"REMIT_CHAIN_CRASH_AT={self._crash_at!r}: one of {CRASH_POINTS}")

    def _crash(self, point: str, purpose: str = "settle") -> None:
        """Tests only: die here, once, without cleanup (a SIGKILL at a chosen point)."""
        if self._crash_at == point and purpose == "settle":
            log.warning("chain.crash_point", point=point)
            os._exit(137)

    # -- start ----------------------------------------------------------------------------------
    async def replay(self) -> int:
        """Rebuild an embedded chain: every transaction we recorded (ours, and the partners'
        returns we accepted for it), the same bytes, in the order the chain mined them (then
        the unmined ones, in the order they were signed). Deterministic, so addresses, balances
        and log indexes come out as before."""
        async with reading(self.engine) as conn:
            rows = (
                await conn.execute(
                    select(
                        TXS.c.hash,
                        TXS.c.raw,
                        TXS.c.chain_id,
                        TXS.c.block_number,
                        TXS.c.created_us,
                        TXS.c.nonce,
                    )
                )
            ).all()
        if not rows:
            return 0  # the chain is not even started
        cid = await self.client.chain_id()
        rows = [r for r in rows if r.chain_id == cid]
        rows.sort(
            key=lambda r: (r.block_number is None, r.block_number or 0, r.created_us, r.nonce)
        )
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
        if time.monotonic() >= self._next_watch:
            await self.watch_returns()
            self._next_watch = time.monotonic() + self.settings.returns_poll_s
        self.last_error = None

    # -- sign and record --------------------------------------------------------------------------
    async def prepare(self, force: bool = False) -> int:
        """Sign what is due and commit it (deployments, mints, settlements) in one transaction."""
        pick = select(ITEMS).where(ITEMS.c.status == "queued").order_by(ITEMS.c.queued_us)
        unburnt = select(RETURNS).where(
            RETURNS.c.status == "applied",
            RETURNS.c.burn_tx.is_(None),
            RETURNS.c.send_back_reason.is_(None),
        )
        async with reading(self.engine) as conn:  # idle rounds take no write lock
            queued = (await conn.execute(pick)).all()
            burns = await self._burnable(conn, (await conn.execute(unburnt)).all())
            sends = (await conn.execute(UNSENT_BACK.limit(1))).first()
        idle = not queued or not (force or self._due(queued))
        if not burns and sends is None and idle:
            return 0
        async with self._signing:
            signed = await self._prepare(pick, unburnt, force)
        if signed.get("settle"):
            self._crash("after_record")
        return sum(signed.values())

    async def _prepare(self, pick: Any, unburnt: Any, force: bool) -> dict[str, int]:
        async with self.engine.begin() as conn:
            queued = (await conn.execute(pick)).all()
            signer = _Signer(self, conn, await self._next_nonce(conn))
            if not queued or not (force or self._due(queued)):
                queued = []
            burnable = await self._burnable(conn, (await conn.execute(unburnt)).all())
            await self._burns(signer, burnable)
            await self._send_backs(signer, (await conn.execute(UNSENT_BACK)).all())
            if not queued:
                return signer.counts
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
            if signer.counts.get("settle"):
                self._crash("after_sign")  # signed, the database transaction not committed
            return signer.counts

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

    async def _burns(self, signer: _Signer, returns: list[Any]) -> None:
        """Coin partners gave back for refunded remittances leaves circulation: one burn per
        coin (the ledger burns the same amounts when it refunds them)."""
        if not returns:
            return
        known = await contracts(signer.conn, await self.client.chain_id(), self.client.address)
        for coin, rows in _by_mintable_coin(returns, known).items():
            amount = sum(r.amount for r in rows)
            data = self.client.burn_data(amount)
            tx = await signer.sign("burn", coin, data, known[coin].token, amount=amount)
            await _mark_returns(signer.conn, rows, burn_tx=tx.hash)

    async def _burnable(self, conn: AsyncConnection, returns: list[Any]) -> list[Any]:
        """The applied returns whose remittances the books have refunded."""
        if not returns:
            return []
        refunded = await self.refunded(conn, sorted({r.remittance_id for r in returns}))
        return [r for r in returns if r.remittance_id in refunded]

    async def _send_backs(self, signer: _Signer, returns: list[Any]) -> None:
        """Coin an operator decided to send back: one transfer from the treasury per return."""
        if not returns:
            return
        known = await contracts(signer.conn, await self.client.chain_id(), self.client.address)
        for r in returns:
            if r.coin not in known or known[r.coin].token is None:
                continue
            data = self.client.transfer_data(r.sender, r.amount)
            tx = await signer.sign("send_back", r.coin, data, known[r.coin].token, amount=r.amount)
            await _mark_returns(signer.conn, [r], send_back_tx=tx.hash)

    async def _mints(self, signer: _Signer, known: dict[str, Any], unminted: list[Any]) -> None:
        """One mint per coin for every remittance not yet minted for (a reverted mint's
        remittances come back here)."""
        for coin, rows in _by_mintable_coin(unminted, known).items():
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
        """Send every recorded transaction not yet sent: ours in nonce order (a send that fails
        leaves it `signed` for the next round, and no later nonce goes before it), then the
        foreign ones we accepted (whose refusal never holds ours back)."""
        async with reading(self.engine) as conn:
            rows = (
                await conn.execute(
                    select(TXS.c.hash, TXS.c.raw, TXS.c.purpose, TXS.c.sender, TXS.c.created_us)
                    .where(TXS.c.status == "signed")
                    .order_by(TXS.c.nonce)
                )
            ).all()
        me = self.client.address
        ours = [r for r in rows if r.sender == me]
        foreign = sorted((r for r in rows if r.sender != me), key=lambda r: r.created_us)
        sent = 0
        for r in ours + foreign:
            try:
                await self.client.send_raw(r.raw, r.hash)
            except ChainError as exc:
                if r.sender == self.client.address:
                    raise
                log.warning("chain.foreign_refused", tx=r.hash, error=str(exc)[:200])
                continue
            self._crash("after_broadcast", r.purpose)
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
            self._crash("after_receipt", tx.purpose)
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
                events = [e for e in map(settled_event, receipt.logs) if e is not None]
                if events:  # one statement, many rows (executemany)
                    at = now_us()
                    await conn.execute(
                        update(ITEMS)
                        .where(
                            ITEMS.c.remittance_id == bindparam("rid"),
                            ITEMS.c.settle_tx == tx.hash,
                        )
                        .values(status="settled", log_index=bindparam("li"), settled_us=at),
                        [{"rid": e.remittance_id, "li": e.log_index} for e in events],
                    )
                settled = [e.remittance_id for e in events]
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
            elif tx.purpose == "burn" and not ok:
                await conn.execute(
                    update(RETURNS).where(RETURNS.c.burn_tx == tx.hash).values(burn_tx=None)
                )
            elif tx.purpose == "send_back" and not ok:
                await conn.execute(
                    update(RETURNS)
                    .where(RETURNS.c.send_back_tx == tx.hash)
                    .values(send_back_tx=None)
                )
        if not ok:
            log.warning("chain.reverted", tx=tx.hash, purpose=tx.purpose, coin=tx.coin)
        if settled:
            log.info("chain.settled", tx=tx.hash, coin=tx.coin, remittances=len(settled))
            woken = self.on_settled(settled)
            if inspect.isawaitable(woken):
                await woken

    # -- coin coming back ---------------------------------------------------------------------
    async def watch_returns(self) -> int:
        """Record the `Returned` events of every settlement contract of ours, from the block
        after its cursor to the last confirmed one; each once (the cursor moves in the same
        database transaction), applied when it matches exactly one settled remittance."""
        cid = await self.client.chain_id()
        async with reading(self.engine) as conn:
            known = await contracts(conn, cid, self.client.address)
            cursors = {r.name: r.block for r in (await conn.execute(select(CURSORS))).all()}
        watched = [(c.coin, c.settlement) for c in known.values() if c.settlement]
        if not watched:
            return 0
        upto = await self.client.block_number() - (self.settings.confirmations - 1)
        applied: list[str] = []
        seen = 0
        for coin, settlement in sorted(watched):
            name = f"{cid}:{settlement.lower()}:returned"
            start = cursors.get(name, -1) + 1
            if start > upto:
                continue
            events = await self.client.returned_events(settlement, start, upto)
            async with self.engine.begin() as conn:
                for e in events:
                    if await self._record_return(conn, coin, e):
                        applied.append(e.remittance_id)
                seen += len(events)
                await _set_cursor(conn, name, upto, name in cursors)
        if applied:
            log.info("chain.returned", remittances=len(applied))
            woken = self.on_returned(applied)
            if inspect.isawaitable(woken):
                await woken
        return seen

    async def _record_return(self, conn: AsyncConnection, coin: str, e: ReturnedEvent) -> bool:
        key = (RETURNS.c.tx_hash == e.tx_hash, RETURNS.c.log_index == e.log_index)
        if (await conn.execute(select(RETURNS.c.status).where(*key))).first() is not None:
            return False
        row = (
            await conn.execute(select(ITEMS).where(ITEMS.c.remittance_id == e.remittance_id))
        ).first()
        status = return_status(row, coin, e)
        await conn.execute(
            RETURNS.insert().values(
                tx_hash=e.tx_hash,
                log_index=e.log_index,
                block_number=e.block_number,
                coin=coin,
                remittance_id=e.remittance_id,
                sender=e.sender,
                amount=e.amount,
                status=status,
                recorded_us=now_us(),
            )
        )
        if status != "applied":
            log.warning("chain.return_not_applied", tx=e.tx_hash, status=status, amount=e.amount)
            return False
        await conn.execute(
            update(ITEMS)
            .where(ITEMS.c.remittance_id == e.remittance_id, ITEMS.c.status == "settled")
            .values(status="returned")
        )
        return True

    async def partner_gives_back(
        self, partner_key: str, remittance_id: str, amount: int | None = None
    ) -> list[str]:
        """Play the partner (the simulator, a test) on a chain this process owns: approve the
        settlement contract and call give_back(ref, amount) with the partner's key (amount:
        what was settled, unless told otherwise). Ether for its gas first, once, if it has
        none. Both transactions are recorded as foreign ones and sent with the next round."""
        from eth_account import Account

        partner = ChainClient(self.client.w3.provider, partner_key, await self.client.chain_id())
        async with self._signing:
            async with reading(self.engine) as conn:
                row = (
                    await conn.execute(select(ITEMS).where(ITEMS.c.remittance_id == remittance_id))
                ).first()
                known = await contracts(conn, await self.client.chain_id(), self.client.address)
                gifted = (
                    await conn.execute(
                        select(TXS.c.hash).where(
                            TXS.c.purpose == "gas", TXS.c.to_address == partner.address
                        )
                    )
                ).first()
                top = (
                    await conn.execute(
                        select(func.max(TXS.c.nonce)).where(TXS.c.sender == partner.address)
                    )
                ).scalar()
            if row is None or row.coin not in known or known[row.coin].settlement is None:
                raise ValueError(f"{remittance_id} was not settled on chain")
            c = known[row.coin]
            value = row.amount if amount is None else amount
            if gifted is None and await self._ask_balance(partner.address) < GAS_GIFT_WEI // 2:
                async with self.engine.begin() as conn:
                    signer = _Signer(self, conn, await self._next_nonce(conn))
                    await signer.sign(
                        "gas", "ETH", b"", partner.address, amount=GAS_GIFT_WEI, value=GAS_GIFT_WEI
                    )
            nonce = max(0 if top is None else top + 1, await partner.next_nonce())
            fees = await self.client.fees()
            approve = await partner.sign(
                nonce, partner.approve_data(c.settlement, value), c.token, GAS["approve"], fees
            )
            back = await partner.sign(
                nonce + 1,
                partner.give_back_data(remittance_id, value),
                c.settlement,
                GAS["give_back"],
                fees,
            )
            for tx in (approve, back):
                await self.accept_foreign(tx, row.coin, Account.from_key(partner_key).address)
        return [approve.hash, back.hash]

    async def _ask_balance(self, address: str) -> int:
        try:
            return int(await self.client.w3.eth.get_balance(address))
        except Exception as exc:
            raise ChainError(str(exc)) from exc

    async def accept_foreign(self, tx: SignedTx, coin: str, sender: str) -> None:
        """A transaction someone else signed (a partner's return on the embedded chain, which
        only this process can reach): recorded before it is sent, like ours, so a restart
        replays it in place."""
        async with self.engine.begin() as conn:
            exists = (await conn.execute(select(TXS.c.hash).where(TXS.c.hash == tx.hash))).first()
            if exists is None:
                await conn.execute(
                    TXS.insert().values(
                        hash=tx.hash,
                        chain_id=await self.client.chain_id(),
                        sender=sender,
                        nonce=tx.nonce,
                        raw=tx.raw,
                        purpose="foreign",
                        coin=coin,
                        to_address=tx.to,
                        amount=0,
                        status="signed",
                        attempts=0,
                        created_us=now_us(),
                    )
                )

    async def _mark(self, tx_hash: str, **values: Any) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(update(TXS).where(TXS.c.hash == tx_hash).values(**values))


Refunded = Callable[[AsyncConnection, list[str]], Awaitable[set[str]]]
"""Which of these remittances the books have refunded (their returned coin may be burnt)."""

UNSENT_BACK = select(RETURNS).where(
    RETURNS.c.send_back_reason.is_not(None), RETURNS.c.send_back_tx.is_(None)
)


async def _all_refunded(conn: AsyncConnection, ids: list[str]) -> set[str]:
    """Without a gateway's books (the settler on its own, in tests): every applied return."""
    return set(ids)


SEND_BACK_REFUSED = {
    "burnt": "its coin was burnt: the books refunded the remittance",
    "sent": "it is already being sent back",
}


async def find_return(conn: AsyncConnection, tx_hash: str, log_index: int) -> Any | None:
    """The recorded return of this Returned event, or None."""
    key = (RETURNS.c.tx_hash == tx_hash, RETURNS.c.log_index == log_index)
    return (await conn.execute(select(RETURNS).where(*key))).first()


async def request_send_back(
    conn: AsyncConnection, tx_hash: str, log_index: int, reason: str
) -> Any:
    """Mark a recorded return's coin to go back to its sender; the chain's owner signs the
    transfer in its next round (one process signs). An applied return leaves its remittance
    `settled` again: the partner gets its coin back, and the books never took it. Refused
    (ValueError) for a return whose coin was burnt or is already going back."""
    row = await find_return(conn, tx_hash, log_index)
    if row is None:
        raise LookupError(f"no return {tx_hash}#{log_index} recorded")
    key = (RETURNS.c.tx_hash == tx_hash, RETURNS.c.log_index == log_index)
    if row.burn_tx is not None:
        raise ValueError(SEND_BACK_REFUSED["burnt"])
    if row.send_back_reason is not None:
        raise ValueError(SEND_BACK_REFUSED["sent"])
    await conn.execute(update(RETURNS).where(*key).values(send_back_reason=reason[:200]))
    if row.status == "applied":
        await conn.execute(
            update(ITEMS)
            .where(ITEMS.c.remittance_id == row.remittance_id, ITEMS.c.status == "returned")
            .values(status="settled")
        )
    return row


def return_status(row: Any | None, coin: str, e: ReturnedEvent) -> str:
    """Whether a Returned event gives back exactly one settled remittance's coin."""
    if row is None or row.coin != coin:
        return "unknown_ref"
    if row.receiver.lower() != e.sender.lower():
        return "wrong_sender"
    if row.status == "returned":
        return "duplicate"
    if row.status != "settled":
        return "not_settled"
    if row.amount != e.amount:
        return "wrong_amount"
    return "applied"


def _by_mintable_coin(rows: list[Any], known: dict[str, Contracts]) -> dict[str, list[Any]]:
    """Rows by coin, for the coins we mint (and so burn); an inventory coin is neither."""
    by_coin: dict[str, list[Any]] = {}
    for r in rows:
        if r.coin in known and known[r.coin].mintable:
            by_coin.setdefault(r.coin, []).append(r)
    return by_coin


async def _mark_returns(conn: AsyncConnection, rows: list[Any], **values: Any) -> None:
    for r in rows:
        await conn.execute(
            update(RETURNS)
            .where(RETURNS.c.tx_hash == r.tx_hash, RETURNS.c.log_index == r.log_index)
            .values(**values)
        )


async def _set_cursor(conn: AsyncConnection, name: str, block: int, exists: bool) -> None:
    if exists:
        await conn.execute(update(CURSORS).where(CURSORS.c.name == name).values(block=block))
    else:
        await conn.execute(CURSORS.insert().values(name=name, block=block))


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
        self.settler, self.conn, self.nonce = settler, conn, nonce
        self.counts: dict[str, int] = {}
        self._fees: tuple[int, int] | None = None

    async def sign(
        self,
        purpose: str,
        coin: str,
        data: bytes,
        to: str | None,
        gas: int | None = None,
        amount: int = 0,
        value: int = 0,
    ) -> SignedTx:
        client = self.settler.client
        if self._fees is None:
            self._fees = await client.fees()
        limit = gas or GAS[purpose]
        tx = await client.sign(self.nonce, data, to, limit, self._fees, value)
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
        self.counts[purpose] = self.counts.get(purpose, 0) + 1
        return tx

"""Do our books and the chain agree? Every figure on chain is compared with what our records
and the ledger say it must be; each difference is one line.

Per coin: `totalSupply` == the coin minted by our mined mint transactions (== the ledger's
payout transfers of those remittances) less what our mined burns of returned coin destroyed;
the treasury's `balanceOf` == minted less settled plus every return recorded less burnt and
less sent back; each address's `balanceOf` == the remittances settled to it less what it gave
back plus what was sent back to it.
Every `Settled` event matches exactly one settled remittance (transaction hash, log index,
receiver, amount) and one ledger payout transfer, and every settled remittance has exactly one
event. Every `Returned` event is recorded once (`chain_returns`) and the reverse; a return not
applied (unknown reference, wrong sender or amount, a duplicate), or applied for a remittance
the books keep as paid (`kept`, given by the gateway), is a difference until its coin is sent
back (`remit chain send-back`); a remittance marked returned has exactly one applied return."""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from ledger_adapter.evm.client import ChainClient
from ledger_adapter.evm.items import ITEMS, RETURNS, TXS
from ledger_adapter.evm.settler import contracts
from ledger_adapter.port import Ledger
from ledger_adapter.sessions import reading


@dataclass
class CoinFigures:
    coin: str
    token: str | None
    settlement: str | None
    total_supply: int | None = None
    treasury_balance: int | None = None
    partner_balances: dict[str, int] = field(default_factory=dict)


async def status(engine: AsyncEngine, client: ChainClient) -> dict[str, Any]:
    """Network, addresses, supply and balance per coin, pending transactions."""
    cid = await client.chain_id()
    async with reading(engine) as conn:
        known = await contracts(conn, cid, client.address)
        pending = (
            await conn.execute(
                select(TXS.c.hash, TXS.c.nonce, TXS.c.purpose, TXS.c.coin, TXS.c.status)
                .where(TXS.c.status.in_(("signed", "sent")))
                .order_by(TXS.c.nonce)
            )
        ).all()
        receivers = (await conn.execute(select(ITEMS.c.coin, ITEMS.c.receiver).distinct())).all()
        unapplied = (
            await conn.execute(
                select(RETURNS)
                .where(RETURNS.c.status != "applied")
                .where(RETURNS.c.send_back_tx.is_(None))
                .order_by(RETURNS.c.recorded_us)
            )
        ).all()
        sending = (
            await conn.execute(
                select(RETURNS.c.tx_hash, RETURNS.c.log_index, RETURNS.c.send_back_tx, TXS.c.status)
                .join(TXS, TXS.c.hash == RETURNS.c.send_back_tx, isouter=True)
                .where(RETURNS.c.send_back_reason.is_not(None))
                .order_by(RETURNS.c.recorded_us)
            )
        ).all()
    coins = []
    for coin, c in sorted(known.items()):
        entry: dict[str, Any] = {"coin": coin, "token": c.token, "settlement": c.settlement}
        if c.token:
            entry["total_supply"] = await client.total_supply(c.token)
            entry["treasury_balance"] = await client.balance_of(c.token, client.address)
            entry["partners"] = {
                r.receiver: await client.balance_of(c.token, r.receiver)
                for r in receivers
                if r.coin == coin
            }
        coins.append(entry)
    return {
        "chain_id": cid,
        "block": await client.block_number(),
        "treasury": client.address,
        "coins": coins,
        "returns_not_applied": [
            {
                "tx_hash": r.tx_hash,
                "log_index": r.log_index,
                "coin": r.coin,
                "remittance_id": r.remittance_id,
                "from": r.sender,
                "amount": r.amount,
                "status": r.status,
                "send_back": r.send_back_reason,
            }
            for r in unapplied
        ],
        "returns_sent_back": [
            {
                "return": f"{r.tx_hash}#{r.log_index}",
                "tx_hash": r.send_back_tx,
                "status": r.status or "due",
            }
            for r in sending
        ],
        "pending": [
            {
                "hash": p.hash,
                "nonce": p.nonce,
                "purpose": p.purpose,
                "coin": p.coin,
                "status": p.status,
            }
            for p in pending
        ],
    }


Kept = Callable[[AsyncConnection, list[str]], Awaitable[dict[str, str]]]
"""Of these remittances, those the books keep as they are although their coin came back (paid
out after all), with their state."""


async def _none_kept(conn: AsyncConnection, ids: list[str]) -> dict[str, str]:
    return {}


async def reconcile(
    engine: AsyncEngine, client: ChainClient, ledger: Ledger, kept: Kept = _none_kept
) -> list[str]:
    cid = await client.chain_id()
    async with reading(engine) as conn:
        known = await contracts(conn, cid, client.address)
        items = (await conn.execute(select(ITEMS).where(ITEMS.c.status != "dropped"))).all()
        returns = (await conn.execute(select(RETURNS))).all()
        held = [r for r in returns if _held(r)]
        kept_ids = await kept(conn, sorted({r.remittance_id for r in held})) if held else {}
        txs = {
            r.hash: r
            for r in (
                await conn.execute(
                    select(TXS).where(TXS.c.chain_id == cid, TXS.c.sender == client.address)
                )
            ).all()
        }
    payouts = await ledger.get_transfers([f"{i.remittance_id}:payout" for i in items])
    found: list[str] = []
    for i in items:
        t = payouts.get(f"{i.remittance_id}:payout")
        if t is None:
            found.append(f"{i.remittance_id}: no ledger payout transfer for its chain settlement")
        elif t.amount != i.amount or t.asset != i.coin:
            found.append(
                f"{i.remittance_id}: ledger payout {t.amount} {t.asset} "
                f"!= chain {i.amount} {i.coin}"
            )

    def mined(h: str | None) -> bool:
        return h is not None and h in txs and txs[h].status == "mined"

    for coin, c in sorted(known.items()):
        if c.token is None or c.settlement is None:
            continue
        mine = [i for i in items if i.coin == coin]
        back = [r for r in returns if r.coin == coin]
        minted = sum(i.amount for i in mine if mined(i.mint_tx))
        burnt = sum(
            t.amount
            for t in txs.values()
            if t.purpose == "burn" and t.coin == coin and t.status == "mined"
        )
        settled = [i for i in mine if i.status in ("settled", "returned")]
        sent_back = [r for r in back if mined(r.send_back_tx)]
        supply = await client.total_supply(c.token)
        if c.mintable and supply != minted - burnt:
            found.append(
                f"{coin}: totalSupply {supply} != minted for remittances {minted}"
                + (f" less burnt {burnt}" if burnt else "")
            )
        treasury = await client.balance_of(c.token, client.address)
        expected_treasury = (
            minted
            - sum(i.amount for i in settled)
            + sum(r.amount for r in back)
            - burnt
            - sum(r.amount for r in sent_back)
        )
        if c.mintable and treasury != expected_treasury:
            found.append(
                f"{coin}: treasury {client.address} balanceOf {treasury} != {expected_treasury}"
            )
        by_address: Counter[str] = Counter()
        for i in settled:
            by_address[i.receiver.lower()] += i.amount
        for r in back:
            by_address[r.sender.lower()] -= r.amount
        for r in sent_back:
            by_address[r.sender.lower()] += r.amount
        holders = {i.receiver.lower() for i in mine} | {r.sender.lower() for r in back}
        for address in sorted(holders):
            balance = await client.balance_of(c.token, address)
            if balance != by_address[address]:
                found.append(
                    f"{coin}: {address} balanceOf {balance} != settled to it less given back "
                    f"{by_address[address]}"
                )
        events = await client.settled_events(c.settlement)
        by_id: dict[str, list] = {}
        for e in events:
            by_id.setdefault(e.remittance_id, []).append(e)
        rows = {i.remittance_id: i for i in mine}
        for rid, evs in sorted(by_id.items()):
            row = rows.get(rid)
            if len(evs) > 1:
                found.append(f"{coin}: {rid} settled {len(evs)} times on chain")
            if row is None:
                found.append(f"{coin}: Settled event for {rid} matches no remittance of ours")
                continue
            e = evs[0]
            mismatch = (
                row.status not in ("settled", "returned")
                or row.settle_tx != e.tx_hash
                or row.log_index != e.log_index
                or row.amount != e.amount
                or row.receiver.lower() != e.receiver.lower()
            )
            if mismatch:
                found.append(
                    f"{coin}: {rid} event {e.tx_hash}#{e.log_index} {e.amount} to {e.receiver} "
                    f"!= record {row.settle_tx}#{row.log_index} {row.amount} to {row.receiver} "
                    f"({row.status})"
                )
        for i in settled:
            if i.remittance_id not in by_id:
                found.append(f"{coin}: {i.remittance_id} recorded settled, no Settled event")
        events = await client.returned_events(c.settlement)
        found += _returns(coin, mine, back, events, kept_ids, mined)
    return found


def _held(r: Any) -> bool:
    """A return whose coin is still in the treasury: neither burnt nor sent back (or asked)."""
    return r.burn_tx is None and r.send_back_reason is None


def _returns(
    coin: str,
    mine: list,
    back: list,
    events: list,
    kept: dict[str, str],
    mined: Callable[[str | None], bool],
) -> list[str]:
    """Returned events == recorded returns, one to one; each return whose coin the books do not
    take is shown until it is sent back; each remittance marked returned has exactly one
    applied return."""
    found: list[str] = []
    recorded = {(r.tx_hash, r.log_index): r for r in back}
    on_chain = {(e.tx_hash, e.log_index): e for e in events}
    for key, e in sorted(on_chain.items()):
        r = recorded.get(key)
        if r is None:
            found.append(
                f"{coin}: Returned event {e.tx_hash}#{e.log_index} ({e.amount} from {e.sender} "
                f"for {e.remittance_id}) not recorded yet"
            )
        elif r.amount != e.amount or r.sender.lower() != e.sender.lower():
            found.append(f"{coin}: return {e.tx_hash}#{e.log_index} differs from its record")
    for key, r in sorted(recorded.items()):
        if key not in on_chain:
            found.append(f"{coin}: return {r.tx_hash}#{r.log_index} recorded, no Returned event")
        what = f"{coin}: return {r.tx_hash}#{r.log_index} of {r.amount} from {r.sender} for "
        if r.send_back_reason is not None and not mined(r.send_back_tx):
            found.append(what + f"{r.remittance_id}: being sent back ({r.send_back_tx or 'due'})")
        elif r.send_back_reason is not None:
            continue
        elif r.status != "applied":
            found.append(
                what + f"{r.remittance_id} not applied ({r.status}): an operator sends it back "
                f"(remit chain send-back {r.tx_hash}#{r.log_index})"
            )
        elif _held(r) and r.remittance_id in kept:
            found.append(
                what + f"{r.remittance_id}, which is {kept[r.remittance_id]}: held in the "
                f"treasury, the books keep the payout; an operator sends it back "
                f"(remit chain send-back {r.tx_hash}#{r.log_index})"
            )
    applied = Counter(
        r.remittance_id for r in back if r.status == "applied" and r.send_back_reason is None
    )
    for i in mine:
        want = 1 if i.status == "returned" else 0
        if applied[i.remittance_id] != want:
            found.append(
                f"{coin}: {i.remittance_id} ({i.status}) has {applied[i.remittance_id]} "
                "applied returns"
            )
    return found

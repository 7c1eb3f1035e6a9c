"""The settler against both engines (the embedded py-evm chain and a real anvil node): batched
settlement, one event per remittance with its reference, the transaction recorded before it is
sent, the same bytes again after a restart, a node that goes away waited out."""

from __future__ import annotations

import asyncio
import time

import pytest
from eth_account import Account
from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine

from ledger_adapter.evm import transport
from ledger_adapter.evm.client import ChainClient, ChainError
from ledger_adapter.evm.items import CURSORS, ITEMS, RETURNS, TXS, queue
from ledger_adapter.evm.reconcile import reconcile, status
from ledger_adapter.evm.settler import ChainSettings, Settler, contracts
from tests.conftest import ANVIL_KEY

EMBEDDED_KEY = "0x" + "33" * 32


@pytest.fixture
async def engine(migrated_database_url):
    eng = create_async_engine(migrated_database_url)
    yield eng
    await eng.dispose()


def _client(kind: str, anvil_node=None) -> ChainClient:
    if kind == "embedded":
        return ChainClient(transport.embedded(Account.from_key(EMBEDDED_KEY).address), EMBEDDED_KEY)
    return ChainClient(transport.rpc(anvil_node.url, timeout_s=3), ANVIL_KEY)


@pytest.fixture(params=["embedded", "anvil"])
async def make_client(request):
    made: list[ChainClient] = []
    if request.param == "embedded":
        shared = _client("embedded")
        made.append(shared)
        yield lambda: shared
    else:
        node = request.getfixturevalue("anvil")

        def make() -> ChainClient:
            made.append(_client("anvil", node))
            return made[-1]

        yield make
    for c in made:
        await c.close()


def _rid(i: int) -> str:
    return f"rem_{i:032x}"


async def _queue_many(engine, partners: dict[str, str], per_partner: int) -> list[str]:
    ids = []
    async with engine.begin() as conn:
        n = 0
        for pid, address in partners.items():
            for _ in range(per_partner):
                n += 1
                await queue(conn, _rid(n), "USDC", pid, address, 1_000_000 + n)
                ids.append(_rid(n))
        await queue(conn, _rid(1), "USDC", "p1", partners["p1"], 5)  # again: a no-op
    return ids


async def _until_settled(settler: Settler, ids: list[str]) -> list:
    deadline = time.monotonic() + 60
    while True:
        await settler.tick()
        async with settler.engine.connect() as conn:
            rows = (await conn.execute(select(ITEMS).where(ITEMS.c.remittance_id.in_(ids)))).all()
        if all(r.status == "settled" for r in rows):
            return rows
        assert time.monotonic() < deadline, [r.status for r in rows]
        await asyncio.sleep(0.05)


async def test_batched_settlement_one_event_per_remittance(engine, make_client) -> None:
    client = make_client()
    partners = {"p1": Account.create().address, "p2": Account.create().address}
    ids = await _queue_many(engine, partners, per_partner=3)
    woken: list[str] = []
    settings = ChainSettings(window_s=0, batch_size=2)
    settler = Settler(engine, client, settings, on_settled=woken.extend)
    rows = await _until_settled(settler, ids)
    assert sorted(woken) == sorted(ids)
    async with engine.connect() as conn:
        txs = (await conn.execute(select(TXS).order_by(TXS.c.nonce))).all()
        known = await contracts(conn, await client.chain_id(), client.address)
    purposes = [t.purpose for t in txs]
    # 3 per partner, at most 2 per settle(): 2 settlement transactions per partner.
    assert purposes == ["deploy_token", "deploy_settlement", "approve", "mint"] + ["settle"] * 4
    assert all(t.status == "mined" and t.gas_used for t in txs)
    assert [t.nonce for t in txs] == list(range(txs[0].nonce, txs[0].nonce + len(txs)))
    by_tx: dict[str, list] = {}
    for r in rows:
        by_tx.setdefault(r.settle_tx, []).append(r)
    assert sorted(len(v) for v in by_tx.values()) == [1, 1, 2, 2]
    assert all(len({r.log_index for r in v}) == len(v) for v in by_tx.values())
    usdc = known["USDC"]
    events = await client.settled_events(usdc.settlement)
    assert sorted(e.remittance_id for e in events) == sorted(ids)
    assert {(e.tx_hash, e.log_index) for e in events} == {(r.settle_tx, r.log_index) for r in rows}
    await settler.client.close()
    total = sum(r.amount for r in rows)
    assert await client.total_supply(usdc.token) == total
    for pid, address in partners.items():
        expected = sum(r.amount for r in rows if r.partner_id == pid)
        assert await client.balance_of(usdc.token, address) == expected
    assert await client.balance_of(usdc.token, client.address) == 0


async def test_recorded_before_broadcast_and_resent_after_a_restart(engine, make_client) -> None:
    """Signed and committed, then the process dies before sending: a new settler sends the
    same bytes (same hashes), and each remittance is settled once."""
    partners = {"p1": Account.create().address}
    ids = await _queue_many(engine, partners, per_partner=3)
    first = Settler(engine, make_client(), ChainSettings(window_s=0))
    assert await first.prepare() == 5  # deploy, deploy, approve, mint, settle
    async with engine.connect() as conn:
        recorded = (await conn.execute(select(TXS.c.hash, TXS.c.status))).all()
    assert {s for _, s in recorded} == {"signed"}
    restarted = Settler(engine, make_client(), ChainSettings(window_s=0))
    rows = await _until_settled(restarted, ids)
    async with engine.connect() as conn:
        after = (await conn.execute(select(TXS.c.hash, TXS.c.status))).all()
    assert sorted(h for h, _ in after) == sorted(h for h, _ in recorded)
    assert {s for _, s in after} == {"mined"}
    assert len({r.settle_tx for r in rows}) == 1
    known = await _known(engine, restarted.client)
    events = await restarted.client.settled_events(known["USDC"].settlement)
    assert sorted(e.remittance_id for e in events) == sorted(ids)


async def _known(engine, client):
    async with engine.connect() as conn:
        return await contracts(conn, await client.chain_id(), client.address)


async def test_embedded_chain_rebuilt_from_recorded_transactions(engine) -> None:
    """A restart of an embedded chain starts empty; replaying what we recorded rebuilds it:
    same contracts, same balances, same events."""
    partners = {"p1": Account.create().address, "p2": Account.create().address}
    ids = await _queue_many(engine, partners, per_partner=2)
    settler = Settler(engine, _client("embedded"), ChainSettings(window_s=0))
    rows = await _until_settled(settler, ids)
    known = await _known(engine, settler.client)
    fresh = Settler(engine, _client("embedded"), ChainSettings(window_s=0))
    assert await fresh.replay() == 6
    token = known["USDC"].token
    assert await fresh.client.total_supply(token) == sum(r.amount for r in rows)
    for pid, address in partners.items():
        expected = sum(r.amount for r in rows if r.partner_id == pid)
        assert await fresh.client.balance_of(token, address) == expected
    events = await fresh.client.settled_events(known["USDC"].settlement)
    assert {(e.remittance_id, e.tx_hash, e.log_index) for e in events} == {
        (r.remittance_id, r.settle_tx, r.log_index) for r in rows
    }


async def test_node_down_then_restarted_empty_waits_and_resumes(engine, anvil) -> None:
    """anvil stops after our transactions were recorded: the round fails with ChainError and
    nothing is lost; anvil comes back with no state at all (its mempool and chain gone): the
    recorded bytes are sent again, in nonce order, and every remittance settles once."""
    partners = {"p1": Account.create().address}
    ids = await _queue_many(engine, partners, per_partner=2)
    settings = ChainSettings(window_s=0, rebroadcast_s=0)
    settler = Settler(engine, _client("anvil", anvil), settings)
    await settler.prepare()
    await settler.broadcast()
    anvil.stop()
    with pytest.raises(ChainError):
        await settler.tick()
    async with engine.connect() as conn:
        statuses = {r.status for r in (await conn.execute(select(ITEMS))).all()}
    assert statuses == {"batched"}
    anvil.start()  # a fresh node: nothing we sent survived
    rows = await _until_settled(settler, ids)
    known = await _known(engine, settler.client)
    events = await settler.client.settled_events(known["USDC"].settlement)
    assert sorted(e.remittance_id for e in events) == sorted(ids)
    assert {(e.tx_hash, e.log_index) for e in events} == {(r.settle_tx, r.log_index) for r in rows}
    await settler.client.close()


class _NoLedger:
    """reconcile's ledger side, left out here: the gateway journeys check it."""

    async def get_transfers(self, ids):
        return {}


async def test_returns_applied_only_when_they_match(engine, make_client) -> None:
    """Partners give coin back with give_back(ref, amount): the settler records every Returned
    event once and applies only the one that matches a settled remittance (reference, the
    address it was paid to, the amount): that remittance is woken, its coin burnt. A wrong
    amount, the wrong sender and an unknown reference are recorded, shown by status() and
    reconcile(), and change no remittance. The embedded chain replays the partners' returns."""
    keys = {"p1": Account.create().key.hex(), "p2": Account.create().key.hex()}
    partners = {pid: Account.from_key(k).address for pid, k in keys.items()}
    ids = await _queue_many(engine, partners, per_partner=2)  # p1: 1, 2; p2: 3, 4
    woken: list[str] = []
    client = make_client()
    settings = ChainSettings(window_s=0, returns_poll_s=0)
    settler = Settler(engine, client, settings, on_returned=woken.extend)
    rows = {r.remittance_id: r for r in await _until_settled(settler, ids)}
    r1, r2, r3 = ids[0], ids[1], ids[2]

    await settler.partner_gives_back(keys["p1"], r1)  # right: applied
    await settler.partner_gives_back(keys["p1"], r2, rows[r2].amount - 1)  # wrong amount
    await settler.partner_gives_back(keys["p2"], r1)  # p2 was never paid r1
    stranger = ChainClient(client.w3.provider, keys["p2"], await client.chain_id())
    usdc = (await _known(engine, client))["USDC"]
    async with engine.connect() as conn:
        top = (
            await conn.execute(select(TXS.c.nonce).where(TXS.c.sender == stranger.address))
        ).all()
    nonce, fees = max(n for (n,) in top) + 1, await client.fees()
    unknown = _rid(999)
    for tx in (
        await stranger.sign(
            nonce, stranger.approve_data(usdc.settlement, 5), usdc.token, 80_000, fees
        ),
        await stranger.sign(
            nonce + 1, stranger.give_back_data(unknown, 5), usdc.settlement, 90_000, fees
        ),
    ):
        await settler.accept_foreign(tx, "USDC", stranger.address)

    deadline = time.monotonic() + 60
    while True:
        await settler.tick()
        async with engine.connect() as conn:
            back = (await conn.execute(select(RETURNS))).all()
            pending = (
                await conn.execute(select(TXS).where(TXS.c.status.in_(("signed", "sent"))))
            ).all()
        burnt = all(r.burn_tx for r in back if r.status == "applied")
        if len(back) == 4 and burnt and not pending:
            break
        assert time.monotonic() < deadline, [(r.status, r.remittance_id) for r in back]
        await asyncio.sleep(0.05)

    assert {(r.remittance_id, r.status) for r in back} == {
        (r1, "applied"),
        (r2, "wrong_amount"),
        (r1, "wrong_sender"),
        (unknown, "unknown_ref"),
    }
    assert woken == [r1]
    async with engine.connect() as conn:
        items = {r.remittance_id: r.status for r in (await conn.execute(select(ITEMS))).all()}
    assert items == {r1: "returned", r2: "settled", r3: "settled", ids[3]: "settled"}
    total = sum(r.amount for r in rows.values())
    assert await client.total_supply(usdc.token) == total - rows[r1].amount  # r1's coin burnt

    report = await status(engine, client)
    assert sorted(r["status"] for r in report["returns_not_applied"]) == [
        "unknown_ref",
        "wrong_amount",
        "wrong_sender",
    ]
    findings = [f for f in await reconcile(engine, client, _NoLedger()) if "ledger" not in f]
    assert len(findings) == 3 and all("not applied" in f for f in findings), findings

    # A crash before the cursor moved: reading from block 0 again records nothing twice.
    async with engine.begin() as conn:
        await conn.execute(CURSORS.delete())
    assert await settler.watch_returns() == 4
    async with engine.connect() as conn:
        assert len((await conn.execute(select(RETURNS))).all()) == 4
    assert woken == [r1]

    if isinstance(client.w3.provider, transport.EmbeddedTransport):  # rebuilt, returns included
        fresh = Settler(engine, _client("embedded"), ChainSettings(window_s=0))
        await fresh.replay()
        assert await fresh.client.total_supply(usdc.token) == total - rows[r1].amount
        for address in partners.values():
            expected = await client.balance_of(usdc.token, address)
            assert await fresh.client.balance_of(usdc.token, address) == expected
        events = await fresh.client.returned_events(usdc.settlement)
        assert {(e.tx_hash, e.log_index) for e in events} == {
            (r.tx_hash, r.log_index) for r in back
        }

"""The Vyper contracts: the committed build output is what the pinned compiler makes of the
source, and the deployed code behaves (ERC-20, issuer-only mint/burn, pause, batch settle with
one event per remittance, a reference settled at most once)."""

from __future__ import annotations

import json

import pytest
from eth_account import Account
from eth_utils import to_checksum_address
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger_adapter.contracts import BUILD, CONTRACTS, artifact
from ledger_adapter.evm import transport
from ledger_adapter.evm.client import (
    GAS,
    TRANSFER_TOPIC,
    ChainClient,
    ref_for,
    settle_gas,
    settled_event,
)

ISSUER = "0x" + "11" * 32
OTHER = "0x" + "22" * 32


def test_committed_build_output_matches_a_fresh_compile() -> None:
    from ledger_adapter.contracts.rebuild import compile_all

    fresh = compile_all()
    assert sorted(fresh) == sorted(CONTRACTS)
    for name, text in fresh.items():
        committed = (BUILD / f"{name}.json").read_text()
        assert json.loads(committed) == json.loads(text), f"{name}: rebuild and commit"
        assert committed == text


class Chain:
    def __init__(self) -> None:
        funded = (Account.from_key(ISSUER).address, Account.from_key(OTHER).address)
        self.issuer = ChainClient(transport.embedded(*funded), ISSUER)
        self.nonce = 0

    async def send(self, data: bytes, to: str | None, gas: int, client: ChainClient | None = None):
        c = client or self.issuer
        nonce = self.nonce if c is self.issuer else await c.next_nonce()
        tx = await c.sign(nonce, data, to, gas, await c.fees())
        if c is self.issuer:
            self.nonce += 1
        await c.send_raw(tx.raw, tx.hash)
        receipt = await c.receipt(tx.hash)
        assert receipt is not None
        return tx, receipt


@pytest.fixture
async def chain() -> Chain:
    return Chain()


async def _deploy(chain: Chain) -> tuple[str, str]:
    c = chain.issuer
    tx, r = await chain.send(c.deploy_token_data("USD Coin", "USDC"), None, GAS["deploy_token"])
    assert r.status == 1
    token = tx.created
    tx, r = await chain.send(c.deploy_settlement_data(token), None, GAS["deploy_settlement"])
    settlement = tx.created
    _, r = await chain.send(c.approve_data(settlement, 2**256 - 1), token, GAS["approve"])
    assert r.status == 1
    return token, settlement


async def test_mint_settle_and_events(chain: Chain) -> None:
    c = chain.issuer
    token, settlement = await _deploy(chain)
    _, r = await chain.send(c.mint_data(c.address, 5_000_000), token, GAS["mint"])
    assert r.status == 1 and r.logs[0]["topics"][0] == TRANSFER_TOPIC
    assert await c.total_supply(token) == 5_000_000
    partner_a, partner_b = Account.create().address, Account.create().address
    ids = [f"rem_{i:032x}" for i in (1, 2, 3)]
    items = [(partner_a, 1_000_000, ids[0]), (partner_b, 250_000, ids[1]), (partner_a, 5, ids[2])]
    _tx, r = await chain.send(c.settle_data(items), settlement, settle_gas(3))
    assert r.status == 1
    events = [e for log in r.logs if (e := settled_event(log))]
    assert [(e.remittance_id, e.receiver, e.amount) for e in events] == [
        (ids[0], partner_a, 1_000_000),
        (ids[1], partner_b, 250_000),
        (ids[2], partner_a, 5),
    ]
    assert len({e.log_index for e in events}) == 3
    transfers = [x for x in r.logs if x["topics"][0] == TRANSFER_TOPIC]
    assert len(transfers) == 3  # one per run of items to the same receiver: a, b, a
    assert await c.balance_of(token, partner_a) == 1_000_005
    assert await c.balance_of(token, c.address) == 5_000_000 - 1_250_005
    assert [e.remittance_id for e in await c.settled_events(settlement)] == ids
    # One partner's batch (the settler's): one transfer of the total, one event each.
    more = [(partner_b, 7, f"rem_{i:032x}") for i in (4, 5, 6)]
    _tx, r = await chain.send(c.settle_data(more), settlement, settle_gas(3))
    assert r.status == 1 and len([e for log in r.logs if settled_event(log)]) == 3
    [moved] = [x for x in r.logs if x["topics"][0] == TRANSFER_TOPIC]
    assert int(moved["data"], 16) == 21
    assert await c.balance_of(token, partner_b) == 250_021
    # The same reference again reverts: never paid twice, even by a second transaction.
    _, r = await chain.send(c.settle_data(items[:1]), settlement, settle_gas(1))
    assert r.status == 0
    assert await c.balance_of(token, partner_a) == 1_000_005
    assert await c.total_supply(token) == 5_000_000


async def test_only_the_issuer_mints_burns_pauses_and_pause_stops_transfers(chain: Chain) -> None:
    c = chain.issuer
    token, settlement = await _deploy(chain)
    other = ChainClient(c.w3.provider, OTHER)
    for data in (c.mint_data(other.address, 1), c.pause_data(True), c.burn_data(0)):
        _, r = await chain.send(data, token, GAS["mint"], client=other)
        assert r.status == 0, "only the issuer mints, burns and pauses"
    _, r = await chain.send(
        c.settle_data([(other.address, 0, f"rem_{8:032x}")]),
        settlement,
        settle_gas(1),
        client=other,
    )
    assert r.status == 0, "only the treasury settles"
    _, r = await chain.send(c.mint_data(c.address, 100), token, GAS["mint"])
    _, r = await chain.send(c.burn_data(40), token, GAS["mint"])
    assert r.status == 1 and await c.total_supply(token) == 60
    _, r = await chain.send(c.pause_data(True), token, GAS["mint"])
    assert r.status == 1 and await c.paused(token)
    _, r = await chain.send(c.mint_data(c.address, 1), token, GAS["mint"])
    assert r.status == 0
    item = [(Account.create().address, 10, f"rem_{9:032x}")]
    _, r = await chain.send(c.settle_data(item), settlement, settle_gas(1))
    assert r.status == 0
    _, r = await chain.send(c.pause_data(False), token, GAS["mint"])
    _, r = await chain.send(c.settle_data(item), settlement, settle_gas(1))
    assert r.status == 1 and await c.total_supply(token) == 60


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from([Account.from_key(ISSUER).address, Account.from_key(OTHER).address]),
            st.integers(min_value=0, max_value=2**256 - 1),
            st.integers(min_value=0, max_value=2**128 - 1),
        ),
        max_size=12,
    )
)
def test_settle_call_data_is_what_the_contract_abi_encodes(items) -> None:
    """The settler encodes settle() with eth_abi directly (web3's encoder is slow per element);
    the bytes are exactly what the contract's ABI, through web3, makes of the same call."""
    c = ChainClient(transport.embedded(), ISSUER)
    batch = [(r.lower(), amount, f"rem_{n:032x}") for r, amount, n in items]
    abi = c.w3.eth.contract(abi=artifact("Settlement").abi)
    expected = abi.encode_abi(
        "settle",
        args=[
            [to_checksum_address(r) for r, _, _ in batch],
            [a for _, a, _ in batch],
            [ref_for(rid) for _, _, rid in batch],
        ],
    )
    assert c.settle_data(batch) == bytes.fromhex(expected.removeprefix("0x"))

"""The chain client: encodes our contracts' calls, signs transactions with our key (nonce and
fees fixed at signing, so the signed bytes can be stored and sent again unchanged), sends raw
bytes, reads receipts, balances and settlement events. It keeps no state: the transaction store
and the settler decide what to sign and when."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import eth_abi
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils import keccak, to_checksum_address
from web3 import AsyncHTTPProvider, AsyncWeb3
from web3.exceptions import TransactionNotFound, Web3RPCError
from web3.utils import get_create_address

from ledger_adapter.contracts import artifact
from ledger_adapter.evm.transport import Transport

SETTLED_TOPIC = "0x" + keccak(text="Settled(bytes32,address,uint256)").hex()
RETURNED_TOPIC = "0x" + keccak(text="Returned(bytes32,address,uint256)").hex()
TRANSFER_TOPIC = "0x" + keccak(text="Transfer(address,address,uint256)").hex()
SETTLE_TYPES = ("address[]", "uint256[]", "bytes32[]")
SETTLE_SELECTOR = keccak(text=f"settle({','.join(SETTLE_TYPES)})")[:4]

GAS = {
    "deploy_token": 1_200_000,
    "deploy_settlement": 700_000,
    "mint": 120_000,
    "approve": 80_000,
    "burn": 80_000,
    "send_back": 80_000,
    "give_back": 90_000,
    "gas": 21_000,
}
SETTLE_BASE_GAS, SETTLE_PER_ITEM_GAS = 80_000, 80_000
"""Fixed limits, since a transaction is signed before the ones before it are mined (estimating
would run against a state that is not there yet). Unused gas is not charged."""

_REF = re.compile(r"^rem_([0-9a-f]{32})$")


def ref_for(remittance_id: str) -> bytes:
    """The on-chain reference of a remittance: its 16 id bytes, zero-padded to bytes32, so a
    partner reading the event gets the id back without asking us."""
    m = _REF.match(remittance_id)
    if m is None:
        raise ValueError(f"not a remittance id: {remittance_id!r}")
    return bytes.fromhex(m.group(1)).ljust(32, b"\0")


def remittance_for(ref: bytes) -> str:
    return f"rem_{ref[:16].hex()}"


def settle_gas(items: int) -> int:
    return SETTLE_BASE_GAS + SETTLE_PER_ITEM_GAS * items


@dataclass(frozen=True)
class SignedTx:
    nonce: int
    raw: bytes
    hash: str  # 0x-prefixed
    to: str | None  # None: a deployment
    created: str | None  # the address a deployment creates


@dataclass(frozen=True)
class Receipt:
    hash: str
    status: int  # 1 success, 0 reverted
    block_number: int
    gas_used: int
    logs: list[dict[str, Any]]


@dataclass(frozen=True)
class SettledEvent:
    tx_hash: str
    log_index: int
    block_number: int
    settlement: str  # the settlement contract that emitted it
    remittance_id: str
    receiver: str
    amount: int


@dataclass(frozen=True)
class ReturnedEvent:
    """A partner gave coin back to the treasury through `give_back(ref, amount)`."""

    tx_hash: str
    log_index: int
    block_number: int
    settlement: str
    remittance_id: str  # what the reference reads as; it may name no remittance of ours
    sender: str
    amount: int


class ChainError(Exception):
    """The node refused or could not be reached; the caller waits and tries again."""


class ChainClient:
    def __init__(self, transport: Transport, key: str, chain_id: int | None = None) -> None:
        self.w3 = AsyncWeb3(transport)
        self.account: LocalAccount = Account.from_key(key)
        self._chain_id = chain_id
        self._token = self.w3.eth.contract(abi=artifact("Stablecoin").abi)
        self._settlement = self.w3.eth.contract(abi=artifact("Settlement").abi)

    async def close(self) -> None:
        """Close the HTTP session (the embedded chain has none)."""
        if isinstance(self.w3.provider, AsyncHTTPProvider):
            await self.w3.provider.disconnect()

    @property
    def address(self) -> str:
        return self.account.address

    async def chain_id(self) -> int:
        if self._chain_id is None:
            self._chain_id = await self._ask(self.w3.eth.chain_id)
        return self._chain_id

    # -- what to sign -------------------------------------------------------------------------
    def deploy_token_data(self, name: str, symbol: str) -> bytes:
        return _deploy("Stablecoin", ["string", "string"], [name, symbol])

    def deploy_settlement_data(self, token: str) -> bytes:
        return _deploy("Settlement", ["address"], [to_checksum_address(token)])

    def mint_data(self, to: str, amount: int) -> bytes:
        return _hex(self._token.encode_abi("mint", args=[to_checksum_address(to), amount]))

    def burn_data(self, amount: int) -> bytes:
        return _hex(self._token.encode_abi("burn", args=[amount]))

    def transfer_data(self, to: str, amount: int) -> bytes:
        return _hex(self._token.encode_abi("transfer", args=[to_checksum_address(to), amount]))

    def approve_data(self, spender: str, amount: int) -> bytes:
        return _hex(self._token.encode_abi("approve", args=[to_checksum_address(spender), amount]))

    def pause_data(self, paused: bool) -> bytes:
        return _hex(self._token.encode_abi("pause" if paused else "unpause", args=[]))

    def settle_data(self, items: list[tuple[str, int, str]]) -> bytes:
        """items: (receiver, amount in minor units, remittance id). Encoded with eth_abi
        directly: web3's contract encoder normalises every array element through its ABI
        formatters, which costs more than the rest of signing a batch."""
        receivers = {r: bytes.fromhex(to_checksum_address(r)[2:]) for r in {r for r, _, _ in items}}
        to = [receivers[r] for r, _, _ in items]
        amounts = [a for _, a, _ in items]
        refs = [ref_for(rid) for _, _, rid in items]
        return SETTLE_SELECTOR + eth_abi.encode(SETTLE_TYPES, [to, amounts, refs])

    def give_back_data(self, remittance_id: str, amount: int) -> bytes:
        """A partner's return of a remittance's coin (it approves the settlement contract for
        the amount first)."""
        return _hex(self._settlement.encode_abi("give_back", args=[ref_for(remittance_id), amount]))

    async def fees(self) -> tuple[int, int]:
        """(maxFeePerGas, maxPriorityFeePerGas): twice the latest base fee plus the tip, so the
        signed bytes stay valid while the base fee rises for a while."""
        block = await self._ask(self.w3.eth.get_block("latest"))
        base = int(block.get("baseFeePerGas") or 0)
        tip = 10**9
        return 2 * base + tip, tip

    async def sign(
        self,
        nonce: int,
        data: bytes,
        to: str | None,
        gas: int,
        fees: tuple[int, int],
        value: int = 0,
    ) -> SignedTx:
        tx: dict[str, Any] = {
            "type": 2,
            "chainId": await self.chain_id(),
            "nonce": nonce,
            "gas": gas,
            "maxFeePerGas": fees[0],
            "maxPriorityFeePerGas": fees[1],
            "value": value,
            "data": data,
        }
        if to is not None:
            tx["to"] = to_checksum_address(to)
        signed = self.account.sign_transaction(tx)
        created = None if to is not None else get_create_address(self.address, nonce)
        return SignedTx(nonce, bytes(signed.raw_transaction), _0x(signed.hash), to, created)

    # -- the chain ------------------------------------------------------------------------------
    async def next_nonce(self) -> int:
        """The node's count of our transactions, pending included."""
        return await self._ask(self.w3.eth.get_transaction_count(self.address, "pending"))

    async def send_raw(self, raw: bytes, tx_hash: str) -> None:
        """Broadcast the stored bytes. A node that already has them (known, or mined: nonce too
        low) is fine when it knows the hash; anything else is an error to wait out."""
        try:
            await self.w3.eth.send_raw_transaction(raw)
            return
        except Web3RPCError as exc:
            refused = str(exc)
        except Exception as exc:  # eth-tester raises its validation errors directly
            if _unreachable(exc):
                raise ChainError(f"node unreachable: {exc}") from exc
            refused = str(exc)
        if await self.known(tx_hash):
            return
        raise ChainError(f"node refused {tx_hash}: {refused}")

    async def known(self, tx_hash: str) -> bool:
        try:
            await self.w3.eth.get_transaction(tx_hash)
            return True
        except TransactionNotFound:
            return False
        except Exception as exc:
            raise ChainError(str(exc)) from exc

    async def receipt(self, tx_hash: str) -> Receipt | None:
        try:
            r = await self.w3.eth.get_transaction_receipt(tx_hash)
        except TransactionNotFound:
            return None
        except Exception as exc:
            raise ChainError(str(exc)) from exc
        logs = [_log(x) for x in r["logs"]]
        return Receipt(_0x(r["transactionHash"]), r["status"], r["blockNumber"], r["gasUsed"], logs)

    async def block_number(self) -> int:
        return await self._ask(self.w3.eth.block_number)

    async def total_supply(self, token: str) -> int:
        c = self.w3.eth.contract(address=to_checksum_address(token), abi=artifact("Stablecoin").abi)
        return await self._ask(c.functions.totalSupply().call({"from": self.address}))

    async def balance_of(self, token: str, holder: str) -> int:
        c = self.w3.eth.contract(address=to_checksum_address(token), abi=artifact("Stablecoin").abi)
        call = c.functions.balanceOf(to_checksum_address(holder)).call({"from": self.address})
        return await self._ask(call)

    async def paused(self, token: str) -> bool:
        c = self.w3.eth.contract(address=to_checksum_address(token), abi=artifact("Stablecoin").abi)
        return await self._ask(c.functions.paused().call({"from": self.address}))

    async def settled_events(self, settlement: str, from_block: int = 0) -> list[SettledEvent]:
        logs = await self._ask(
            self.w3.eth.get_logs(
                {
                    "address": to_checksum_address(settlement),
                    "fromBlock": from_block,
                    "toBlock": "latest",
                    "topics": [SETTLED_TOPIC],
                }
            )
        )
        return [e for x in logs if (e := settled_event(_log(x))) is not None]

    async def returned_events(
        self, settlement: str, from_block: int = 0, to_block: int | str = "latest"
    ) -> list[ReturnedEvent]:
        logs = await self._ask(
            self.w3.eth.get_logs(
                {
                    "address": to_checksum_address(settlement),
                    "fromBlock": from_block,
                    "toBlock": to_block,
                    "topics": [RETURNED_TOPIC],
                }
            )
        )
        return [e for x in logs if (e := returned_event(_log(x))) is not None]

    async def _ask(self, awaitable: Any) -> Any:
        try:
            return await awaitable
        except Exception as exc:
            raise ChainError(str(exc)) from exc


def settled_event(log: dict[str, Any]) -> SettledEvent | None:
    topics = log["topics"]
    if not topics or topics[0] != SETTLED_TOPIC:
        return None
    return SettledEvent(
        tx_hash=log["transactionHash"],
        log_index=log["logIndex"],
        block_number=log["blockNumber"],
        settlement=to_checksum_address(log["address"]),
        remittance_id=remittance_for(bytes.fromhex(topics[1][2:])),
        receiver=to_checksum_address("0x" + topics[2][-40:]),
        amount=int(log["data"], 16),
    )


def returned_event(log: dict[str, Any]) -> ReturnedEvent | None:
    topics = log["topics"]
    if not topics or topics[0] != RETURNED_TOPIC:
        return None
    return ReturnedEvent(
        tx_hash=log["transactionHash"],
        log_index=log["logIndex"],
        block_number=log["blockNumber"],
        settlement=to_checksum_address(log["address"]),
        remittance_id=remittance_for(bytes.fromhex(topics[1][2:])),
        sender=to_checksum_address("0x" + topics[2][-40:]),
        amount=int(log["data"], 16),
    )


def _log(x: Any) -> dict[str, Any]:
    return {
        "address": to_checksum_address(x["address"]),
        "topics": [_0x(t) for t in x["topics"]],
        "data": _0x(x["data"]),
        "logIndex": int(x["logIndex"]),
        "transactionHash": _0x(x["transactionHash"]),
        "blockNumber": int(x["blockNumber"]),
    }


def _0x(value: Any) -> str:
    if isinstance(value, str):
        return value if value.startswith("0x") else "0x" + value
    return "0x" + bytes(value).hex()


def _hex(data: str) -> bytes:
    return bytes.fromhex(data.removeprefix("0x"))


def _deploy(name: str, types: list[str], args: list) -> bytes:
    """Creation code followed by the ABI-encoded constructor arguments."""
    return _hex(artifact(name).bytecode) + eth_abi.encode(types, args)


def _unreachable(exc: Exception) -> bool:
    import aiohttp

    return isinstance(exc, aiohttp.ClientError | TimeoutError | OSError)

"""How the chain client reaches a chain, in the manner of httpx transports: the client is the
same, only the transport (a web3 async provider) differs.

- `embedded()`: an in-process EVM (eth-tester's py-evm backend) whose genesis funds our sender;
  nothing to configure. It keeps no state of its own: the owner replays the signed transactions
  the gateway recorded (`ChainClient.replay`), which rebuilds the same chain, the same contract
  addresses and balances, after a restart.
- `rpc(url)`: any Ethereum JSON-RPC node over HTTP (anvil in the tests).
"""

from __future__ import annotations

import asyncio
from typing import Any, Protocol

from web3.providers import AsyncHTTPProvider
from web3.providers.eth_tester import AsyncEthereumTesterProvider
from web3.types import RPCEndpoint, RPCResponse

EMBEDDED_BALANCE_WEI = 10**24
"""Gas money our sender starts with on the embedded chain (gas is real there, just not scarce)."""


class Transport(Protocol):
    """What AsyncWeb3 needs of a provider; every web3 async provider is one."""

    async def make_request(self, method: RPCEndpoint, params: Any) -> RPCResponse: ...

    async def is_connected(self, show_traceback: bool = False) -> bool: ...


class EmbeddedTransport(AsyncEthereumTesterProvider):
    """eth-tester's provider with our sender funded at genesis; requests run one at a time in a
    thread so mining a block does not stall the event loop."""

    def __init__(self, *funded: str) -> None:
        super().__init__()
        from eth_tester import EthereumTester, PyEVMBackend

        genesis = {
            bytes.fromhex(a.removeprefix("0x")): {
                "balance": EMBEDDED_BALANCE_WEI,
                "storage": {},
                "code": b"",
                "nonce": 0,
            }
            for a in funded
        }
        self.ethereum_tester = EthereumTester(PyEVMBackend(genesis_state=genesis))
        self._lock = asyncio.Lock()

    async def make_request(self, method: RPCEndpoint, params: Any) -> RPCResponse:
        parent = super().make_request
        async with self._lock:
            return await asyncio.to_thread(lambda: asyncio.run(parent(method, params)))


def embedded(*funded: str) -> EmbeddedTransport:
    return EmbeddedTransport(*funded)


def rpc(url: str, timeout_s: float = 10.0) -> AsyncHTTPProvider:
    return AsyncHTTPProvider(url, request_kwargs={"timeout": timeout_s})

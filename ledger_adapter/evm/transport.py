"""How the chain client reaches a chain, in the manner of httpx transports: the client is the
same, only the transport (a web3 async provider) differs.

- `embedded()`: an in-process EVM (eth-tester's py-evm backend) whose genesis funds our sender;
  nothing to configure. It keeps no state of its own: the owner replays the signed transactions
  the gateway recorded (`Settler.replay`), which rebuilds the same chain, the same contract
  addresses and balances, after a restart.
- `rpc(url)`: any Ethereum JSON-RPC node over HTTP (anvil in the tests).
"""

from __future__ import annotations

import asyncio
from typing import Any, Protocol

from web3.providers import AsyncBaseProvider, AsyncHTTPProvider
from web3.providers.eth_tester import AsyncEthereumTesterProvider
from web3.types import RPCEndpoint, RPCResponse

EMBEDDED_BALANCE_WEI = 10**24
"""Gas money our sender starts with on the embedded chain (gas is real there, just not scarce)."""


class Transport(Protocol):
    """What AsyncWeb3 needs of a provider; every web3 async provider is one."""

    async def make_request(self, method: RPCEndpoint, params: Any) -> RPCResponse: ...

    async def is_connected(self, show_traceback: bool = False) -> bool: ...


class EmbeddedTransport(AsyncEthereumTesterProvider):
    """eth-tester's provider with our sender funded at genesis, the EVM built on first use (a
    process with nothing to settle pays nothing); requests run one at a time in a thread so
    mining a block does not stall the event loop."""

    def __init__(self, *funded: str) -> None:
        # Not the parent's __init__: it builds a default EthereumTester at once.
        AsyncBaseProvider.__init__(self)
        from web3.providers.eth_tester.defaults import API_ENDPOINTS

        self.api_endpoints = API_ENDPOINTS
        self._funded = funded
        self._tester: Any = None
        self._lock = asyncio.Lock()

    @property  # type: ignore[override]
    def ethereum_tester(self) -> Any:
        if self._tester is None:
            from eth_tester import EthereumTester, PyEVMBackend

            genesis = {
                bytes.fromhex(a.removeprefix("0x")): {
                    "balance": EMBEDDED_BALANCE_WEI,
                    "storage": {},
                    "code": b"",
                    "nonce": 0,
                }
                for a in self._funded
            }
            self._tester = EthereumTester(PyEVMBackend(genesis_state=genesis))
        return self._tester

    @ethereum_tester.setter
    def ethereum_tester(self, value: Any) -> None:
        self._tester = value

    async def make_request(self, method: RPCEndpoint, params: Any) -> RPCResponse:
        parent = super().make_request
        async with self._lock:
            return await asyncio.to_thread(lambda: asyncio.run(parent(method, params)))


def embedded(*funded: str) -> EmbeddedTransport:
    return EmbeddedTransport(*funded)


def rpc(url: str, timeout_s: float = 10.0) -> AsyncHTTPProvider:
    return AsyncHTTPProvider(url, request_kwargs={"timeout": timeout_s})

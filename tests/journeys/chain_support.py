"""What the chain-return journeys share: the CLI against the journey's database, the sender's
wallet, and a remittance on its way to a partner with a chain address, with a settler the test
steps (on the engine `engine_env` names: embedded or anvil)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from typing import Any

from eth_account import Account

from gateway.chain import ChainHandle, open_settler, wake_returned, wake_settled
from gateway.commands import main as remit
from tests.conftest import DEMO_PARTNER


def cli(gateway, monkeypatch, *argv: str) -> int:
    monkeypatch.setenv("REMIT_DATABASE_URL", gateway.svc.engine.url.render_as_string(False))
    return remit(list(argv))


async def wallet_usd(gateway, sender) -> str:
    resp = await gateway.client.get(f"/v1/customers/{sender['id']}/wallet", headers=gateway.auth())
    [usd] = [b for b in (await resp.json())["balances"] if b["currency"] == "USD"]
    return usd["available"]


@dataclass
class OnChain:
    rem: dict[str, Any]
    sender: dict[str, Any]
    handle: ChainHandle
    partner_key: str
    address: str


async def remittance_on_chain(gateway, monkeypatch, engine_env: dict) -> OnChain:
    """The demo partner paid at a fresh chain address; a sender with 500.00 USD sends 100.00,
    drained to where it waits for the settler; the settler settles at once (no window) and
    reads returns every round."""
    partner_key = Account.create().key.hex()
    address = Account.from_key(partner_key).address
    args = ("partners", "update", DEMO_PARTNER, "--chain-address", address)
    assert await asyncio.to_thread(cli, gateway, monkeypatch, *args) == 0
    sender = await gateway.customer()
    await gateway.top_up(sender["id"], "500.00")
    rem = await gateway.send("100.00", sender=sender)
    await gateway.drain()
    svc = gateway.svc
    handle = await open_settler(
        replace(svc.settings, chain_window_s=0, **engine_env),
        svc.engine,
        lambda ids: wake_settled(svc, ids),
        lambda ids: wake_returned(svc, ids),
    )
    handle.settler.settings = replace(handle.settler.settings, returns_poll_s=0)
    return OnChain(rem, sender, handle, partner_key, address)

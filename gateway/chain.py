"""Wiring of the chain port: which engine, which key, and the settler that one process runs.

The embedded chain's key is a fixed development key: that chain exists only inside our process
and is rebuilt from our records, so nothing of value is ever behind it. On any other chain the
key comes only from REMIT_CHAIN_KEY; it is never stored, logged or printed."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from gateway.config import Settings

if TYPE_CHECKING:  # web3 takes seconds to import: only the settler's process pays for it
    from ledger_adapter.evm.client import ChainClient
    from ledger_adapter.evm.settler import ChainSettings, Settler

EMBEDDED_KEY = "0x2b44fe093df82a9db44e3df67d28205cd42d0289b614492ca76859bfd1d553c6"
"""keccak256 of "remit embedded chain: a development key, not a secret"."""


class ChainConfigError(ValueError):
    pass


def enabled(settings: Settings) -> bool:
    return settings.chain != "off"


def client_for(settings: Settings) -> ChainClient:
    from eth_account import Account

    from ledger_adapter.evm import transport
    from ledger_adapter.evm.client import ChainClient

    if settings.chain == "embedded":
        key = settings.chain_key or EMBEDDED_KEY
        return ChainClient(transport.embedded(Account.from_key(key).address), key)
    if settings.chain == "rpc":
        if not settings.chain_rpc_url:
            raise ChainConfigError("REMIT_CHAIN=rpc needs REMIT_CHAIN_RPC_URL")
        if not settings.chain_key:
            raise ChainConfigError("the JSON-RPC chain needs the issuer key in REMIT_CHAIN_KEY")
        return ChainClient(
            transport.rpc(settings.chain_rpc_url), settings.chain_key, settings.chain_id
        )
    raise ChainConfigError(f"REMIT_CHAIN={settings.chain!r}: embedded, rpc or off")


def settler_settings(settings: Settings) -> ChainSettings:
    from ledger_adapter.evm.settler import ChainSettings

    return ChainSettings(
        window_s=settings.chain_window_s,
        batch_size=settings.chain_batch,
        confirmations=settings.chain_confirmations,
        tokens=dict(settings.chain_tokens),
    )


@dataclass
class ChainHandle:
    client: ChainClient
    settler: Settler


async def open_settler(
    settings: Settings,
    engine: Any,
    on_settled: Callable[[list[str]], Any],
    on_returned: Callable[[list[str]], Any] = lambda ids: None,
) -> ChainHandle:
    """A client and a settler; an embedded chain is first rebuilt from our records."""
    from ledger_adapter.evm.settler import Settler

    client = client_for(settings)
    settler = Settler(
        engine, client, settler_settings(settings), on_settled, on_returned, refunded=refunded
    )
    if settings.chain == "embedded":
        await settler.replay()
    return ChainHandle(client, settler)


WAITING_FOR_COIN = ("in_transit",)
WAITING_FOR_RETURN = ("failed", "cancelling", "withdrawing")


async def reconcile_with_books(settings: Settings, engine: Any) -> list[str]:
    """The differences between the chain and our books (empty: they agree): what `remit chain
    reconcile` prints and the demo checks."""
    from ledger_adapter.evm.reconcile import reconcile
    from ledger_adapter.sql import SqlLedger

    handle = await open_settler(settings, engine, lambda ids: None)
    try:
        ledger = SqlLedger(engine, hmac_key=settings.ledger_hmac_key)
        return await reconcile(engine, handle.client, ledger, kept)
    finally:
        await handle.client.close()


async def refunded(conn: Any, ids: list[str]) -> set[str]:
    """Of these remittances, the refunded ones: the ledger burnt their returned coin, so the
    settler burns it on chain (see Settler.refunded)."""
    return {rid for rid, status in (await _states(conn, ids)).items() if status == "refunded"}


async def kept(conn: Any, ids: list[str]) -> dict[str, str]:
    """Of these remittances, those ended otherwise than refunded (paid out): the books keep
    them as they are, so coin given back for them is not theirs to take (see reconcile)."""
    from gateway.domain.states import TERMINAL

    ended = {s.value for s in TERMINAL} - {"refunded"}
    return {rid: status for rid, status in (await _states(conn, ids)).items() if status in ended}


async def _states(conn: Any, ids: list[str]) -> dict[str, str]:
    from gateway.storage.tables import remittances

    if not ids:
        return {}
    query = sa.select(remittances.c.id, remittances.c.status).where(remittances.c.id.in_(ids))
    return {r.id: r.status for r in (await conn.execute(query)).all()}


async def make_due(engine: Any, now: datetime, ids: list[str], statuses: tuple[str, ...]) -> None:
    """The remittances among `ids` still in one of `statuses` are due now. Through the
    database, so workers in any process see it (at their next poll, or at once if woken)."""
    from gateway.storage.tables import remittances

    async with engine.begin() as conn:
        await conn.execute(
            sa.update(remittances)
            .where(remittances.c.id.in_(ids), remittances.c.status.in_(statuses))
            .values(next_attempt_at=now)
        )


async def wake_settled(svc: Any, ids: list[str]) -> None:
    """Remittances whose coin reached the partner are due now (their payout instruction)."""
    await make_due(svc.engine, svc.now(), ids, WAITING_FOR_COIN)
    svc.wake_workers()


async def wake_returned(svc: Any, ids: list[str]) -> None:
    """Remittances whose coin the partner gave back: their refund (or cancel, or withdrawal for
    a compliance hold) proceeds now."""
    await make_due(svc.engine, svc.now(), ids, WAITING_FOR_RETURN)
    svc.wake_workers()


def partner_returns(handle: ChainHandle, partner_key: str) -> Callable[[dict], Any]:
    """For the partner simulator on a chain we own: a payout it fails after the coin reached
    it gets the coin back, with the remittance's reference (see `Settler.partner_gives_back`)."""

    async def give_back(instruction: dict) -> None:
        await handle.settler.partner_gives_back(partner_key, instruction["remittance_id"])

    return give_back


def chain_ctx(services_key: Any):
    """The settler as an aiohttp cleanup context: one process runs it (like the webhook
    dispatcher); a settled remittance is woken at once for its payout instruction."""

    async def ctx(app: Any) -> AsyncIterator[None]:
        svc = app[services_key]
        if not enabled(svc.settings):
            yield
            return

        async def settled(ids: list[str]) -> None:
            await wake_settled(svc, ids)

        async def returned(ids: list[str]) -> None:
            await wake_returned(svc, ids)

        handle = await open_settler(svc.settings, svc.engine, settled, returned)
        svc.chain = handle
        stop = asyncio.Event()
        task = asyncio.create_task(handle.settler.run(stop), name="chain-settler")
        try:
            yield
        finally:
            stop.set()
            await asyncio.gather(task, return_exceptions=True)
            await handle.client.close()

    return ctx


async def own_chain(settings: Settings, stop: asyncio.Event) -> None:
    """The chain's owner as a process of its own (`remit serve` with several processes): the
    settler, and nothing else, until `stop`. The embedded EVM executes in Python, so beside the
    pipeline's workers it would take their CPU (and the GIL); here it takes another core's.
    Settled and returned remittances are made due through the database, where the pipeline
    processes' workers find them at their next poll."""
    from gateway.services import utc_now
    from gateway.storage.engine import create_engine

    engine = create_engine(settings.database_url)

    async def settled(ids: list[str]) -> None:
        await make_due(engine, utc_now(), ids, WAITING_FOR_COIN)

    async def returned(ids: list[str]) -> None:
        await make_due(engine, utc_now(), ids, WAITING_FOR_RETURN)

    try:
        handle = await open_settler(settings, engine, settled, returned)
        try:
            await handle.settler.run(stop)
        finally:
            await handle.client.close()
    finally:
        await engine.dispose()

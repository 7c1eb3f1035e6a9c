"""Rows read by key, batched: the keys asked for in one event-loop turn are read with one
SELECT ... WHERE key IN (...), and each caller gets its own row (see `gateway.batching`).

The pipeline's workers advance their remittances in lockstep, so each step's reads (the
quote, the sender, the partner) arrive together; one statement then serves them all, and a
key asked for twice in a batch (the same partner) is read once. Every read is fresh: a batch
reads at the moment it runs, never from a cache."""

from __future__ import annotations

from functools import partial
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import NoResultFound
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.batching import Batcher
from gateway.storage import aml_history
from gateway.storage.aml_history import HistoryWanted
from gateway.storage.tables import customers, quotes
from gateway.storage.tables_kyc import customer_kyc
from gateway.storage.tables_travel import travel_rule_records
from ledger_adapter.evm.items import ITEMS
from ledger_adapter.port import Ledger, Transfer
from ledger_adapter.sessions import reading


class KeyedReads:
    def __init__(self, engine: AsyncEngine, query: sa.Select, key: sa.Column) -> None:
        self._engine = engine
        # Built once; the IN list expands to the batch's size.
        self._query = query.where(key.in_(sa.bindparam("keys", expanding=True)))
        self._key = key.name
        self._batcher: Batcher[Any, sa.Row | None] = Batcher(self._run)

    async def first(self, key: Any) -> sa.Row | None:
        return await self._batcher(key)

    async def one(self, key: Any) -> sa.Row:
        row = await self._batcher(key)
        if row is None:
            raise NoResultFound(f"no row with {self._key} {key!r}")
        return row

    async def _run(self, keys: list[Any]) -> list[sa.Row | None]:
        async with reading(self._engine) as conn:
            rows = await conn.execute(self._query, {"keys": sorted(set(keys))})
            found = {getattr(row, self._key): row for row in rows}
        return [found.get(key) for key in keys]


SENDER_WITH_KYC = sa.select(
    customers,
    customer_kyc.c.fields.label("kyc_fields"),
    customer_kyc.c.former_identities,
).outerjoin(customer_kyc, customer_kyc.c.customer_id == customers.c.id)


class PipelineReads:
    """The rows every remittance's steps read, by key (its quote, its sender, its coin on
    the chain, its travel-rule record); the ledger transfers they look up (through the
    ledger's port, one `get_transfers` per batch); the AML history of the transfers they
    screen."""

    def __init__(self, engine: AsyncEngine, ledger: Ledger) -> None:
        self.quote = KeyedReads(engine, sa.select(quotes), quotes.c.id)
        self.sender_with_kyc = KeyedReads(engine, SENDER_WITH_KYC, customers.c.id)
        self.chain_item = KeyedReads(engine, sa.select(ITEMS), ITEMS.c.remittance_id)
        record_key = travel_rule_records.c.remittance_id
        self.travel_record = KeyedReads(engine, sa.select(travel_rule_records), record_key)
        # Whether a record is bound: its key alone, so nobody's personal data is opened for it.
        self.travel_bound = KeyedReads(engine, sa.select(record_key), record_key)
        self.transfer: Batcher[str, Transfer | None] = Batcher(partial(_transfers, ledger))
        self.aml_history: Batcher[HistoryWanted, list[sa.Row]] = Batcher(
            partial(aml_history.read_many, engine)
        )


async def _transfers(ledger: Ledger, ids: list[str]) -> list[Transfer | None]:
    found = await ledger.get_transfers(ids)
    return [found.get(id) for id in ids]

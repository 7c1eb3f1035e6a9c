"""The partner directory: each registered partner's payout adapter, built on first use.

It wires corridors' HTTP adapters (JSON, ISO 20022, Mojaloop) to the rows in
`gateway.storage.partners`, so it sits beside the bootstrap that builds it, not in storage.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import aiohttp
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from corridors.config import Corridor, partner_protocols
from corridors.fspiop import CallbackHub
from corridors.iso20022_partner import Iso20022PayoutPartner
from corridors.mojaloop_partner import MojaloopPayoutPartner
from corridors.payout import HttpPayoutPartner, PayoutAdapter
from gateway.storage.keyed_reads import KeyedReads
from gateway.storage.partners import PartnerInfo, partner_info
from gateway.storage.tables import partners
from ledger_adapter.sessions import reading

__all__ = ["PartnerDirectory"]


class PartnerDirectory:
    """Builds each partner's adapter on first use, so partners added while running are found."""

    def __init__(
        self,
        engine: AsyncEngine,
        session: aiohttp.ClientSession,
        timeout_s: float,
        corridors: Mapping[str, Corridor] | None = None,
    ):
        # partner id -> a corridor of it (protocol and payout method), from the corridors file
        self._corridors = partner_protocols(corridors or {})
        self._protocols: dict[str, str] = {}
        self.hub = CallbackHub()  # FSPIOP callbacks meet the requests waiting for them
        self._engine = engine
        self._session = session
        self._timeout_s = timeout_s
        self._adapters: dict[str, PayoutAdapter] = {}
        self._rows = KeyedReads(engine, sa.select(partners), partners.c.id)

    def protocol(self, partner_id: str) -> str:
        """How this partner is spoken to ("remit" JSON unless the corridors file says)."""
        if partner_id in self._protocols:
            return self._protocols[partner_id]
        corridor = self._corridors.get(partner_id)
        return corridor.partner_protocol if corridor is not None else "remit"

    def install(self, partner_id: str, adapter: PayoutAdapter, protocol: str | None = None) -> None:
        """Use `adapter` for this partner (tests, demos); `protocol` overrides the corridors
        file's for reading its callbacks."""
        self._adapters[partner_id] = adapter
        if protocol is not None:
            self._protocols[partner_id] = protocol

    def installed(self, partner_id: str) -> PayoutAdapter | None:
        """The adapter built or installed for this partner, if any yet."""
        return self._adapters.get(partner_id)

    async def info(self, partner_id: str, now: datetime) -> PartnerInfo | None:
        """Read fresh each time (secrets rotate and modes change without a restart); the
        steps asking at the same moment share one read."""
        row = await self._rows.first(partner_id)
        return None if row is None else partner_info(row, now)

    async def payout(self, partner_id: str) -> PayoutAdapter:
        adapter = self._adapters.get(partner_id)
        if adapter is not None:
            return adapter
        async with reading(self._engine) as conn:
            row = (
                await conn.execute(sa.select(partners).where(partners.c.id == partner_id))
            ).first()
        if row is None or not row.base_url:
            raise LookupError(f"partner {partner_id} is not registered with a base URL")
        # every adapter takes the same four: where, who, its newest secret, our HTTP session
        args = (row.base_url, partner_id, row.secrets[0]["secret"].encode(), self._session)
        corridor = self._corridors.get(partner_id)
        if corridor is not None and corridor.partner_protocol == "iso20022":
            adapter = Iso20022PayoutPartner(
                *args, timeout_s=self._timeout_s, payout_method=corridor.payout_method
            )
        elif corridor is not None and corridor.partner_protocol == "mojaloop":
            adapter = MojaloopPayoutPartner(
                *args, timeout_s=self._timeout_s, hub=self.hub, callback_wait_s=self._timeout_s
            )
        else:
            adapter = HttpPayoutPartner(*args, timeout_s=self._timeout_s)
        self._adapters[partner_id] = adapter
        return adapter

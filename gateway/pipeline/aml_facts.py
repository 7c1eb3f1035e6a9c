"""Gathering AML TransferFacts from the database: the rules never query anything themselves,
so this module is the only place that decides what history and which details they see."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from compliance.aml import PastTransfer, TransferFacts
from corridors.config import Corridor
from fx.money import Money
from gateway.domain.states import Status
from gateway.services import Services
from gateway.storage.tables import remittances

# Earlier remittances that never went anywhere do not make a recipient "known".
NEVER_SENT = (Status.REJECTED.value, Status.CANCELLED.value, Status.EXPIRED.value)

# Recipient fields that only describe, never identify, the payout account.
NOT_ACCOUNT = frozenset({"name", "wallet_provider"})

# Customer KYC field -> the travel rule's vocabulary for originator details.
ORIGINATOR_FIELDS: Mapping[str, str] = {
    "address": "address",
    "birth_date": "birth_date",
    "birth_place": "birth_place",
    "id_number": "national_id",
}


def recipient_key(corridor_id: str, recipient: Mapping[str, Any]) -> str:
    """The same payout account in the same corridor, whoever sends: a digest, so neither
    evidence nor logs carry the account number itself."""
    parts = sorted(f"{k}={v}" for k, v in recipient.items() if k not in NOT_ACCOUNT and v)
    text = "|".join([corridor_id, *parts])
    return "rcp_" + hashlib.sha256(text.encode()).hexdigest()[:24]


async def usd_per_unit(svc: Services, currency: str) -> Decimal:
    """USD value of one unit of `currency` (RateUnavailable propagates: the step retries)."""
    if currency == "USD":
        return Decimal(1)
    return (await svc.rates.rate(currency, "USD")).value


def _past(rows: Iterable[Any], rates: Mapping[str, Decimal]) -> tuple[PastTransfer, ...]:
    return tuple(
        PastTransfer(
            amount_usd=Money.from_minor(r.send_amount_minor, r.send_currency).amount
            * rates[r.send_currency],
            at=r.created_at,
            recipient_key=recipient_key(r.corridor_id, r.recipient),
            sender_id=r.sender_id,
        )
        for r in rows
    )


async def gather_facts(
    svc: Services,
    rem: Any,
    sender: Any,
    kyc: Mapping[str, Any],
    corridor: Corridor,
    now: datetime,
) -> TransferFacts:
    """The transfer being screened and its history inside the rules' longest window."""
    key = recipient_key(rem.corridor_id, rem.recipient)
    since = now - svc.aml_rules.history_window()
    columns = [
        remittances.c.id,
        remittances.c.sender_id,
        remittances.c.corridor_id,
        remittances.c.recipient,
        remittances.c.send_currency,
        remittances.c.send_amount_minor,
        remittances.c.created_at,
        remittances.c.status,
    ]
    others = remittances.c.id != rem.id
    async with svc.engine.connect() as conn:
        by_sender = list(
            await conn.execute(
                sa.select(*columns).where(others, remittances.c.sender_id == rem.sender_id)
            )
        )
        in_corridor = list(
            await conn.execute(
                sa.select(*columns).where(
                    others,
                    remittances.c.corridor_id == rem.corridor_id,
                    remittances.c.created_at >= since,
                )
            )
        )
    currencies = {rem.send_currency, *(r.send_currency for r in (*by_sender, *in_corridor))}
    rates = {c: await usd_per_unit(svc, c) for c in currencies}
    to_recipient = [r for r in in_corridor if recipient_key(r.corridor_id, r.recipient) == key]
    known = any(
        r.status not in NEVER_SENT and recipient_key(r.corridor_id, r.recipient) == key
        for r in by_sender
    )
    send = Money.from_minor(rem.send_amount_minor, rem.send_currency)
    originator = {"name", "customer_id"} | {
        vocab for field, vocab in ORIGINATOR_FIELDS.items() if kyc.get(field)
    }
    if rem.funding_method == "wallet":
        originator.add("account_number")  # the sender's wallet is an account with us
    beneficiary = {"name"} if rem.recipient.get("name") else set()
    if any(v for k, v in rem.recipient.items() if k not in NOT_ACCOUNT):
        beneficiary.add("account_number")
    return TransferFacts(
        amount_usd=send.amount * rates[rem.send_currency],
        send_amount=send.amount,
        send_currency=rem.send_currency,
        send_country=corridor.send_country,
        receive_country=corridor.receive_country,
        sender_id=rem.sender_id,
        recipient_key=key,
        originator_fields=originator,
        beneficiary_fields=beneficiary,
        sender_history=_past((r for r in by_sender if r.created_at >= since), rates),
        recipient_history=_past(to_recipient, rates),
        recipient_is_new=not known,
        other_countries=(sender.country,) if sender.country else (),
    )

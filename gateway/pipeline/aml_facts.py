"""Gathering AML TransferFacts from the database: the rules never query anything themselves,
so this module is the only place that decides what history and which details they see."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from compliance.aml import PastTransfer, TransferFacts
from corridors.config import Corridor
from fx.money import Money
from gateway.domain.recipient_keys import NOT_ACCOUNT, recipient_key
from gateway.domain.states import Status
from gateway.services import Services
from gateway.storage.engine import reading
from gateway.storage.tables import remittances

# Earlier remittances that never went anywhere do not make a recipient "known".
NEVER_SENT = (Status.REJECTED.value, Status.CANCELLED.value, Status.EXPIRED.value)

# Customer KYC field -> the travel rule's vocabulary for originator details.
ORIGINATOR_FIELDS: Mapping[str, str] = {
    "address": "address",
    "birth_date": "birth_date",
    "birth_place": "birth_place",
    "id_number": "national_id",
}


def _history_query() -> sa.CompoundSelect:
    """The transfer's history in one statement, built once (every remittance runs it): the
    sender's and the recipient's transfers in the window, and whether the sender ever sent
    to this recipient before."""
    r = remittances.c
    columns = [
        r.id,
        r.sender_id,
        r.corridor_id,
        r.recipient,
        r.recipient_key,
        r.send_currency,
        r.send_amount_minor,
        r.created_at,
        r.status,
    ]
    others = r.id != sa.bindparam("remittance_id")
    recent = r.created_at >= sa.bindparam("since")
    by_them = r.sender_id == sa.bindparam("sender_id")
    to_key = r.recipient_key == sa.bindparam("recipient_key")

    def part(name: str, *where: Any) -> sa.Select:
        return sa.select(sa.literal(name).label("part"), *columns).where(others, *where)

    # "New recipient" looks at all time, not just the window; one row tells.
    known = part("known", by_them, to_key, r.status.not_in(NEVER_SENT)).limit(1)
    return sa.union_all(
        part("sender", by_them, recent),  # indexed lookups: the sender's recent transfers,
        part("recipient", to_key, recent),  # the recipient's recent transfers
        sa.select(known.subquery()),  # SQLite takes a LIMIT in a UNION only in a subquery
    )


_HISTORY = _history_query()


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
            recipient_key=r.recipient_key or recipient_key(r.corridor_id, r.recipient),
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
    params = {
        "remittance_id": rem.id,
        "sender_id": rem.sender_id,
        "recipient_key": key,
        "since": now - svc.aml_rules.history_window(),
    }
    async with reading(svc.engine) as conn:
        rows = (await conn.execute(_HISTORY, params)).all()
    by_sender = [r for r in rows if r.part == "sender"]
    to_recipient = [r for r in rows if r.part == "recipient"]
    currencies = {rem.send_currency, *(r.send_currency for r in (*by_sender, *to_recipient))}
    rates = {c: await usd_per_unit(svc, c) for c in currencies}
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
        sender_history=_past(by_sender, rates),
        recipient_history=_past(to_recipient, rates),
        recipient_is_new=not any(r.part == "known" for r in rows),
        other_countries=(sender.country,) if sender.country else (),
    )

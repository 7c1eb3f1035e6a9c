"""Gathering AML TransferFacts from the database: the rules never query anything themselves,
so this module decides what they see: the history that `gateway.storage.aml_history` reads
(the sender's and recipient's transfers in the rules' longest window) and which details."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

import pycountry

from compliance.aml import PastTransfer, TransferFacts
from corridors.config import Corridor
from fx.money import Money
from gateway.domain.recipient_keys import NOT_ACCOUNT, recipient_key
from gateway.services import Services
from gateway.storage.aml_history import HistoryWanted
from gateway.storage.sealed import keyring_of

# Customer KYC field -> the travel rule's vocabulary for originator details.
ORIGINATOR_FIELDS: Mapping[str, str] = {
    "address": "address",
    "birth_date": "birth_date",
    "birth_place": "birth_place",
    "id_number": "national_id",
}


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
            recipient_key=r.recipient_key,
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
    key = rem.recipient_key or recipient_key(
        rem.corridor_id, rem.recipient, keyring_of(svc.engine).index
    )
    since = now - svc.aml_rules.history_window()
    rows = await svc.reads.aml_history(HistoryWanted(rem.id, rem.sender_id, key, since))
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
        other_countries=_ties(sender, kyc),
    )


def _ties(sender: Any, kyc: Mapping[str, Any]) -> tuple[str, ...]:
    """Countries the sender is tied to beyond the corridor's: residence (always the corridor's
    sending side once eligibility holds) and the country that issued their ID."""
    ties = [sender.country] if sender.country else []
    issued = kyc.get("id_country_code")
    found = pycountry.countries.get(alpha_3=issued) if issued else None
    if found is not None:
        ties.append(found.alpha_2)
    return tuple(ties)

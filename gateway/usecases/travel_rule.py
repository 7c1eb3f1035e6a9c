"""Travel-rule data: which remittances need it and what is missing. A complete record is bound
at submission (same transaction); a transfer that lacks data is accepted and held in
`needs_info` before screening, asking for exactly the missing fields, and goes on to screening
when the sender supplies them (gateway.usecases.travel_hold). The record is sent with the
payout instruction and kept for the regime's retention period (`keep_until`)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from compliance.protections import travel_rule
from corridors.config import Corridor
from fx.money import Money, is_coin
from gateway.errors import Invalid
from gateway.services import Services
from gateway.storage import customers as customer_store
from gateway.storage import travel as travel_store
from ledger_adapter import chart
from ledger_adapter.sessions import reading

# Recipient fields that are the beneficiary's account, in the order corridors use them.
ACCOUNT_KEYS = ("iban", "account_number", "clabe", "vpa", "phone")
ORIGINATOR_KYC = ("address", "id_number", "birth_place")


async def _kyc_fields(svc: Services, customer_id: str) -> dict[str, Any]:
    async with reading(svc.engine) as conn:
        kyc = await customer_store.kyc(conn, customer_id)
    return dict(kyc.fields or {}) if kyc is not None else {}


def _beneficiary(recipient: dict[str, Any]) -> dict[str, Any]:
    account = next((recipient[k] for k in ACCOUNT_KEYS if recipient.get(k)), None)
    return {"name": recipient.get("name"), "account": account}


# What a sender may supply when a held transfer asks for it (the profile is left as it is).
SUPPLIABLE = ("address", "id_number", "birth_date", "birth_place")


async def assess(
    svc: Services,
    corridor: Corridor,
    send: Money,
    sender: Any,
    recipient: dict[str, Any],
    usd_per_unit: Decimal | None,
    supplied: dict[str, Any] | None = None,
) -> tuple[dict[str, Any] | None, list[travel_rule.Missing]]:
    """(the travel-rule record this remittance must carry, what is missing for it); (None, [])
    when the rule does not apply. `supplied`: originator fields the sender gave for this
    remittance alone."""
    regime = svc.regimes.for_country(corridor.send_country)
    usd = send.amount * usd_per_unit if usd_per_unit is not None else send.amount
    coin = is_coin(corridor.settlement_asset)
    if not travel_rule.applies(regime, send.currency, send.amount, usd, coin):
        return None, []
    kyc = await _kyc_fields(svc, sender.id)
    originator = {
        "name": sender.name,
        "account": chart.wallet(sender.id, send.currency),
        "customer_number": sender.id,
        "birth_date": sender.birth_date.isoformat() if sender.birth_date else None,
        **{k: kyc.get(k) for k in ORIGINATOR_KYC},
    }
    originator.update({k: v for k, v in (supplied or {}).items() if v})
    beneficiary = _beneficiary(recipient)
    record = {
        "regime": regime.name,
        "rule": regime.travel_rule,
        "originator": {k: v for k, v in originator.items() if v},
        "beneficiary": beneficiary,
        "retention_years": regime.retention_years,
    }
    return record, travel_rule.missing(regime, originator, beneficiary)


def missing_problem(rule: str, gaps: list[travel_rule.Missing], fix: str) -> Invalid:
    return Invalid(
        "travel-rule-data-missing",
        "Travel-rule data missing",
        f"{rule}: this transfer must carry " + ", ".join(g.field for g in gaps) + f"; {fix}",
        errors=[{"field": g.field, "message": g.message} for g in gaps],
        extra={"rule": rule},
    )


def asking_reason(rule: str, gaps: list[travel_rule.Missing]) -> str:
    """The history reason of the hold: the rule and exactly the fields asked for."""
    return f"travel rule ({rule}) needs " + ", ".join(g.field for g in gaps)


async def bind(
    conn: AsyncConnection, remittance_id: str, record: dict[str, Any], now: datetime
) -> None:
    """Bind the record to the remittance, kept for the regime's retention period."""
    await travel_store.insert_record(
        conn,
        remittance_id,
        regime=record["regime"],
        rule=record["rule"],
        originator=record["originator"],
        beneficiary=record["beneficiary"],
        created_at=now,
        keep_until=now + timedelta(days=365 * record["retention_years"] + 2),
    )


async def record_of(conn: AsyncConnection, remittance_id: str) -> dict[str, Any] | None:
    return (await records_of(conn, [remittance_id])).get(remittance_id)


async def records_of(conn: AsyncConnection, remittance_ids: list[str]) -> dict[str, dict]:
    """The travel-rule data of these remittances as partners receive it, by remittance id."""
    rows = await travel_store.records(conn, remittance_ids)
    return {row.remittance_id: record_view(row) for row in rows}


def record_view(row: Any) -> dict[str, Any]:
    """A stored travel-rule record as partners receive it."""
    return {
        "reference": row.remittance_id,
        "rule": row.rule,
        "originator": dict(row.originator),
        "beneficiary": dict(row.beneficiary),
    }

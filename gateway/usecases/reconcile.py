"""Payout reconciliation: a payout partner's statement against our books. We expect every
remittance of that partner that reached paid_out, for the amount and currency we instructed
and the partner's reference we recorded, with its pending ledger transfer posted."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from corridors import iso20022
from fx.money import Money
from gateway.domain.postings import MoneyPath
from gateway.domain.reconciliation import (
    Mismatch,
    Reconciliation,
    Record,
    StatementError,
    read_statement,
)
from gateway.domain.reconciliation import reconcile as match
from gateway.domain.states import Status
from gateway.services import Services
from gateway.storage.tables import remittances
from ledger_adapter.sessions import reading


def in_window(
    query: sa.Select, column: sa.ColumnElement, since: datetime | None, until: datetime | None
) -> sa.Select:
    """A statement period: from `since` (inclusive) to `until` (exclusive), either open."""
    if since is not None:
        query = query.where(column >= since)
    if until is not None:
        query = query.where(column < until)
    return query


async def expected_payouts(
    svc: Services, partner_id: str, since: datetime | None = None, until: datetime | None = None
) -> list[Record]:
    """paid_out remittances of `partner_id`, by the time they were paid (updated_at)."""
    query = sa.select(remittances).where(
        remittances.c.partner_id == partner_id,
        remittances.c.status == Status.PAID_OUT.value,
    )
    query = in_window(query, remittances.c.updated_at, since, until)
    async with reading(svc.engine) as conn:
        rows = (await conn.execute(query)).all()
    return [
        Record(
            row.id,
            Money.from_minor(row.receive_amount_minor, row.receive_currency).amount,
            row.receive_currency,
            {"partner_reference": row.partner_reference or ""},
        )
        for row in rows
    ]


async def _ledger_unposted(svc: Services, records: list[Record], partner_id: str) -> list[Mismatch]:
    """A paid_out remittance whose pending transfer was never posted is a books problem."""
    found = []
    for rec in records:
        post_id = MoneyPath(rec.key, "", partner_id, "", 0, 0, "").post_id
        if await svc.ledger.get_transfer(post_id) is None:
            found.append(Mismatch(rec.key, "ledger", "posted", "not posted"))
    return found


def camt_statement(xml: bytes) -> list[Record]:
    """The payouts a camt.053/camt.054 booked (debits of our account at the bank), as
    statement records; raises StatementError when the file is not a schema-valid statement.
    Booked credits (returns) are not payments made and are left out."""
    try:
        entries = iso20022.statement_entries(xml)
    except iso20022.MessageInvalid as exc:
        raise StatementError(str(exc)) from None
    return [
        Record(e.payout_id, e.amount, e.currency, {"partner_reference": e.reference})
        for e in entries
        if e.status == "paid"
    ]


async def reconcile_payouts(
    svc: Services,
    partner_id: str,
    statement_csv: str | None,
    since: datetime | None = None,
    until: datetime | None = None,
    *,
    records: list[Record] | None = None,
) -> Reconciliation:
    """Against a CSV statement, or against `records` already read (e.g. camt_statement)."""
    statement = records if records is not None else read_statement(statement_csv or "")
    expected = await expected_payouts(svc, partner_id, since, until)
    result = match(statement, expected)
    unposted = await _ledger_unposted(svc, expected, partner_id)
    if not unposted:
        return result
    # A ledger problem on a row that matched the statement un-matches it.
    listed = {r.key for r in statement}
    already = {m.key for m in result.mismatched}
    newly_bad = {m.key for m in unposted if m.key in listed and m.key not in already}
    return Reconciliation(
        result.matched - len(newly_bad),
        result.missing,
        result.extra,
        [*result.mismatched, *unposted],
    )

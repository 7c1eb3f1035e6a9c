"""Reconciliation, both sides, in one place: a partner's statement against our books.

Payouts: we expect every remittance of that partner that reached paid_out, for the amount and
currency we instructed and the partner's reference we recorded, with its pending ledger transfer
posted. Pay-ins: every pay-in of that partner that moved money, for its amount, currency and
reference. Both read their rows in a statement period and match them with the one pure matcher
(gateway.domain.reconciliation)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any

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
from gateway.services import Services
from gateway.storage import payins as payin_store
from gateway.storage import remittances as rem_store
from ledger_adapter.sessions import reading


async def _expected(
    svc: Services,
    read: Callable[..., Awaitable[Sequence[Any]]],
    partner_id: str,
    since: datetime | None,
    until: datetime | None,
    record: Callable[[Any], Record],
) -> list[Record]:
    """The rows `read` finds for the partner in the statement period, as the records we
    expect."""
    async with reading(svc.engine) as conn:
        rows = await read(conn, partner_id, since, until)
    return [record(row) for row in rows]


async def expected_payouts(
    svc: Services, partner_id: str, since: datetime | None = None, until: datetime | None = None
) -> list[Record]:
    """paid_out remittances of `partner_id`, by the time they were paid (updated_at)."""
    return await _expected(
        svc,
        rem_store.paid_out,
        partner_id,
        since,
        until,
        lambda row: Record(
            row.id,
            Money.from_minor(row.receive_amount_minor, row.receive_currency).amount,
            row.receive_currency,
            {"partner_reference": row.partner_reference or ""},
        ),
    )


async def expected_payins(
    svc: Services, partner_id: str, since: datetime | None = None, until: datetime | None = None
) -> list[Record]:
    """Every pay-in of the partner that moved money (credited or parked; an authorisation never
    captured moved none), by when it was received."""
    return await _expected(
        svc,
        payin_store.moved_money,
        partner_id,
        since,
        until,
        lambda r: Record(
            r.partner_payin_id,
            Money.from_minor(r.amount_minor, r.currency).amount,
            r.currency,
            {"reference": r.reference},
        ),
    )


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


async def reconcile_payins(
    svc: Services,
    partner_id: str,
    statement_csv: str,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Reconciliation:
    """The payouts' matcher, keyed by the partner's pay-in id."""
    statement = read_statement(
        statement_csv, key=("payin_id", "id"), keep={"reference": ("reference",)}, only_status=None
    )
    return match(statement, await expected_payins(svc, partner_id, since, until))

"""Reconciliation as a pure function: a partner's statement rows against the records we
expect, keyed by id, giving missing (we expect, they do not list), extra (they list, we do not
expect) and mismatched (both, but a field differs, or they list it twice). No I/O, so payout
and pay-in reconciliation share it and it is tested without a database."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any


class StatementError(ValueError):
    """The statement cannot be read; the message names the line and column."""


@dataclass(frozen=True)
class Record:
    """One payment as one side knows it. `fields` hold whatever else must agree (e.g. the
    partner's reference); a field missing on either side is not compared."""

    key: str
    amount: Decimal
    currency: str
    fields: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Mismatch:
    key: str
    field: str
    expected: str
    actual: str


@dataclass(frozen=True)
class Reconciliation:
    matched: int
    missing: list[Record]
    extra: list[Record]
    mismatched: list[Mismatch]

    @property
    def clean(self) -> bool:
        return not (self.missing or self.extra or self.mismatched)

    def to_json(self) -> dict[str, Any]:
        def rec(r: Record) -> dict[str, Any]:
            return {"key": r.key, "amount": str(r.amount), "currency": r.currency, **r.fields}

        return {
            "clean": self.clean,
            "matched": self.matched,
            "missing": [rec(r) for r in self.missing],
            "extra": [rec(r) for r in self.extra],
            "mismatched": [asdict(m) for m in self.mismatched],
        }


def _compare(want: Record, got: Record) -> list[Mismatch]:
    diffs = []
    if want.amount != got.amount:  # Decimal: "100.0" equals "100.00"
        diffs.append(Mismatch(want.key, "amount", str(want.amount), str(got.amount)))
    if want.currency != got.currency:
        diffs.append(Mismatch(want.key, "currency", want.currency, got.currency))
    for name in sorted(want.fields.keys() & got.fields.keys()):
        if want.fields[name] and got.fields[name] and want.fields[name] != got.fields[name]:
            diffs.append(Mismatch(want.key, name, want.fields[name], got.fields[name]))
    return diffs


def reconcile(statement: Iterable[Record], expected: Iterable[Record]) -> Reconciliation:
    """Match by key. A key listed twice in the statement is a mismatch ("count"): a payment
    made twice is exactly what reconciliation must catch."""
    wanted = {r.key: r for r in expected}
    seen: dict[str, list[Record]] = {}
    for row in statement:
        seen.setdefault(row.key, []).append(row)
    missing = [r for k, r in sorted(wanted.items()) if k not in seen]
    extra = [rows[0] for k, rows in sorted(seen.items()) if k not in wanted]
    mismatched: list[Mismatch] = []
    matched = 0
    for key in sorted(wanted.keys() & seen.keys()):
        rows = seen[key]
        diffs = _compare(wanted[key], rows[0])
        if len(rows) > 1:
            diffs.append(Mismatch(key, "count", "1", str(len(rows))))
        if diffs:
            mismatched.extend(diffs)
        else:
            matched += 1
    return Reconciliation(matched, missing, extra, mismatched)


def read_statement(
    text: str,
    *,
    key: Sequence[str] = ("payout_id", "id"),
    keep: Mapping[str, Sequence[str]] | None = None,
    only_status: str | None = "paid",
) -> list[Record]:
    """CSV with a header row: a key column (first of `key` present), `amount`, `currency`,
    optional `status` (rows whose status is not `only_status` are skipped) and the columns of
    `keep` (record field -> accepted column names), e.g. {"partner_reference":
    ("partner_reference", "reference")}."""
    keep = {"partner_reference": ("partner_reference", "reference")} if keep is None else keep
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    key_col = next((k for k in key if k in header), None)
    for needed, present in (
        ("/".join(key), key_col),
        ("amount", "amount"),
        ("currency", "currency"),
    ):
        if present is None or present not in header:
            raise StatementError(f"line 1: column {needed} is missing")
    columns = {name: next((c for c in cols if c in header), None) for name, cols in keep.items()}
    rows = []
    for line, raw in enumerate(reader, start=2):
        status = (raw.get("status") or "").strip().lower()
        if only_status and "status" in header and status != only_status:
            continue
        ident = (raw.get(key_col) or "").strip()
        if not ident:
            raise StatementError(f"line {line}: column {key_col} is empty")
        try:
            amount = Decimal((raw.get("amount") or "").strip())
        except InvalidOperation:
            raise StatementError(f"line {line}: column amount is not a decimal") from None
        if not amount.is_finite():
            raise StatementError(f"line {line}: column amount is not a finite decimal")
        fields = {n: (raw.get(c) or "").strip() for n, c in columns.items() if c is not None}
        rows.append(Record(ident, amount, (raw.get("currency") or "").strip().upper(), fields))
    return rows

"""Payout reconciliation: the pure matcher and the statement reader (`remit reconcile --partner`
against the simulator: tests/integration/test_reconcile_payouts_cli.py)."""

from decimal import Decimal

import pytest

from gateway.domain.reconciliation import Record, StatementError, read_statement, reconcile


def rec(key: str, amount: str = "10.00", currency: str = "PHP", ref: str = "R1") -> Record:
    return Record(key, Decimal(amount), currency, {"partner_reference": ref})


def test_clean_statement_matches() -> None:
    result = reconcile([rec("a"), rec("b", "10.0")], [rec("a"), rec("b", "10.00")])
    assert result.clean and result.matched == 2


def test_missing_extra_and_mismatched() -> None:
    statement = [rec("a", "11.00"), rec("c"), rec("d", ref="OTHER"), rec("e"), rec("e")]
    expected = [rec("a"), rec("b"), rec("d"), rec("e")]
    result = reconcile(statement, expected)
    assert not result.clean and result.matched == 0
    assert [r.key for r in result.missing] == ["b"]
    assert [r.key for r in result.extra] == ["c"]
    assert {(m.key, m.field) for m in result.mismatched} == {
        ("a", "amount"),
        ("d", "partner_reference"),
        ("e", "count"),  # paid twice
    }
    assert result.to_json()["mismatched"][0] == {
        "key": "a",
        "field": "amount",
        "expected": "10.00",
        "actual": "11.00",
    }


def test_blank_reference_is_not_compared() -> None:
    assert reconcile([rec("a", ref="")], [rec("a", ref="R1")]).clean


def test_reader_skips_unpaid_rows_and_names_bad_lines() -> None:
    text = "payout_id,amount,currency,status,reference\nx,5.00,php,paid,R\ny,5.00,PHP,failed,\n"
    rows = read_statement(text)
    assert rows == [Record("x", Decimal("5.00"), "PHP", {"partner_reference": "R"})]
    with pytest.raises(StatementError, match="column amount"):
        read_statement("payout_id,currency\nx,PHP\n")
    with pytest.raises(StatementError, match="line 3: column amount"):
        read_statement("id,amount,currency\nx,1.00,PHP\ny,abc,PHP\n")

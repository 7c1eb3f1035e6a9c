"""The chart's par scaling and pegs (the ledger port's semantics, on the in-memory model and on
SqlLedger: tests/integration/test_ledger_basics.py)."""

from __future__ import annotations

import pytest

from ledger_adapter import chart


def test_scale_and_peg() -> None:
    assert chart.scale_to_coin(100, "USD", "USDC") == 1_000_000
    assert chart.scale_to_coin(7, "JPY", "USDC") == 7_000_000
    legs = chart.mint("m", 150, "EUR", "EURC", chart.clearing("EUR"))
    assert [(s.asset, s.amount) for s in legs] == [("EUR", 150), ("EURC", 1_500_000)]
    with pytest.raises(ValueError):
        chart.mint("m", 1, "EUR", "USDC", chart.clearing("EUR"))

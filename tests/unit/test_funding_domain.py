"""Pure funding rules: references with check digits, where a pay-in goes, statement matching."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from corridors.payin import METHODS, new_reference, parse_reference
from gateway.domain.payins import credit, match


def test_references_carry_iso_7064_check_digits() -> None:
    refs = {new_reference() for _ in range(500)}
    assert len(refs) == 500
    for ref in refs:
        assert ref.startswith("RF") and parse_reference(ref) == ref
        spaced = " ".join(ref[i : i + 4] for i in range(0, len(ref), 4)).lower()
        assert parse_reference(spaced) == ref
    assert new_reference("539007547034") == "RF18539007547034"  # ISO 11649's own example


@pytest.mark.parametrize("position", range(2, 20))
def test_any_single_digit_typo_or_adjacent_swap_is_caught(position: int) -> None:
    for _ in range(20):
        ref = new_reference()
        for char in "0123456789":
            if char != ref[position]:
                typo = ref[:position] + char + ref[position + 1 :]
                assert parse_reference(typo) is None, typo
        if position < 19 and ref[position] != ref[position + 1]:
            swap = ref[:position] + ref[position + 1] + ref[position] + ref[position + 2 :]
            assert parse_reference(swap) is None, swap


def _ref(currency="USD", remittance_id="rem_1"):
    return SimpleNamespace(customer_id="cus_1", currency=currency, remittance_id=remittance_id)


MATCHES = [
    # reference, paid currency, remittance status -> customer, late, reason starts with
    (None, "USD", None, None, False, "unknown reference"),
    (_ref("EUR"), "USD", "awaiting_funds", None, False, "paid in USD"),
    (_ref(remittance_id=None), "USD", None, "cus_1", False, "wallet top-up"),
    (_ref(), "USD", "awaiting_funds", "cus_1", False, "matched"),
    (_ref(), "USD", "quoted", "cus_1", False, "matched"),
    (_ref(), "USD", "expired", "cus_1", True, "arrived when the remittance was expired"),
    (_ref(), "USD", "paid_out", "cus_1", True, "arrived when the remittance was paid_out"),
    (_ref(), "USD", "cancelled", "cus_1", True, "arrived"),
]


@pytest.mark.parametrize(("ref", "cur", "state", "customer", "late", "reason"), MATCHES)
def test_where_a_pay_in_goes(ref, cur, state, customer, late, reason) -> None:
    m = match(ref, cur, state)
    assert (m.customer_id, m.late) == (customer, late)
    assert m.reason.startswith(reason)
    spec = credit("bank:p1", "bank", 100, cur, m)
    assert spec.id == "payin:bank:p1" and spec.debit_account == f"payin:bank:{cur}"
    assert spec.credit_account == (f"wallet:cus_1:{cur}" if customer else f"suspense:{cur}")


def test_methods_table() -> None:
    assert METHODS["card"].holds_on == {"authorized"} and METHODS["card"].window == "quote"
    assert not METHODS["cash_agent"].refund_to_source
    assert METHODS["bank_transfer"].window == "bank"

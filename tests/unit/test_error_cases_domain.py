"""Error-case moves and remedies as data: order enforced, refunds bounded by what was paid,
money remedies only for a settled payout."""

from __future__ import annotations

import pytest

from compliance.protections.error_cases import ErrorMoveRefused, next_status, remedy_for


def test_moves_in_order_only() -> None:
    assert next_status("open", "acknowledge") == "acknowledged"
    assert next_status("acknowledged", "investigate") == "investigating"
    assert next_status("investigating", "resolve") == "resolved"
    with pytest.raises(ErrorMoveRefused) as exc:
        next_status("open", "resolve")
    assert exc.value.code == "error-case-order"
    with pytest.raises(ErrorMoveRefused) as exc:
        next_status("resolved", "acknowledge")
    assert exc.value.code == "error-case-resolved"


def test_refund_defaults_to_everything_and_is_bounded() -> None:
    assert remedy_for("refund", 10000, None, "paid_out").amount_minor == 10000
    assert remedy_for("refund", 10000, 250, "paid_out").amount_minor == 250
    for amount in (0, 10001):
        with pytest.raises(ErrorMoveRefused):
            remedy_for("refund", 10000, amount, "paid_out")


@pytest.mark.parametrize("status", ["payout_pending", "refunded", "cancelled", "failed"])
def test_money_remedies_need_a_settled_payout(status: str) -> None:
    for kind in ("refund", "resend"):
        with pytest.raises(ErrorMoveRefused) as exc:
            remedy_for(kind, 10000, None, status)
        assert exc.value.code == "remedy-needs-payout"
    assert remedy_for("no_error", 10000, None, status).kind == "no_error"

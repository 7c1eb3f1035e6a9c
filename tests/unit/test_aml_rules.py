"""Each shipped AML rule fires exactly at its boundary: just under, at, just over."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from compliance.aml import PastTransfer, TransferFacts, load_rules
from tests.aml_support import NOW, facts

D = Decimal
RULES = load_rules()


def past(amount="100", ago=timedelta(hours=1), recipient="r1", sender="s1") -> PastTransfer:
    return PastTransfer(D(amount), NOW - ago, recipient_key=recipient, sender_id=sender)


def fires(rule_name: str, f: TransferFacts) -> bool:
    return RULES.rule(rule_name).check(f, NOW) is not None


# --- velocity (24h: max 5 transfers, max USD 5000) ---------------------------------------


@pytest.mark.parametrize(("earlier", "expected"), [(3, False), (4, False), (5, True)])
def test_velocity_count(earlier, expected):
    f = facts(sender_history=[past() for _ in range(earlier)])
    assert fires("velocity_24h", f) is expected


@pytest.mark.parametrize(
    ("earlier", "expected"), [("3999.99", False), ("4000", False), ("4000.01", True)]
)
def test_velocity_amount(earlier, expected):
    f = facts("1000", sender_history=[past(earlier)])
    assert fires("velocity_24h", f) is expected


@pytest.mark.parametrize(
    ("ago", "expected"),
    [(timedelta(hours=24), False), (timedelta(hours=24) - timedelta(seconds=1), True)],
)
def test_velocity_window_edge(ago, expected):
    f = facts("1000", sender_history=[past("4500", ago=ago)])
    assert fires("velocity_24h", f) is expected


def test_velocity_flag_figures():
    flag = RULES.rule("velocity_24h").check(facts(sender_history=[past()] * 5), NOW)
    assert flag.figures["count"] == "6" and flag.figures["max_count"] == "5"
    assert flag.figures["window"] == "24h"
    assert flag.rule == "velocity_24h" and flag.kind == "velocity"


# --- structuring (7d, thresholds 1000/3000/10000, band 10 %, min 3) ----------------------


@pytest.mark.parametrize(
    ("current", "expected"),
    [("899.99", False), ("900", True), ("999.99", True), ("1000", False)],
)
def test_structuring_band(current, expected):
    f = facts(current, sender_history=[past("950"), past("980", ago=timedelta(days=3))])
    assert fires("structuring", f) is expected


@pytest.mark.parametrize(("earlier", "expected"), [(1, False), (2, True), (3, True)])
def test_structuring_count(earlier, expected):
    f = facts("2950", sender_history=[past("2900") for _ in range(earlier)])
    assert fires("structuring", f) is expected


def test_structuring_ignores_transfers_outside_band_and_window():
    history = [past("899.99"), past("960", ago=timedelta(days=7)), past("960")]
    assert not fires("structuring", facts("950", sender_history=history))
    history.append(past("960", ago=timedelta(days=7) - timedelta(seconds=1)))
    flag = RULES.rule("structuring").check(facts("950", sender_history=history), NOW)
    assert flag.figures["threshold_usd"] == "1000" and flag.figures["count"] == "3"


# --- travel rule (USD/EUR 1000: FATF R.16; USD 3000: FinCEN recordkeeping) --------------


@pytest.mark.parametrize(("amount", "expected"), [("999.99", False), ("1000", True)])
def test_travel_rule_threshold_with_missing_data(amount, expected):
    f = facts(amount, originator_fields={"name"}, beneficiary_fields=set())
    assert fires("travel_rule", f) is expected


def test_travel_rule_complete_data_passes():
    assert not fires("travel_rule", facts("5000"))
    alt = facts("1500", originator_fields={"name", "transaction_reference", "birth_date"})
    assert not fires("travel_rule", alt)


def test_travel_rule_names_missing_fields():
    flag = RULES.rule("travel_rule").check(
        facts("1000", originator_fields={"name", "account_number"}, beneficiary_fields={"name"}),
        NOW,
    )
    assert flag.action == "reject"
    assert flag.figures["missing_originator"] == "address|national_id|customer_id|birth_date"
    assert flag.figures["missing_beneficiary"] == "account_number|transaction_reference"


@pytest.mark.parametrize(("amount", "expected"), [("2999.99", False), ("3000", True)])
def test_travel_rule_recordkeeping_tier_needs_address(amount, expected):
    f = facts(amount, originator_fields={"name", "account_number", "customer_id"})
    assert fires("travel_rule", f) is expected


@pytest.mark.parametrize(("eur", "expected"), [("999.99", False), ("1000", True)])
def test_travel_rule_eur_threshold_in_eur(eur, expected):
    f = facts(
        "1085",  # above USD 1000, but a EUR sender is measured in EUR
        send_country="DE",
        send_amount=D(eur),
        send_currency="EUR",
        originator_fields=set(),
    )
    flag = RULES.rule("travel_rule").check(f, NOW)
    assert (flag is not None) is expected
    if flag:
        assert flag.figures["currency"] == "EUR" and flag.figures["threshold"] == "1000"


# --- high-risk jurisdictions (FATF call for action: KP, IR, MM) -------------------------


@pytest.mark.parametrize(
    ("kw", "expected"),
    [
        ({"receive_country": "PH"}, False),
        ({"receive_country": "IR"}, True),
        ({"send_country": "kp"}, True),
        ({"other_countries": ("MM",)}, True),
        ({"other_countries": ("MX",)}, False),
    ],
)
def test_high_risk_jurisdiction(kw, expected):
    assert fires("fatf_call_for_action", facts(**kw)) is expected


# --- round amounts (multiple of 1000, at least USD 1000) --------------------------------


@pytest.mark.parametrize(
    ("amount", "kw", "expected"),
    [
        ("999", {}, False),
        ("1000", {}, True),
        ("1000.50", {}, False),
        ("2000", {}, True),
        ("850", {"send_amount": D("50000"), "send_currency": "PHP"}, False),
        ("1010", {"send_amount": D("57000"), "send_currency": "PHP"}, True),
        ("1010", {"send_amount": D("57500"), "send_currency": "PHP"}, False),
    ],
)
def test_round_amount(amount, kw, expected):
    assert fires("round_amount", facts(amount, **kw)) is expected


# --- large first transfer to a new recipient (USD 2000) ---------------------------------


@pytest.mark.parametrize(
    ("amount", "new", "expected"),
    [
        ("1999.99", True, False),
        ("2000", True, True),
        ("2000.01", True, True),
        ("5000", False, False),
    ],
)
def test_new_recipient_large(amount, new, expected):
    assert fires("new_recipient_large", facts(amount, recipient_is_new=new)) is expected


# --- currency reporting (USD 10000) -----------------------------------------------------


@pytest.mark.parametrize(("amount", "expected"), [("9999.99", False), ("10000", True)])
def test_large_amount(amount, expected):
    assert fires("currency_reporting", facts(amount)) is expected


# --- fan-in / fan-out (7d, max 5 distinct) ----------------------------------------------


@pytest.mark.parametrize(("others", "expected"), [(3, False), (4, False), (5, True)])
def test_fan_in(others, expected):
    history = [past(sender=f"x{i}") for i in range(others)] + [past(sender="x0")]
    assert fires("fan_in", facts(recipient_history=history)) is expected


def test_fan_in_counts_current_sender_once_and_respects_window():
    history = [past(sender=f"x{i}") for i in range(4)] + [past(sender="s1")]
    assert not fires("fan_in", facts(recipient_history=history))
    history.append(past(sender="old", ago=timedelta(days=7)))
    assert not fires("fan_in", facts(recipient_history=history))
    history.append(past(sender="new", ago=timedelta(days=6)))
    assert fires("fan_in", facts(recipient_history=history))


@pytest.mark.parametrize(("others", "expected"), [(3, False), (4, False), (5, True)])
def test_fan_out(others, expected):
    history = [past(recipient=f"y{i}") for i in range(others)] + [past(recipient="r1")]
    assert fires("fan_out", facts(sender_history=history)) is expected


# --- facts validation -------------------------------------------------------------------


def test_facts_refuse_float_and_naive_time():
    with pytest.raises(TypeError):
        facts(amount_usd=100.0)
    with pytest.raises(TypeError):
        PastTransfer(D(1), datetime(2026, 1, 1))
    with pytest.raises(ValueError):
        facts("0")

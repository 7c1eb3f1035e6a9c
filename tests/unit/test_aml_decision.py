"""Decision aggregation, evaluate() end to end, and JSON forms."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from compliance.aml import (
    DecisionPolicy,
    Flag,
    PastTransfer,
    decide,
    evaluate,
    load_rules,
    rules_from_config,
)
from tests.aml_support import NOW, facts

D = Decimal


def flag(risk, action="score", rule="r"):
    return Flag(rule=rule, reason="because", risk=risk, action=action)


POLICY = DecisionPolicy(hold_score=40)


def test_clean_transfer_passes():
    decision = evaluate(facts(), now=NOW)
    assert decision.outcome == "pass" and decision.flags == [] and decision.risk_score == 0


def test_lone_score_flag_passes_but_is_recorded():
    decision = evaluate(facts("1000"), now=NOW)
    assert decision.outcome == "pass"
    assert [f.rule for f in decision.flags] == ["round_amount"]
    assert decision.risk_score == 15


@pytest.mark.parametrize(("risks", "outcome"), [((20, 19), "pass"), ((20, 20), "hold")])
def test_score_flags_hold_at_hold_score(risks, outcome):
    assert decide([flag(r) for r in risks], POLICY, facts()).outcome == outcome


def test_hold_flag_holds_and_reject_beats_hold():
    assert decide([flag(1, "hold")], POLICY, facts()).outcome == "hold"
    both = decide([flag(1, "hold"), flag(1, "reject", "t")], POLICY, facts())
    assert both.outcome == "reject" and len(both.flags) == 2


def test_reject_score_and_cap():
    policy = DecisionPolicy(hold_score=40, reject_score=90)
    assert decide([flag(45), flag(44)], policy, facts()).outcome == "hold"
    capped = decide([flag(60), flag(60)], policy, facts())
    assert capped.outcome == "reject" and capped.risk_score == 100


@pytest.mark.parametrize(
    ("amount", "action", "sar"),
    [("1999.99", "hold", False), ("2000", "hold", True), ("2000", "score", False)],
)
def test_sar_candidate(amount, action, sar):
    assert decide([flag(10, action)], POLICY, facts(amount)).sar_candidate is sar


def test_travel_rule_missing_rejects_end_to_end():
    decision = evaluate(facts("1500", beneficiary_fields=set()), now=NOW)
    assert decision.outcome == "reject"
    assert decision.flags[0].rule == "travel_rule"


def test_flags_sorted_by_risk_and_decision_is_json():
    history = [
        PastTransfer(D("950"), NOW - timedelta(hours=h), recipient_key=f"y{h}") for h in range(6)
    ]
    decision = evaluate(
        facts("950", receive_country="IR", sender_history=history, recipient_is_new=True),
        now=NOW,
    )
    assert decision.outcome == "hold"
    rules = [f.rule for f in decision.flags]
    assert {"velocity_24h", "structuring", "fatf_call_for_action", "fan_out"} <= set(rules)
    risks = [f.risk for f in decision.flags]
    assert risks == sorted(risks, reverse=True)
    data = json.loads(json.dumps(decision.to_dict()))
    assert data["outcome"] == "hold" and data["ruleset_version"] == load_rules().version
    assert all(isinstance(v, str) for f in data["flags"] for v in f["figures"].values())


def test_now_must_be_aware():
    with pytest.raises(TypeError):
        evaluate(facts(), now=datetime(2026, 1, 1))


VELOCITY_ONLY = rules_from_config(
    {
        "rules": [
            {
                "kind": "velocity",
                "window": "24h",
                "max_amount_usd": "1000",
                "risk": 30,
                "action": "hold",
            }
        ]
    }
)
cents = st.decimals(min_value=D("0.01"), max_value=D("900"), places=2)


@given(current=cents, earlier=st.lists(cents, max_size=8))
def test_velocity_amount_never_lets_a_sum_above_the_maximum_pass(current, earlier):
    history = [PastTransfer(a, NOW - timedelta(hours=1)) for a in earlier]
    decision = evaluate(facts(str(current), sender_history=history), VELOCITY_ONLY, NOW)
    total = current + sum(earlier, D(0))
    assert (decision.outcome == "hold") == (total > D(1000))
    if decision.flags:
        assert D(decision.flags[0].figures["amount_usd"]) == total


@given(risks=st.lists(st.integers(0, 100), max_size=10))
def test_risk_score_is_bounded_and_monotone(risks):
    decision = decide([flag(r) for r in risks], POLICY, facts())
    assert 0 <= decision.risk_score <= 100
    assert decision.risk_score == min(100, sum(risks))
    assert (decision.outcome == "hold") == (bool(risks) and decision.risk_score >= 40)


past_transfers = st.lists(
    st.builds(
        PastTransfer,
        amount_usd=st.decimals(min_value=D("1"), max_value=D("12000"), places=2),
        at=st.integers(0, 10 * 24 * 3600).map(lambda s: NOW - timedelta(seconds=s)),
        recipient_key=st.sampled_from(["r1", "r2", "r3", "r4", "r5", "r6", "r7"]),
        sender_id=st.sampled_from(["s1", "s2", "s3", "s4", "s5", "s6", "s7"]),
    ),
    max_size=12,
)


@given(
    amount=st.decimals(min_value=D("1"), max_value=D("12000"), places=2),
    first=past_transfers,
    more=past_transfers,
)
def test_more_history_never_lowers_risk(amount, first, more):
    """Every history rule is monotone: adding earlier transfers can only add flags."""
    base = evaluate(facts(str(amount), sender_history=first, recipient_history=first), now=NOW)
    grown = evaluate(
        facts(str(amount), sender_history=first + more, recipient_history=first + more),
        now=NOW,
    )
    assert {f.rule for f in base.flags} <= {f.rule for f in grown.flags}
    assert grown.risk_score >= base.risk_score
    order = {"pass": 0, "hold": 1, "reject": 2}
    assert order[grown.outcome] >= order[base.outcome]

"""rules.toml: defaults, override by path, history window, validation of bad files."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from compliance.aml import ConfigError, TransferFacts, evaluate, load_rules
from tests.conftest import written

OVERRIDE = """
[decision]
hold_score = 10

[[rules]]
kind = "large_amount"
name = "big"
min_amount_usd = "500"
risk = 20
action = "score"

[[rules]]
kind = "fan_in"
window = "30d"
max_senders = 2
risk = 40

[[rules]]
kind = "velocity"
name = "off"
window = "90d"
max_count = 1
risk = 10
enabled = false
"""


def test_default_rules_cover_the_issue():
    rules = load_rules()
    kinds = {r.kind for r in rules.rules}
    assert kinds == {
        "velocity",
        "structuring",
        "travel_rule",
        "high_risk_jurisdiction",
        "round_amount",
        "new_recipient_large",
        "large_amount",
        "fan_in",
        "fan_out",
    }
    assert rules.rule("fatf_call_for_action").countries == frozenset({"KP", "IR", "MM"})
    assert rules.history_window() == timedelta(days=7)
    assert rules.policy.sar_threshold_usd == Decimal(2000)
    assert load_rules() is rules  # parsed once


def test_override_by_path(tmp_path):
    rules = load_rules(written(tmp_path / "rules.toml", OVERRIDE))
    assert [r.name for r in rules.rules] == ["big", "fan_in", "off"]
    assert rules.policy.hold_score == 10 and rules.policy.reject_score is None
    assert rules.history_window() == timedelta(days=30)  # the disabled 90d rule is ignored
    assert rules.version and rules.version != load_rules().version
    f = TransferFacts(
        amount_usd=Decimal("500"),
        send_country="US",
        receive_country="PH",
        sender_id="s",
        recipient_key="r",
    )
    decision = evaluate(f, rules, datetime(2026, 1, 1, tzinfo=UTC))
    assert decision.outcome == "hold" and [x.rule for x in decision.flags] == ["big"]


@pytest.mark.parametrize(
    "text",
    [
        '[[rules]]\nkind = "nope"\nrisk = 1\n',
        '[[rules]]\nkind = "fan_in"\nrisk = 1\nmax_sendrs = 3\n',
        '[[rules]]\nkind = "fan_in"\nrisk = 1\naction = "block"\n',
        '[[rules]]\nkind = "fan_in"\nrisk = 101\n',
        '[[rules]]\nkind = "fan_in"\n',
        '[[rules]]\nkind = "fan_in"\nrisk = 1\nwindow = "7 weeks"\n',
        '[[rules]]\nkind = "large_amount"\nrisk = 1\nmin_amount_usd = 10000.0\n',
        '[[rules]]\nkind = "high_risk_jurisdiction"\nrisk = 1\ncountries = ["XX"]\n',
        '[[rules]]\nkind = "fan_in"\nrisk = 1\n[[rules]]\nkind = "fan_in"\nrisk = 2\n',
        "[decision]\nhold = 3\n",
        "extra = 1\n",
        '[[rules]]\nkind = "travel_rule"\nrisk = 1\n[[rules.tiers]]\noriginator = ["name"]\n',
    ],
    ids=[
        "unknown-kind",
        "unknown-key",
        "bad-action",
        "risk-over-100",
        "risk-missing",
        "bad-window",
        "float-amount",
        "unknown-country",
        "duplicate-name",
        "bad-decision-key",
        "unknown-top-level",
        "travel-tier-without-amount",
    ],
)
def test_bad_config_refused(tmp_path, text):
    with pytest.raises(ConfigError):
        load_rules(written(tmp_path / "rules.toml", text))


def test_ruleset_to_dict_is_json_and_complete():
    import json

    data = json.loads(json.dumps(load_rules().to_dict()))
    assert data["history_window_s"] == 7 * 86400
    by_name = {r["name"]: r for r in data["rules"]}
    assert by_name["structuring"]["thresholds_usd"] == ["1000", "3000", "10000"]
    assert by_name["fatf_call_for_action"]["countries"] == ["IR", "KP", "MM"]
    assert by_name["velocity_24h"]["window"] == "24h"
    assert by_name["travel_rule"]["tiers"][0]["amount"] == {"USD": "1000", "EUR": "1000"}

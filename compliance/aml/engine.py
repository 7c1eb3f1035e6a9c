"""Evaluation: run every enabled rule on the facts, then aggregate the flags into a decision
by the policy. Pure: the same facts, rules and `now` always give the same decision."""

from __future__ import annotations

from datetime import UTC, datetime

from compliance.aml.facts import TransferFacts
from compliance.aml.flags import AmlDecision, Flag, Outcome
from compliance.aml.ruleset import DecisionPolicy, RuleSet, load_rules


def evaluate(
    facts: TransferFacts, rules: RuleSet | None = None, now: datetime | None = None
) -> AmlDecision:
    """The decision for one transfer. `rules` defaults to the shipped rules.toml; `now`
    (UTC aware) defaults to the current time and anchors every history window."""
    ruleset = rules if rules is not None else load_rules()
    moment = now if now is not None else datetime.now(UTC)
    if moment.tzinfo is None:
        raise TypeError("now must be timezone-aware")
    flags = [flag for rule in ruleset.active() if (flag := rule.check(facts, moment))]
    return decide(flags, ruleset.policy, facts, ruleset.version)


def decide(
    flags: list[Flag], policy: DecisionPolicy, facts: TransferFacts, version: str = ""
) -> AmlDecision:
    """Aggregate flags: reject beats hold beats pass; the risk score is the capped sum."""
    score = min(100, sum(f.risk for f in flags))
    outcome = _outcome(flags, score, policy)
    return AmlDecision(
        outcome=outcome,
        flags=sorted(flags, key=lambda f: (-f.risk, f.rule)),
        risk_score=score,
        sar_candidate=outcome != "pass" and facts.amount_usd >= policy.sar_threshold_usd,
        ruleset_version=version,
    )


def _outcome(flags: list[Flag], score: int, policy: DecisionPolicy) -> Outcome:
    actions = {f.action for f in flags}
    if "reject" in actions or (policy.reject_score is not None and score >= policy.reject_score):
        return "reject"
    if "hold" in actions or (flags and score >= policy.hold_score):
        return "hold"
    return "pass"

"""AML monitoring: declarative rules over plain transfer facts, producing flags with reasons
and figures, aggregated into a pass / hold / reject decision."""

from compliance.aml.engine import decide, evaluate
from compliance.aml.facts import PastTransfer, TransferFacts
from compliance.aml.flags import ACTIONS, AmlDecision, Flag
from compliance.aml.rules import (
    RULE_KINDS,
    FanIn,
    FanOut,
    HighRiskJurisdiction,
    LargeAmount,
    NewRecipientLarge,
    RoundAmount,
    Rule,
    Structuring,
    TravelRule,
    TravelRuleTier,
    Velocity,
)
from compliance.aml.ruleset import (
    DecisionPolicy,
    RuleSet,
    default_rules_path,
    load_rules,
    rules_from_config,
)
from compliance.kyc._decimal import ConfigError

__all__ = [
    "ACTIONS",
    "RULE_KINDS",
    "AmlDecision",
    "ConfigError",
    "DecisionPolicy",
    "FanIn",
    "FanOut",
    "Flag",
    "HighRiskJurisdiction",
    "LargeAmount",
    "NewRecipientLarge",
    "PastTransfer",
    "RoundAmount",
    "Rule",
    "RuleSet",
    "Structuring",
    "TransferFacts",
    "TravelRule",
    "TravelRuleTier",
    "Velocity",
    "decide",
    "default_rules_path",
    "evaluate",
    "load_rules",
    "rules_from_config",
]

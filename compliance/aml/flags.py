"""What the rules produce and what the decision records: flags with reasons and figures."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final, Literal

Action = Literal["score", "hold", "reject"]
Outcome = Literal["pass", "hold", "reject"]

# A rule's action says what its flag does on its own: "score" only adds risk (the decision
# holds when the total reaches the policy's hold_score), "hold" sends the transfer to review,
# "reject" refuses it outright.
ACTIONS: Final[tuple[Action, ...]] = ("score", "hold", "reject")


@dataclass(frozen=True)
class Flag:
    """One rule that fired: why, how risky (0..100), and the figures that tripped it
    (thresholds and observed values as strings, ready for JSON and the audit trail)."""

    rule: str
    reason: str
    risk: int
    figures: dict[str, str] = field(default_factory=dict)
    action: Action = "hold"
    kind: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "kind": self.kind or self.rule,
            "reason": self.reason,
            "risk": self.risk,
            "action": self.action,
            "figures": dict(self.figures),
        }


@dataclass(frozen=True)
class AmlDecision:
    """The outcome with every flag that led to it. `sar_candidate`: not a pass and at or above
    the suspicious-activity reporting threshold, so an officer must consider a report.
    `ruleset_version` identifies the exact rules that decided (a digest of the config)."""

    outcome: Outcome
    flags: list[Flag]
    risk_score: int
    sar_candidate: bool = False
    ruleset_version: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "risk_score": self.risk_score,
            "flags": [f.to_dict() for f in self.flags],
            "sar_candidate": self.sar_candidate,
            "ruleset_version": self.ruleset_version,
        }

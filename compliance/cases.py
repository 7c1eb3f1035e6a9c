"""Review cases as data: who may do what, which decision moves a case where, and the four-eyes
rule. Pure: no I/O, so every rule is tested without a database."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

OFFICER_ROLES = ("analyst", "supervisor", "admin")

# What each officer role may do; API keys with role "operator" may only read.
PERMISSIONS: dict[str, frozenset[str]] = {
    "analyst": frozenset({"read", "claim", "decide"}),
    "supervisor": frozenset({"read", "claim", "decide", "assign", "export", "audit"}),
    "admin": frozenset({"read", "claim", "decide", "assign", "export", "audit", "officers"}),
    "operator": frozenset({"read", "export", "audit"}),
}

# info_received: the sender answered a request for information; the case is back in the queue.
OPEN_STATUSES = ("open", "awaiting_second", "info_received")
ACTIONS = ("approve", "reject", "request_info")


@dataclass(frozen=True)
class Move:
    """A decision's effect: the case's new status and the remittance's (None: it stays)."""

    case_status: str
    remittance_status: str | None


# (case status, action) -> effect. An approval of a risky case is only a first approval.
DECISIONS: dict[tuple[str, str], Move] = {
    ("open", "approve"): Move("approved", "approved"),
    ("open", "reject"): Move("rejected", "rejected"),
    ("open", "request_info"): Move("needs_info", "needs_info"),
    ("awaiting_second", "approve"): Move("approved", "approved"),
    ("awaiting_second", "reject"): Move("rejected", "rejected"),
    # The sender answered: back in the queue, decided like an open case (four eyes included).
    ("info_received", "approve"): Move("approved", "approved"),
    ("info_received", "reject"): Move("rejected", "rejected"),
    ("info_received", "request_info"): Move("needs_info", "needs_info"),
    # The sender never answered: the case can still be closed.
    ("needs_info", "reject"): Move("rejected", "rejected"),
}
FIRST_APPROVAL = Move("awaiting_second", None)


class DecisionRefused(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def may(role: str, permission: str) -> bool:
    return permission in PERMISSIONS.get(role, frozenset())


def decide(
    *,
    case_status: str,
    action: str,
    risk_score: int,
    four_eyes_risk: int,
    officer_id: str,
    first_approver_id: str | None,
) -> Move:
    """The effect of `officer_id` taking `action` on a case, or DecisionRefused.

    Four eyes: approving a case whose risk is at or above `four_eyes_risk` takes two approvals by
    different officers; the first only moves the case to `awaiting_second`."""
    move = DECISIONS.get((case_status, action))
    if move is None:
        raise DecisionRefused("case-closed", f"a case that is {case_status} cannot be {action}d")
    if action != "approve":
        return move
    if case_status == "awaiting_second":
        if officer_id == first_approver_id:
            raise DecisionRefused(
                "four-eyes", "the second approval must come from a different officer"
            )
        return move
    if risk_score >= four_eyes_risk:
        return FIRST_APPROVAL
    return move


def rules_of(evidence: Mapping[str, Any]) -> list[str]:
    """The rule names a case was opened for, for filtering: 'sanctions', AML rule ids, 'kyc'."""
    rules: list[str] = []
    if evidence.get("sanctions"):
        rules.append("sanctions")
    aml = evidence.get("aml")
    if isinstance(aml, Mapping):
        for flag in aml.get("flags") or []:
            if isinstance(flag, Mapping) and flag.get("rule"):
                rules.append(str(flag["rule"]))
    if evidence.get("kyc"):
        rules.append("kyc")
    if not rules and evidence.get("reasons"):
        rules.append("other")
    return rules

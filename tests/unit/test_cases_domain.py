"""The pure rules: decisions as a table, four eyes, and the audit chain's verification."""

from __future__ import annotations

import pytest

from compliance.audit import GENESIS, Anchor, anchor_mac, entry_hash, verify
from compliance.cases import DecisionRefused, decide, may, rules_of


def _decide(status="open", action="approve", risk=90, officer="a", first=None):
    return decide(
        case_status=status,
        action=action,
        risk_score=risk,
        four_eyes_risk=80,
        officer_id=officer,
        first_approver_id=first,
    )


def test_four_eyes_table() -> None:
    assert _decide(risk=79).case_status == "approved"
    first = _decide(risk=80)
    assert (first.case_status, first.remittance_status) == ("awaiting_second", None)
    with pytest.raises(DecisionRefused):
        _decide(status="awaiting_second", officer="a", first="a")
    assert _decide(status="awaiting_second", officer="b", first="a").remittance_status == "approved"
    assert _decide(action="request_info").remittance_status == "needs_info"
    assert _decide(status="needs_info", action="reject").remittance_status == "rejected"
    with pytest.raises(DecisionRefused):
        _decide(status="rejected", action="approve")
    with pytest.raises(DecisionRefused):
        _decide(status="awaiting_second", action="request_info", first="b")


def test_roles_and_rules() -> None:
    assert may("analyst", "decide") and not may("analyst", "assign")
    assert may("operator", "read") and not may("operator", "decide")
    assert not may("partner", "read")
    evidence = {"sanctions": [{}], "aml": {"flags": [{"rule": "velocity_24h"}]}, "kyc": [{}]}
    assert rules_of(evidence) == ["sanctions", "velocity_24h", "kyc"]


def _chain(n: int, key: bytes | None = None) -> tuple[list[dict], Anchor]:
    entries, prev = [], GENESIS
    for seq in range(1, n + 1):
        entry = {
            "seq": seq,
            "at": f"t{seq}",
            "actor": "off_1",
            "action": "x",
            "object_id": "c",
            "before": None,
            "after": {"n": seq},
        }
        entry["prev_hash"], entry["hash"] = prev, entry_hash(prev, entry)
        prev = entry["hash"]
        entries.append(entry)
    return entries, Anchor(n, prev, anchor_mac(key, n, prev))


def test_verify_names_the_first_bad_entry() -> None:
    entries, anchor = _chain(5, b"k")
    assert verify(entries, anchor, b"k") is None
    entries[2]["after"] = {"n": 99}
    assert verify(entries, anchor, b"k").seq == 3
    entries, anchor = _chain(5, b"k")
    del entries[1]
    assert verify(entries, anchor, b"k").seq == 2
    entries, anchor = _chain(5, b"k")
    assert verify(entries[:4], anchor, b"k").seq == 5  # tail cut
    forged, forged_anchor = _chain(3)  # a whole new chain, anchor without the key
    finding = verify(forged, forged_anchor, b"k")
    assert finding is not None and finding.seq is None and "HMAC" in finding.problem

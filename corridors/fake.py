"""An in-memory PayoutAdapter for pipeline tests that need no HTTP.

It keeps the same promises as the simulator (one payment per key, 409-style conflicts reported as
"unknown"/"idempotency_conflict", 404-style "not_found" on inquiry) and can script the nasty
cases: the next sends time out after paying, or the partner is unavailable.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from corridors.breaker import PartnerUnavailable
from corridors.payout import NOT_FOUND, PayoutInstruction, PayoutResult


@dataclass
class InMemoryPayoutPartner:
    """Scriptable fake partner. Push outcomes with `script(...)`: "paid" (default), "accepted",
    "failed:<REASON>", "timeout" (records and pays, answers unknown), "unavailable" (raises
    PartnerUnavailable, records nothing), "error" (answers unknown, records nothing)."""

    partner_id: str = "fake"
    _script: deque[str] = field(default_factory=deque)
    payouts: dict[str, tuple[PayoutInstruction, PayoutResult]] = field(default_factory=dict)
    payments: dict[str, int] = field(default_factory=dict)
    sends: int = 0

    def script(self, *outcomes: str) -> None:
        self._script.extend(outcomes)

    def settle(self, payout_id: str, status: str = "paid", reason: str | None = None) -> None:
        """Move an accepted payout on, as a partner's back office would."""
        instruction, old = self.payouts[payout_id]
        if status == "paid" and old.status != "paid":
            self.payments[payout_id] = self.payments.get(payout_id, 0) + 1
        self.payouts[payout_id] = (instruction, PayoutResult(status, old.partner_reference, reason))

    async def send(self, instruction: PayoutInstruction) -> PayoutResult:
        self.sends += 1
        outcome = self._script.popleft() if self._script else "paid"
        if outcome == "unavailable":
            raise PartnerUnavailable(self.partner_id, 1.0)
        if outcome == "error":
            return PayoutResult("unknown", reason="http_503")
        known = self.payouts.get(instruction.payout_id)
        if known is not None:
            if known[0] != instruction:
                return PayoutResult("unknown", reason="idempotency_conflict")
            result = known[1]
        else:
            result = self._record(instruction, outcome)
        return PayoutResult("unknown", reason="timeout") if outcome == "timeout" else result

    def _record(self, instruction: PayoutInstruction, outcome: str) -> PayoutResult:
        ref = f"FAKE-{len(self.payouts) + 1}"
        if outcome.startswith("failed"):
            result = PayoutResult("failed", ref, outcome.partition(":")[2] or "FAILED")
        elif outcome == "accepted":
            result = PayoutResult("accepted", ref)
        else:
            result = PayoutResult("paid", ref)
            self.payments[instruction.payout_id] = 1
        self.payouts[instruction.payout_id] = (instruction, result)
        return result

    async def inquire(self, payout_id: str) -> PayoutResult:
        known = self.payouts.get(payout_id)
        return known[1] if known else PayoutResult("unknown", reason=NOT_FOUND)

    async def cancel(self, payout_id: str) -> PayoutResult:
        """Withdraws a payout not yet paid; a paid one stays paid."""
        known = self.payouts.get(payout_id)
        if known is None:
            return PayoutResult("unknown", reason=NOT_FOUND)
        instruction, result = known
        if result.status == "accepted":
            result = PayoutResult("cancelled", result.partner_reference)
            self.payouts[payout_id] = (instruction, result)
        return result

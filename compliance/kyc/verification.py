"""The verification provider port. Real providers (document and liveness checks) sit behind
it; the default sends every complete submission to a human officer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from compliance.kyc.customer import NEEDS_INFO, PROCESSING
from compliance.kyc.tiers import Tier, missing_fields


class VerificationProvider(Protocol):
    """Verifies a customer's submitted fields for a target tier and answers a customer status
    ("accepted", "processing", "needs_info" or "rejected")."""

    name: str

    async def verify(self, customer_id: str, tier: Tier, fields: Mapping[str, str]) -> str:
        """Submit `fields` (name -> value) for `tier`; the status the customer should take."""
        ...


class ManualReviewProvider:
    """Default provider: nothing is verified automatically. A complete submission waits for an
    officer ("processing"); an incomplete one asks for the rest ("needs_info")."""

    name = "manual_review"

    async def verify(self, customer_id: str, tier: Tier, fields: Mapping[str, str]) -> str:
        present = {k for k, v in fields.items() if v}
        return NEEDS_INFO if missing_fields(tier, present) else PROCESSING

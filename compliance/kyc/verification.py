"""The verification provider port: one method. The gateway submits a complete upgrade for
review; the provider answers later by a signed webhook (approved or rejected) that names our
review id. Real providers (document and liveness checks) and the simulator sit behind it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class VerificationRequest:
    """What a provider is asked to verify: our review id (its webhook names it), the customer,
    the tier sought and the submitted fields (personal data: sent, never logged)."""

    review_id: str
    customer_id: str
    tier: str
    fields: Mapping[str, str]


class VerificationProvider(Protocol):
    """Accepts a submission; the result arrives later as a signed webhook."""

    name: str

    async def submit(self, request: VerificationRequest) -> None:
        """Hand the submission over; raises on failure (the review then waits for a retry)."""
        ...

"""Request bodies of the KYC review routes."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from gateway.usecases.requests.base import Body


class KycDecisionRequest(Body):
    decision: Literal["approve", "reject"]
    reason: str = Field(min_length=3, max_length=300, description="why; kept internal")

"""Request bodies of the compliance routes (and the sender's answer to a request for info)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from gateway.usecases.requests.base import Body
from gateway.usecases.requests.remittances import RecipientBody


class DecisionRequest(Body):
    decision: Literal["approve", "reject", "request_info"]
    reason: str = Field(min_length=3, max_length=2000, description="why; kept internal")
    message: str | None = Field(
        default=None, max_length=1000, description="for request_info: what the sender is asked"
    )


class AssignRequest(Body):
    officer_id: str = Field(min_length=1, max_length=40)


class InformationRequest(Body):
    information: str = Field(min_length=1, max_length=4000)
    recipient: RecipientBody | None = Field(
        default=None,
        description="a corrected recipient (the corridor's fields); recorded beside the one "
        "screened before, both screened, for the officer to decide on",
    )

"""The travel-rule data a sender supplies for a held transfer (the API and the bots)."""

from __future__ import annotations

from pydantic import Field

from gateway.usecases.requests.base import Body


class TravelRuleSender(Body):
    address: str | None = Field(default=None, min_length=3, max_length=300)
    id_number: str | None = Field(default=None, min_length=2, max_length=60)
    birth_date: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}-\d{2}$")
    birth_place: str | None = Field(default=None, min_length=2, max_length=120)


class TravelRuleRequest(Body):
    sender: TravelRuleSender

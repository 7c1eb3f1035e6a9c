"""Who is calling: the caller an API key (or an officer's session) authenticates, as every floor
passes it along, from the middleware through the use cases to the queries that scope by owner."""

from __future__ import annotations

from dataclasses import dataclass

ROLES = ("sender-app", "partner", "operator")


@dataclass(frozen=True)
class Caller:
    key_id: str
    name: str
    role: str
    partner_id: str | None

"""Who may do what with a case: compliance permissions by officer role
(compliance.cases.may)."""

from __future__ import annotations

from compliance.cases import may
from gateway.domain.callers import Caller
from gateway.errors import Refused


def require(caller: Caller, permission: str) -> None:
    if not may(caller.role, permission):
        raise Refused("forbidden", "Forbidden", f"role {caller.role} may not {permission}")

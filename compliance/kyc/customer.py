"""The customer in the manner of Stellar SEP-12: a status and the fields still needed for
the next tier. The status moves only along CUSTOMER_TRANSITIONS, so an accepted customer
can be sent back to review (a sanctions list hit) but a rejected one is never revived by code."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from compliance.kyc.tiers import Tier, missing_fields, next_tier

ACCEPTED: Final = "accepted"
PROCESSING: Final = "processing"
NEEDS_INFO: Final = "needs_info"
REJECTED: Final = "rejected"
CUSTOMER_STATUSES: Final = (ACCEPTED, PROCESSING, NEEDS_INFO, REJECTED)
INITIAL_STATUS: Final = NEEDS_INFO

# status -> statuses it may move to. `rejected` is terminal (SEP-12: final).
CUSTOMER_TRANSITIONS: Final[Mapping[str, frozenset[str]]] = {
    NEEDS_INFO: frozenset({PROCESSING, REJECTED}),
    PROCESSING: frozenset({ACCEPTED, NEEDS_INFO, REJECTED}),
    ACCEPTED: frozenset({PROCESSING, NEEDS_INFO, REJECTED}),
    REJECTED: frozenset(),
}

# (status, event) -> new status: the reasons a status changes, named for the audit trail.
CUSTOMER_EVENTS: Final[Mapping[tuple[str, str], str]] = {
    (NEEDS_INFO, "info_submitted"): PROCESSING,
    (NEEDS_INFO, "rejected"): REJECTED,
    (PROCESSING, "verified"): ACCEPTED,
    (PROCESSING, "info_requested"): NEEDS_INFO,
    (PROCESSING, "rejected"): REJECTED,
    (ACCEPTED, "list_hit"): PROCESSING,
    (ACCEPTED, "info_submitted"): PROCESSING,  # documents for a higher tier
    (ACCEPTED, "info_requested"): NEEDS_INFO,  # periodic refresh, expired document
    (ACCEPTED, "rejected"): REJECTED,
}


class IllegalCustomerTransition(ValueError):
    """A status change the table does not allow."""

    def __init__(self, current: str, target: str) -> None:
        super().__init__(f"customer status cannot move from {current!r} to {target!r}")
        self.current = current
        self.target = target


def transition_customer(current: str, target: str) -> str:
    """`target` if the table allows `current -> target`; raises IllegalCustomerTransition."""
    if target not in CUSTOMER_TRANSITIONS.get(current, frozenset()):
        raise IllegalCustomerTransition(current, target)
    return target


def apply_customer_event(current: str, event: str) -> str:
    """The status after `event` (e.g. "list_hit"); raises IllegalCustomerTransition."""
    target = CUSTOMER_EVENTS.get((current, event))
    if target is None:
        raise IllegalCustomerTransition(current, f"<{event}>")
    return transition_customer(current, target)


@dataclass(frozen=True)
class Customer:
    """What the gateway stores about a sender's KYC: its status, its current tier (None until
    the lowest tier is accepted) and the names of fields already provided."""

    id: str
    status: str = INITIAL_STATUS
    tier: str | None = None
    provided_fields: frozenset[str] = frozenset()

    def can_send(self) -> bool:
        """Only an accepted customer with a tier may send."""
        return self.status == ACCEPTED and self.tier is not None


def target_tier(tiers: Mapping[str, Tier], customer: Customer) -> Tier | None:
    """The tier the customer is working towards: the next one above their current tier."""
    return next_tier(tiers, customer.tier)


def fields_needed(tiers: Mapping[str, Tier], customer: Customer) -> tuple[str, ...]:
    """Fields still needed for the next tier (empty at the top tier)."""
    target = target_tier(tiers, customer)
    return missing_fields(target, customer.provided_fields) if target else ()


def sep12_view(
    tiers: Mapping[str, Tier],
    customer: Customer,
    descriptions: Mapping[str, str] | None = None,
    message: str | None = None,
) -> dict[str, Any]:
    """A SEP-12 `GET /customer`-shaped answer: id, status, the fields still needed (with
    descriptions) and the fields provided. Field values are never included."""
    descriptions = descriptions or {}
    view: dict[str, Any] = {
        "id": customer.id,
        "status": customer.status.upper(),
        "tier": customer.tier,
        "next_tier": (target := target_tier(tiers, customer)) and target.name,
        "fields": {
            name: {"type": "string", "description": descriptions.get(name, name)}
            for name in fields_needed(tiers, customer)
        },
        "provided_fields": {
            name: {"description": descriptions.get(name, name), "status": customer.status.upper()}
            for name in sorted(customer.provided_fields)
        },
    }
    if message:
        view["message"] = message
    return view


def provided(fields: Mapping[str, object] | Iterable[str]) -> frozenset[str]:
    """The names of fields that carry a non-empty value (or the names given)."""
    if isinstance(fields, Mapping):
        return frozenset(k for k, v in fields.items() if v not in (None, ""))
    return frozenset(fields)

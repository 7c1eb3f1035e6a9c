"""Tier upgrades are reviewed: a complete submission for the next tier opens a review, which
the verification provider (signed webhook results) or a compliance officer (the console)
decides. The review's status moves only along REVIEW_MOVES; a decided review is final, so a
replayed or late result can never flip it. Approval moves the customer up one tier; rejection
leaves the tier (and its limits) as they were."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Final

PROVIDER_REVIEW: Final = "provider_review"
OFFICER_REVIEW: Final = "officer_review"
APPROVED: Final = "approved"
REJECTED: Final = "rejected"
OPEN_REVIEWS: Final = (PROVIDER_REVIEW, OFFICER_REVIEW)
REVIEW_STATUSES: Final = (*OPEN_REVIEWS, APPROVED, REJECTED)

# Who decides each tier's upgrade (tiers.toml `review`): "provider" or "officer".
REVIEWERS: Final = {"provider": PROVIDER_REVIEW, "officer": OFFICER_REVIEW}

# (review status, event) -> new status. Nothing leaves approved or rejected.
REVIEW_MOVES: Final[Mapping[tuple[str, str], str]] = {
    (PROVIDER_REVIEW, "provider_approved"): APPROVED,
    (PROVIDER_REVIEW, "provider_rejected"): REJECTED,
    (OFFICER_REVIEW, "officer_approved"): APPROVED,
    (OFFICER_REVIEW, "officer_rejected"): REJECTED,
}


class ReviewRefused(ValueError):
    """An event the table does not allow for the review's status (e.g. already decided)."""

    def __init__(self, status: str, event: str) -> None:
        super().__init__(f"a review in {status!r} cannot take {event!r}")
        self.status = status
        self.event = event


def initial_status(reviewer: str) -> str:
    """The status a new review starts in, for the tier's reviewer."""
    try:
        return REVIEWERS[reviewer]
    except KeyError:
        raise ValueError(f"unknown reviewer {reviewer!r}") from None


def move_review(status: str, event: str) -> str:
    """The status after `event`; raises ReviewRefused when the table has no such move."""
    target = REVIEW_MOVES.get((status, event))
    if target is None:
        raise ReviewRefused(status, event)
    return target


def fields_digest(fields: Mapping[str, object], names: tuple[str, ...]) -> str:
    """A digest of the values a review looked at: the same documents submitted again after a
    rejection do not reopen a review (only changed ones do). Values never leave as such."""
    chosen = {name: fields.get(name) for name in names}
    raw = json.dumps(chosen, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(raw.encode()).hexdigest()

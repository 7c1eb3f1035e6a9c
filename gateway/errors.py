"""What a use case refuses, in its own terms, so that use cases know nothing of HTTP.

Each entry point says it its own way: the API as RFC 9457 problem details (the one mapping is
`gateway.api.problems.problem_for`), the console as a page, the bots as a chat line, the CLI
as text. `slug` names the refusal (the last part of the problem type), so every caller can
tell them apart; `errors` names the fields at fault; `extra` carries members a client reads.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(eq=False)
class UseCaseError(Exception):
    """A request a use case did not carry out; nothing was written."""

    slug: str
    title: str
    detail: str = ""
    errors: list[dict[str, Any]] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__(self.detail or self.title)


class NotFound(UseCaseError):
    """What the request names does not exist (or is not the caller's to see)."""

    def __init__(self, what: str) -> None:
        super().__init__("not-found", "Not found", f"{what} does not exist")


class Conflict(UseCaseError):
    """The request is well formed but the state it meets does not allow it (now, or ever)."""


class Invalid(UseCaseError):
    """The request's values cannot be acted on: fields at fault, or a rule that refuses them
    (an expired quote, a limit, a rate that is not fresh)."""


class Refused(UseCaseError):
    """The caller is known but may not do this."""


class BadSignature(Refused):
    """The message's signature does not hold, so who sent it is unknown."""

    def __init__(self, detail: str) -> None:
        super().__init__("bad-signature", "Signature refused", detail)


def key_reused(detail: str) -> Conflict:
    """An idempotency key seen before with another request: never answered as the first."""
    return Conflict("idempotency-key-reused", "Idempotency-Key reused", detail)


def validation(errors: Sequence[dict[str, Any]], detail: str | None = None) -> Invalid:
    """Fields at fault; the detail names the first unless given."""
    first = errors[0] if errors else {}
    return Invalid(
        "validation-error",
        "Your request is not valid",
        detail or f"{first.get('field', 'body')}: {first.get('message', 'invalid')}",
        errors=list(errors),
    )


def field_error(field: str, message: str) -> Invalid:
    return validation([{"field": field, "message": message}])

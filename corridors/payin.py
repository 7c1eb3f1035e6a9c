"""Pay-in partners: how senders' money enters (bank transfer to a reference, card acquirer,
cash-in agent), as data, plus the payment references the gateway issues and the partner port.

References are ISO 11649 creditor references ("RF" + two ISO 7064 mod 97-10 check digits + up to
21 alphanumerics): banks already carry them in the remittance-information field, and a mistyped
reference fails the check digits instead of matching someone else's transfer.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

from stdnum import iso11649
from stdnum.exceptions import ValidationError
from stdnum.iso7064 import mod_97_10

from corridors.signed_post import SignedPoster, Transient

# Digits only: mod 97-10 then catches every single substitution and adjacent transposition
# (a letter counts as two digits, so with letters some typos would slip through), and digits are
# what people type most reliably into a bank form. 10**16 references.
REFERENCE_ALPHABET = "0123456789"
REFERENCE_BODY_LEN = 16


@dataclass(frozen=True, slots=True)
class PayinMethod:
    """What a pay-in method's partner reports and what it can do.

    `credits_on`: callback events that mean money arrived (credited once, whichever comes first);
    `holds_on`: events recorded without money (a card authorisation before its capture).
    `refund_to_source`: the partner can send money back to where it came from.
    `window`: "quote" (instant, the quote's own expiry) or "bank" (the corridor's
    bank_funding_ttl_s, because the money takes a day or two)."""

    name: str
    credits_on: frozenset[str]
    holds_on: frozenset[str]
    refund_to_source: bool
    window: str


METHODS: Mapping[str, PayinMethod] = {
    m.name: m
    for m in (
        PayinMethod("bank_transfer", frozenset({"received"}), frozenset(), True, "bank"),
        PayinMethod("card", frozenset({"captured"}), frozenset({"authorized"}), True, "quote"),
        PayinMethod("cash_agent", frozenset({"received"}), frozenset(), False, "bank"),
    )
}
EVENTS = frozenset().union(*(m.credits_on | m.holds_on for m in METHODS.values()))


def new_reference(body: str | None = None) -> str:
    """A fresh RF creditor reference (random body unless one is given)."""
    if body is None:
        body = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_BODY_LEN))
    check = mod_97_10.calc_check_digits(body + "RF")
    return f"RF{check}{body}"


def parse_reference(text: str) -> str | None:
    """The compact reference if `text` is a valid RF reference (spaces, case ignored), else None."""
    try:
        return iso11649.validate(text)
    except ValidationError:
        return None


@dataclass(frozen=True, slots=True)
class PayinRefund:
    """Ask the partner to return a pay-in (or part of it) to its source."""

    refund_id: str
    payin_id: str
    amount: str
    currency: str


@dataclass(frozen=True, slots=True)
class PayinReturn:
    """Ask the partner to send an unattributable pay-in back to the account it came from."""

    return_id: str
    payin_id: str
    amount: str
    currency: str
    reason: str


#: The partner's answer that the money has left: only then is a return done.
RETURN_CONFIRMED = "returned"


class PayinAdapter(Protocol):
    async def refund(self, refund: PayinRefund) -> str:
        """Returns the partner's status for the refund ("accepted" or "refunded")."""

    async def return_payin(self, ret: PayinReturn) -> str:
        """Returns the partner's status for the return ("accepted", or RETURN_CONFIRMED)."""


class PayinPartnerError(Exception):
    """The partner refused or could not be reached; the caller may retry with the same id."""


class HttpPayinPartner(SignedPoster):
    """A pay-in partner's HTTP API: signed requests, the refund id as the idempotency key."""

    async def refund(self, refund: PayinRefund) -> str:
        body = {
            "refund_id": refund.refund_id,
            "payin_id": refund.payin_id,
            "amount": refund.amount,
            "currency": refund.currency,
        }
        return await self._ask(self.post, "/payins/refunds", body, refund.refund_id)

    async def return_payin(self, ret: PayinReturn) -> str:
        """Signed, the return id as idempotency key, retried with backoff on a network error
        or a 5xx: the partner returns the money once however often it is asked."""
        body = {
            "return_id": ret.return_id,
            "payin_id": ret.payin_id,
            "amount": ret.amount,
            "currency": ret.currency,
            "reason": ret.reason,
        }
        return await self._ask(self.post_retried, "/payins/returns", body, ret.return_id)

    @staticmethod
    async def _ask(
        send: Callable[[str, dict, str], Awaitable[tuple[int, bytes]]],
        path: str,
        doc: dict,
        key: str,
    ) -> str:
        """The partner's status for the request ("accepted" when it names none)."""
        try:
            status, payload = await send(path, doc, key)
        except Transient as exc:
            reason = f"partner answered {exc.status}" if exc.status else str(exc)
            raise PayinPartnerError(reason) from exc
        if status >= 300:
            raise PayinPartnerError(f"partner answered {status}")
        try:
            return str(json.loads(payload).get("status", "accepted"))
        except ValueError as exc:
            raise PayinPartnerError("partner answered no JSON") from exc

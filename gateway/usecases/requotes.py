"""Requote: a remittance whose quote lapsed (while held for review, or before funding) waits in
`requote` until its sender accepts a new firm quote for the same send amount, or cancels.

The new quote is offered only to that remittance (`quotes.requote_for`) and lives the
corridor's `held_quote_ttl_s`. Accepting it moves `requote -> quoted` and nothing else: the
remittance keeps its KYC and screening result (it passed, or officers approved it), so it is
never screened again and never reaches funding without a decision already made."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from fx.money import AmountError, Money
from fx.pricing import price
from gateway.domain.callers import Caller
from gateway.domain.states import Status
from gateway.errors import Conflict, Invalid, field_error
from gateway.ids import new_id
from gateway.services import Services
from gateway.storage import quotes as quote_store
from gateway.storage import remittances as store
from gateway.usecases.ownership import own_remittance
from gateway.usecases.quotes import pricing_policy, quote_expired, quote_view
from gateway.usecases.rates import firm_rate
from gateway.usecases.remittances import get_remittance
from gateway.usecases.requests.remittances import AcceptQuoteRequest
from ledger_adapter.sessions import reading


def _not_in_requote(row: Any) -> Conflict:
    return Conflict(
        "not-in-requote",
        "No new quote is waiting",
        f"remittance is {row.status}; a new quote is offered and accepted only in requote",
    )


async def offer_quote(svc: Services, caller: Caller, remittance_id: str) -> dict[str, Any]:
    """A new firm quote for a remittance in requote: same corridor and send amount, today's
    rate, lifetime `held_quote_ttl_s`. Writes only the quote row."""
    async with reading(svc.engine) as conn:
        rem = await own_remittance(conn, caller, remittance_id)
    if rem.status != Status.REQUOTE:
        raise _not_in_requote(rem)
    corridor = svc.corridors.get(rem.corridor_id)
    if corridor is None:
        raise Conflict(
            "corridor-withdrawn",
            "Corridor withdrawn",
            f"corridor {rem.corridor_id} is no longer served; cancel the remittance",
        )
    policy = replace(
        pricing_policy(corridor), quote_ttl=timedelta(seconds=corridor.held_quote_ttl_s)
    )
    mid = await firm_rate(svc, rem.send_currency, rem.receive_currency)
    try:
        quote = price(
            policy,
            mid,
            send_currency=rem.send_currency,
            receive_currency=rem.receive_currency,
            send_amount=Money.from_minor(rem.send_amount_minor, rem.send_currency),
            now=svc.now(),
        )
    except (AmountError, ValueError) as exc:
        raise Invalid("quote-unavailable", "Cannot price a new quote", str(exc)) from None
    # The owner is the remittance's: the sending app reads it with GET /v1/quotes/{id}.
    values = quote_store.quote_row(new_id("qt"), rem.owner, corridor.id, quote)
    values["requote_for"] = rem.id
    async with svc.engine.begin() as conn:
        await quote_store.insert(conn, values)
    async with reading(svc.engine) as conn:
        row = await quote_store.offered_to(conn, values["id"], rem.id)
    return quote_view(svc, row)


async def quote_state(conn: AsyncConnection, rem: Any, now: datetime) -> dict[str, Any]:
    """The remittance's quotes for the officers' case page: the one it was made from, then the
    new ones offered to it (oldest first), which is in use, which lapsed."""
    rows = await quote_store.of_remittance(conn, rem.id)

    def view(q: Any) -> dict[str, Any]:
        in_use = q.id == rem.quote_id
        return {
            "id": q.id,
            "offered_in_requote": q.requote_for is not None,
            "rate": q.rate,
            "receive_amount": str(Money.from_minor(q.receive_amount_minor, q.receive_currency)),
            "receive_currency": q.receive_currency,
            "created_at": q.created_at.isoformat(),
            "expires_at": q.expires_at.isoformat(),
            "expired": q.expires_at <= now,
            "in_use": in_use,
        }

    return {"waiting_for_sender": rem.status == Status.REQUOTE, "quotes": [view(q) for q in rows]}


async def accept_quote(
    svc: Services, caller: Caller, remittance_id: str, req: AcceptQuoteRequest
) -> dict[str, Any]:
    """`requote -> quoted` with the new quote's amounts, in one transaction; a quote that is
    unknown, offered to another remittance, or expired is refused and nothing is written. The
    same accept again (a double tap, a retried request) answers the remittance as it is."""
    now = svc.now()
    async with svc.engine.begin() as conn:
        rem = await own_remittance(conn, caller, remittance_id)
        quote = await quote_store.offered_to(conn, req.quote_id, rem.id)
        if quote is None:
            raise field_error(
                "quote_id",
                f"{req.quote_id} is not a quote offered to this remittance; "
                f"POST /v1/remittances/{rem.id}/requote offers one",
            )
        if rem.quote_id == quote.id:
            pass  # accepted before: answer as it is now
        elif rem.status != Status.REQUOTE:
            raise _not_in_requote(rem)
        elif quote.expires_at <= now:
            raise quote_expired(quote, f"POST /v1/remittances/{rem.id}/requote offers a new one")
        else:
            try:
                await store.transition(
                    conn,
                    rem.id,
                    rem.status,
                    Status.QUOTED,
                    now=now,
                    reason=f"new quote {quote.id} accepted by the sender",
                    unleased=True,
                    quote_id=quote.id,
                    fee_minor=quote.fee_minor,
                    receive_amount_minor=quote.receive_amount_minor,
                )
            except store.StaleState:
                raise Conflict(
                    "state-changed", "State changed", "the remittance moved on; read it again"
                ) from None
    svc.wake_workers()
    return await get_remittance(svc, caller, remittance_id)

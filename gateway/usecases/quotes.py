"""Quotes: indicative prices and firm quotes locked in the database."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from functools import lru_cache
from types import SimpleNamespace
from typing import Any

from compliance.protections import Disclosure, disclose
from corridors.config import Corridor, CorridorNotFound, find_corridor
from fx.money import AmountError, Money, is_currency
from fx.pricing import FeeSchedule, PricingPolicy, Quote, price
from gateway.domain.callers import Caller
from gateway.errors import Invalid, NotFound, field_error
from gateway.ids import new_id
from gateway.services import Services
from gateway.storage import quotes as quote_store
from gateway.usecases.rates import firm_rate, sample_fields
from gateway.usecases.requests.remittances import QuoteRequest
from gateway.usecases.schemas import NULL_STR, STR, strings
from ledger_adapter.sessions import reading


@lru_cache(maxsize=1024)
def pricing_policy(corridor: Corridor) -> PricingPolicy:
    """Corridors are immutable values, so one policy per corridor serves every quote."""
    return PricingPolicy(
        spread_bps=corridor.spread_bps,
        fee=FeeSchedule(
            fixed=corridor.fee_fixed,
            percent=corridor.fee_percent,
            minimum=corridor.fee_minimum,
            maximum=corridor.fee_maximum,
        ),
        quote_ttl=timedelta(seconds=corridor.quote_ttl_s),
    )


def choose_corridor(svc: Services, req: QuoteRequest) -> Corridor:
    for field in ("send_currency", "receive_currency"):
        if not is_currency(getattr(req, field)):
            raise field_error(field, f"{getattr(req, field)} is not an ISO 4217 currency")
    if req.corridor_id is not None:
        corridor = svc.corridors.get(req.corridor_id)
        if corridor is None:
            raise field_error("corridor_id", f"unknown corridor {req.corridor_id}")
        if (corridor.send_currency, corridor.receive_currency) != (
            req.send_currency,
            req.receive_currency,
        ):
            raise field_error("corridor_id", "the corridor does not serve this currency pair")
        return corridor
    try:
        return find_corridor(
            svc.corridors,
            req.send_currency,
            req.receive_currency,
            receive_country=req.receive_country,
            payout_method=req.payout_method,
        )
    except CorridorNotFound:
        raise field_error(
            "receive_currency",
            f"no corridor sends {req.send_currency} to {req.receive_currency}"
            + (f" in {req.receive_country}" if req.receive_country else ""),
        ) from None


def _check_limits(corridor: Corridor, quote: Quote, field: str) -> None:
    low, high = corridor.min_send, corridor.max_send
    sent = quote.send_amount.amount
    if sent < low or sent > high:
        raise field_error(
            field,
            f"the amount sent must be between {low} and {high} {corridor.send_currency} "
            f"(this request sends {quote.send_amount})",
        )


async def price_request(svc: Services, req: QuoteRequest) -> tuple[Corridor, Quote]:
    corridor = choose_corridor(svc, req)
    field = "send_amount" if req.send_amount is not None else "receive_amount"
    mid = await firm_rate(svc, req.send_currency, req.receive_currency)
    try:  # price() parses the amounts strictly and names the field at fault
        quote = price(
            pricing_policy(corridor),
            mid,
            send_currency=req.send_currency,
            receive_currency=req.receive_currency,
            send_amount=req.send_amount,
            receive_amount=req.receive_amount,
            now=svc.now(),
        )
    except (AmountError, ValueError) as exc:
        raise field_error(getattr(exc, "field", None) or field, str(exc)) from None
    _check_limits(corridor, quote, field)
    return corridor, quote


def quote_view(svc: Services, row: Any) -> dict[str, Any]:
    """A stored quote row as the API shows it, with the sender's pre-payment disclosure."""
    send = Money.from_minor(row.send_amount_minor, row.send_currency)
    fee = Money.from_minor(row.fee_minor, row.send_currency)
    receive = Money.from_minor(row.receive_amount_minor, row.receive_currency)
    return _view(svc, row, send, fee, receive)


_TEXT_BY_LANGUAGE = {"type": "object", "additionalProperties": STR}
_CONTACT = {
    "type": "object",
    "properties": {"name": STR, "phone": STR, "website": STR},
    "required": ["name", "phone", "website"],
}

DISCLOSURE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Pre-payment disclosure of the sending country's regime (e.g. 12 CFR 1005.31)",
    "properties": {
        **strings(
            "regime",
            "regime_title",
            "rule",
            "transfer_amount",
            "fees",
            "taxes",
            "total",
            "send_currency",
            "exchange_rate",
            "covered_third_party_fees",
            "amount_received",
            "receive_currency",
        ),
        "covered": {"type": "boolean"},
        "not_covered_reason": {"type": ["string", "null"]},
        "coverage_threshold": {"type": ["string", "null"]},
        "statement": _TEXT_BY_LANGUAGE,
        "provider": _CONTACT,
    },
    "required": [
        "regime",
        "covered",
        "transfer_amount",
        "fees",
        "taxes",
        "total",
        "exchange_rate",
        "covered_third_party_fees",
        "amount_received",
        "statement",
        "provider",
    ],
}


def quote_disclosure(
    svc: Services, corridor_id: str, send: Money, fee: Money, receive: Money, rate: str
) -> Disclosure:
    """The disclosure of the sending country's regime (a corridor since removed: the baseline)."""
    corridor = svc.corridors.get(corridor_id)
    regime = svc.regimes.for_country(corridor.send_country if corridor else "*")
    return disclose(
        regime, svc.provider, send_amount=send, fee=fee, receive_amount=receive, rate=Decimal(rate)
    )


QUOTE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        **strings(
            "id",
            "corridor_id",
            "send_currency",
            "receive_currency",
            "send_amount",
            "fee",
            "amount_converted",
            "receive_amount",
            "rate",
            "mid_rate",
            "rate_source",
            "rate_as_of",
            "created_at",
            "expires_at",
            "rounding",
        ),
        "sample_rates": {
            "type": "boolean",
            "description": "true when priced from sample data or the embedded ECB snapshot "
            "(REMIT_RATES_MODE=sample): not market data, not for real transfers",
        },
        "rates_notice": NULL_STR,
        "remittance_id": NULL_STR,
        "requote_for": {
            **NULL_STR,
            "description": "the remittance in requote this quote was offered to: only it may "
            "accept it (POST /v1/remittances/{id}/accept-quote)",
        },
        "disclosure": DISCLOSURE_SCHEMA,
    },
}


def _view(svc: Services, row: Any, send: Money, fee: Money, receive: Money) -> dict[str, Any]:
    """A quote's body; its schema is `QUOTE_SCHEMA`, just above (the disclosure's is
    `DISCLOSURE_SCHEMA`, by `quote_disclosure`)."""
    disclosure = quote_disclosure(svc, row.corridor_id, send, fee, receive, row.rate)
    return {
        "id": row.id,
        "corridor_id": row.corridor_id,
        "send_currency": row.send_currency,
        "receive_currency": row.receive_currency,
        "send_amount": str(send),
        "fee": str(fee),
        "amount_converted": str(send - fee),
        "receive_amount": str(receive),
        "rate": row.rate,
        "mid_rate": row.mid_rate,
        "rate_source": row.rate_source,
        "rate_as_of": row.rate_as_of.isoformat(),
        **sample_fields(row.rate_source),
        "created_at": row.created_at.isoformat(),
        "expires_at": row.expires_at.isoformat(),
        "rounding": "receive amounts round down, fees round up",
        "remittance_id": row.remittance_id,
        "requote_for": getattr(row, "requote_for", None),
        "disclosure": disclosure.to_dict(),
    }


def indicative_view(corridor: Corridor, quote: Quote) -> dict[str, Any]:
    body = quote.to_dict()
    body["corridor_id"] = corridor.id
    body.pop("expires_at", None)
    body["indicative"] = True
    body.update(sample_fields(quote.rate_source))
    return body


async def create_quote(svc: Services, caller: Caller, req: QuoteRequest) -> dict[str, Any]:
    corridor, quote = await price_request(svc, req)
    values = quote_store.quote_row(new_id("qt"), caller.name, corridor.id, quote)
    await svc.quote_writer.insert(values)
    return _view(svc, SimpleNamespace(**values), quote.send_amount, quote.fee, quote.receive_amount)


async def get_quote(svc: Services, caller: Caller, quote_id: str) -> dict[str, Any]:
    async with reading(svc.engine) as conn:
        row = await quote_store.owned_by(conn, quote_id, caller.name)
    if row is None:
        raise NotFound(f"quote {quote_id}")
    return quote_view(svc, row)


def quote_expired(quote: Any, fix: str) -> Invalid:
    """A firm quote past its expiry, refused; `fix` says where a new one comes from."""
    return Invalid(
        "quote-expired",
        "Quote expired",
        f"quote {quote.id} expired at {quote.expires_at.isoformat()}; {fix}",
        errors=[{"field": "quote_id", "message": "expired"}],
    )

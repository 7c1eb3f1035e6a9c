"""Routes for sending apps: prices, quotes, wallets, remittances (customers: customer_routes)."""

from __future__ import annotations

from gateway.api import sender_views as views
from gateway.api.routing import ANY_CALLER, Route, roles
from gateway.usecases import quotes, receipts, wallets
from gateway.usecases.remittances import REMITTANCE_SCHEMA
from gateway.usecases.requests.remittances import (
    AcceptQuoteRequest,
    QuoteRequest,
    RemittanceRequest,
    TopUpRequest,
)
from gateway.usecases.schemas import STR

_obj = {"type": "object"}

QUOTE = quotes.QUOTE_SCHEMA  # declared beside the function that builds the body
WALLET = wallets.WALLET_SCHEMA
REMITTANCE = REMITTANCE_SCHEMA  # declared beside remittance_view, which builds the body
PRICE_QUERY = [
    {
        "name": n,
        "in": "query",
        "required": n in ("send_currency", "receive_currency"),
        "schema": STR,
    }
    for n in (
        "send_currency",
        "receive_currency",
        "send_amount",
        "receive_amount",
        "receive_country",
        "payout_method",
        "corridor_id",
    )
]
SENDERS = roles("sender-app", "operator")

ROUTES: list[Route] = [
    Route(
        "GET",
        "/v1/prices",
        views.get_prices,
        "Indicative price (not stored, not firm)",
        roles=ANY_CALLER,
        tag="quotes",
        query=PRICE_QUERY,
        response=_obj,
        errors=(422,),
    ),
    Route(
        "POST",
        "/v1/quotes",
        views.post_quote,
        "Firm quote, locked until expires_at",
        roles=SENDERS,
        tag="quotes",
        body=QuoteRequest,
        response=QUOTE,
        status=201,
        errors=(400, 413, 415, 422),
    ),
    Route(
        "GET",
        "/v1/quotes/{id}",
        views.get_quote,
        "A quote (readable after expiry)",
        roles=SENDERS,
        tag="quotes",
        response=QUOTE,
        errors=(404,),
    ),
    Route(
        "GET",
        "/v1/customers/{id}/wallet",
        views.get_wallet,
        "Wallet balances of a sender",
        roles=SENDERS,
        tag="customers",
        response=WALLET,
        errors=(404,),
    ),
    Route(
        "POST",
        "/v1/customers/{id}/wallet/topups",
        views.post_topup,
        "Credit a sender's wallet with cash received (operators)",
        roles=roles("operator"),
        tag="customers",
        body=TopUpRequest,
        response=WALLET,
        status=201,
        idempotency_key=True,
        errors=(400, 404, 409, 413, 415, 422),
    ),
    Route(
        "POST",
        "/v1/remittances",
        views.post_remittance,
        "Create a remittance from a quote",
        roles=SENDERS,
        body=RemittanceRequest,
        response=REMITTANCE,
        status=201,
        idempotency_key=True,
        errors=(400, 409, 413, 415, 422),
    ),
    Route(
        "GET",
        "/v1/remittances/{id}",
        views.get_remittance,
        "Status, amounts and history of a remittance",
        roles=SENDERS,
        response=REMITTANCE,
        errors=(404,),
    ),
    Route(
        "POST",
        "/v1/remittances/{id}/cancel",
        views.cancel_remittance,
        "Cancel before money moves",
        roles=SENDERS,
        response=REMITTANCE,
        errors=(404, 409),
    ),
    Route(
        "POST",
        "/v1/remittances/{id}/requote",
        views.post_requote,
        "A new firm quote (same send amount, today's rate, the corridor's held_quote_ttl_s) for "
        "a remittance in requote",
        roles=SENDERS,
        response=QUOTE,
        status=201,
        errors=(404, 409, 422),
    ),
    Route(
        "POST",
        "/v1/remittances/{id}/accept-quote",
        views.accept_quote,
        "The sender accepts the new quote: requote -> quoted, KYC and screening result kept",
        roles=SENDERS,
        body=AcceptQuoteRequest,
        response=REMITTANCE,
        errors=(400, 404, 409, 413, 415, 422),
    ),
    Route(
        "GET",
        "/v1/remittances/{id}/receipt",
        views.get_receipt,
        "The sender's receipt once paid (JSON; a printable page with Accept: text/html; the "
        "same page as PDF with Accept: application/pdf or ?format=pdf)",
        roles=SENDERS,
        response=receipts.RECEIPT_SCHEMA,
        html=True,
        pdf=True,
        query=(
            {
                "name": "lang",
                "in": "query",
                "schema": {"type": "string", "enum": ["en", "zh-Hans"]},
            },
            {
                "name": "format",
                "in": "query",
                "schema": {"type": "string", "enum": ["pdf"]},
            },
        ),
        errors=(404, 409),
    ),
]

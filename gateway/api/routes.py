"""Every HTTP route of the gateway: one table, assembled from each area's own list (one import
line per area, so areas are added without touching each other's lines)."""

from __future__ import annotations

from gateway.api import (
    bot_routes,
    compliance_routes,
    corridor_routes,
    customer_routes,
    fspiop_routes,
    kyc_routes,
    ledger_routes,
    ops_routes,
    partner_routes,
    payin_routes,
    protection_routes,
    sender_routes,
    webhook_routes,
)
from gateway.api.routing import Route
from gateway.console import routes as console_routes

ROUTES: list[Route] = [
    *ops_routes.ROUTES,
    *customer_routes.ROUTES,
    *sender_routes.ROUTES,
    *ledger_routes.ROUTES,
    *corridor_routes.ROUTES,
    *partner_routes.ROUTES,
    *fspiop_routes.ROUTES,
    *webhook_routes.ROUTES,
    *payin_routes.ROUTES,
    *protection_routes.ROUTES,
    *compliance_routes.ROUTES,
    *kyc_routes.ROUTES,
    *console_routes.ROUTES,
    *bot_routes.ROUTES,
]

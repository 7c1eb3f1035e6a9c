"""Every HTTP route of the gateway: one table, assembled from each area's own list."""

from __future__ import annotations

from gateway.api import ops_routes, sender_routes
from gateway.api.routing import Route

ROUTES: list[Route] = [
    *ops_routes.ROUTES,
    *sender_routes.ROUTES,
]

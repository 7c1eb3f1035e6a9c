"""Reading corridors: what a sending app needs to build its forms before it quotes."""

from __future__ import annotations

from typing import Any

from corridors.config import Corridor
from corridors.recipients import requirements
from gateway.errors import NotFound
from gateway.services import Services


def corridor_view(corridor: Corridor) -> dict[str, Any]:
    """The public part of a corridor; the partner behind it stays internal."""
    body = corridor.to_json()
    body.pop("partner_id", None)
    body["requirements_url"] = f"/v1/corridors/{corridor.id}/requirements"
    return body


def list_corridors(svc: Services) -> dict[str, Any]:
    return {"corridors": [corridor_view(c) for c in sorted(svc.corridors.values(), key=_by_id)]}


def corridor_requirements(svc: Services, corridor_id: str) -> dict[str, Any]:
    corridor = svc.corridors.get(corridor_id)
    if corridor is None:
        raise NotFound(f"corridor {corridor_id}")
    return {
        "corridor_id": corridor.id,
        "receive_country": corridor.receive_country,
        "payout_method": corridor.payout_method,
        "account_scheme": corridor.account_scheme,
        "fields": requirements(corridor),
    }


def _by_id(corridor: Corridor) -> str:
    return corridor.id

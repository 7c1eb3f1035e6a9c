"""Reading corridors: what a sending app needs to build its forms before it quotes."""

from __future__ import annotations

import dataclasses
import types
import typing
from decimal import Decimal
from typing import Any

from corridors.config import Corridor
from corridors.recipients import requirements
from gateway.errors import NotFound
from gateway.services import Services

_INTERNAL = ("partner_id",)
_JSON_TYPES: dict[type, str] = {str: "string", Decimal: "string", int: "integer"}


def corridor_view(corridor: Corridor) -> dict[str, Any]:
    """The public part of a corridor; the partner behind it stays internal."""
    body = corridor.to_json()
    for name in _INTERNAL:
        body.pop(name, None)
    body["requirements_url"] = f"/v1/corridors/{corridor.id}/requirements"
    return body


def _corridor_schema() -> dict[str, Any]:
    """`corridor_view`'s JSON Schema, from the same dataclass fields `Corridor.to_json` writes:
    a field the corridor gains is documented without anyone remembering to. `to_json` leaves
    out a None, except `fee_maximum` (always present, null: no maximum)."""
    props: dict[str, Any] = {}
    for name, hint in typing.get_type_hints(Corridor).items():
        if name in _INTERNAL or name not in {f.name for f in dataclasses.fields(Corridor)}:
            continue
        args = typing.get_args(hint) if isinstance(hint, types.UnionType) else (hint,)
        json_type = _JSON_TYPES[next(a for a in args if a is not type(None))]
        props[name] = {"type": [json_type, "null"] if name == "fee_maximum" else json_type}
    props["requirements_url"] = {"type": "string"}
    return {"type": "object", "properties": props}


CORRIDOR_SCHEMA: dict[str, Any] = _corridor_schema()


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

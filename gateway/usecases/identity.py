"""Changes to a screened identity. A sender with a compliance case (open, or any earlier one:
a hit was seen) who changes a screened field, or a held remittance whose recipient is
corrected, gets a KYC event with the identity before and after, both screened together, shown
on the case. The identity screened before is kept (customer_kyc.former_identities) and
screened again at every later screening, so a new name never leaves an old hit behind. A change
never moves a remittance: a hold ends only by an officer's decision."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from compliance.cases import OPEN_STATUSES
from compliance.sanctions import Screener
from gateway.ids import new_id
from gateway.storage import cases as case_store
from gateway.storage import customers as customer_store
from gateway.storage import kyc as kyc_store

# The customer fields sanctions screening reads or an officer compares with a list entry.
SCREENED_FIELDS = (
    "name",
    "first_name",
    "last_name",
    "birth_date",
    "country",
    "id_type",
    "id_number",
    "id_country_code",
)

# Cases that still wait for someone: a change shown there matters to a decision not yet taken.
WAITING_STATUSES = (*OPEN_STATUSES, "needs_info")


def sender_identity(name: str | None, country: str | None, fields: Mapping[str, Any]) -> dict:
    """The screened identity of a customer: the row's name and country, KYC fields for the rest."""
    found: dict[str, Any] = {"name": name, "country": country}
    for key in SCREENED_FIELDS[1:]:
        if key != "country":
            found[key] = fields.get(key)
    if isinstance(found["birth_date"], date):
        found["birth_date"] = found["birth_date"].isoformat()
    return found


def changed_fields(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    return [k for k in before.keys() | after.keys() if before.get(k) != after.get(k)]


def screen_both(
    screener: Screener, before: Mapping[str, Any], after: Mapping[str, Any], *, with_country: bool
) -> list[dict[str, Any]]:
    """Sanctions hits of the old and the new identity, each hit naming which one it is for."""
    hits = []
    for label, identity in (("before", before), ("after", after)):
        name = str(identity.get("name") or "").strip()
        if not name:
            continue
        country = identity.get("country") if with_country else None
        found = screener.screen(
            name, kind="individual", country=country, dob=identity.get("birth_date")
        )
        hits += [{"identity": label, "screened_name": name, **h.to_dict()} for h in found]
    return hits


async def sender_is_watched(conn: AsyncConnection, customer_id: str, kyc: Any) -> bool:
    """A sender with any compliance case (a hit or a flag was seen) or a former identity."""
    if kyc is not None and kyc.former_identities:
        return True
    return await customer_store.has_case(conn, customer_id)


async def record_change(
    conn: AsyncConnection,
    *,
    party: str,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    hits: list[dict[str, Any]],
    list_version: str,
    now: datetime,
    customer_id: str | None = None,
    remittance_id: str | None = None,
) -> str:
    """Write the KYC event and touch the cases still waiting for a decision on this party, so
    an officer deciding on what they read before the change is told to reload."""
    change_id = new_id("idc")
    await kyc_store.add_identity_change(
        conn,
        change_id,
        now,
        party=party,
        customer_id=customer_id,
        remittance_id=remittance_id,
        list_version=list_version,
        before=dict(before),
        after=dict(after),
        hits=hits,
    )
    await case_store.touch_waiting(
        conn, WAITING_STATUSES, now, remittance_id=remittance_id, sender_id=customer_id
    )
    return change_id


async def keep_former_identity(
    conn: AsyncConnection, customer_id: str, kyc: Any, before: Mapping[str, Any]
) -> None:
    """Remember the identity screened before, for every later screening of this sender."""
    former = list(kyc.former_identities or []) if kyc is not None else []
    if dict(before) not in former:
        former.append(dict(before))
    await kyc_store.set_former_identities(conn, customer_id, former)


def change_view(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "party": row.party,
        "customer_id": row.customer_id,
        "remittance_id": row.remittance_id,
        "fields": sorted(changed_fields(row.before, row.after)),
        "before": row.before,
        "after": row.after,
        "hits": row.hits,
        "list_version": row.list_version,
        "at": row.created_at.isoformat(),
    }


async def changes_for_case(
    conn: AsyncConnection, sender_id: str, remittance_id: str
) -> list[dict[str, Any]]:
    """The sender's identity changes and this remittance's recipient changes, oldest first."""
    return [
        change_view(r) for r in await kyc_store.identity_changes_of(conn, sender_id, remittance_id)
    ]

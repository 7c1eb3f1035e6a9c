"""Erasure on request, the retention run, and the subject-access export.

Erasure ends the relationship and erases at once what no law keeps (phone, chat conversations,
saved recipients); identity records wait for the regime's KYC retention after the relationship
ended, transfer and travel-rule records for the transfer retention after each transfer. What
is kept, why and until when, is in the answer. `retention_run` erases whatever has passed its
period. An erased value becomes the ERASED marker (no key opens it, reads see None / {});
ledger and audit rows hold ids and hashes only, so both chains still verify.

Every erasure, run and export is written to the audit log (actor, ids, field names, reason:
never the values)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import structlog

from compliance.protections import retention
from compliance.protections.regimes import Regime
from gateway.domain.states import TERMINAL
from gateway.errors import Conflict, NotFound
from gateway.services import Services
from gateway.storage import customers as customer_store
from gateway.storage import erasure as store
from gateway.usecases import audit_trail
from gateway.usecases.customers import personal_view
from gateway.usecases.schemas import STR, nullable_strings, strings
from ledger_adapter.sessions import reading

log = structlog.get_logger("gateway.erasure")

FINAL = tuple(s.value for s in TERMINAL)
BATCH = 500
# Kept without personal data, always: what the ledger and the audit log need.
KEPT_WITHOUT_PERSONAL_DATA = (
    "ledger transfers (account ids, amounts, hashes)",
    "audit log (ids, actions, hashes)",
    "remittance states, amounts and history",
)


def _regime(svc: Services, country: str) -> Regime:
    return svc.regimes.for_country(country)


def _transfer_regime(svc: Services, corridor_id: str, fallback: str) -> Regime:
    corridor = svc.corridors.get(corridor_id)
    return _regime(svc, corridor.send_country if corridor else fallback)


_KEPT = {
    "type": "object",
    "properties": {
        "what": STR,
        "fields": {"type": "array", "items": STR},
        "until": STR,
        "rule": STR,
    },
}
ERASURE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "customer_id": STR,
        "relationship_ended_at": STR,
        "erased": {"type": "array", "items": STR},
        "kept": {"type": "array", "items": _KEPT, "description": "what the law keeps, until"},
        "kept_without_personal_data": {"type": "array", "items": STR},
    },
}


async def erase_customer(
    svc: Services, actor: str, customer_id: str, reason: str, now: datetime | None = None
) -> dict[str, Any]:
    """Erase a person on request except what the law keeps; the answer says what was kept
    (its schema: `ERASURE_SCHEMA`, just above)."""
    now = now or svc.now()
    async with svc.engine.begin() as conn:
        row = await store.relationship(conn, customer_id)
        if row is None:
            raise NotFound(f"customer {customer_id}")
        open_ = await store.transfers_not_final(conn, customer_id, FINAL)
        if open_:
            raise Conflict(
                "customer-has-open-remittances",
                "Customer has open remittances",
                f"customer {customer_id} has {open_} remittance(s) not yet final; erase once "
                "they are paid out, refunded, rejected or cancelled",
            )
        ended_at = row.ended_at or now
        if row.ended_at is None:
            await store.end_relationship(conn, customer_id, now)
        regime = _regime(svc, row.country)
        erased = list(retention.ERASED_ON_REQUEST)
        kept: list[retention.Kept] = []
        await store.erase_contact(conn, customer_id)
        kyc_until = retention.kyc_keep_until(regime, ended_at)
        if row.erased_at is not None or kyc_until <= now:
            await store.erase_identity(conn, customer_id, now)
            erased += retention.KYC_RECORDS
        else:
            kept.append(
                retention.Kept(
                    "identity (KYC) records",
                    retention.KYC_RECORDS,
                    kyc_until,
                    regime.retention_rule,
                )
            )
        transfers = await store.sender_transfers(conn, customer_id)
        due, waiting = [], []
        for t in transfers:
            until = retention.transfer_keep_until(
                _transfer_regime(svc, t.corridor_id, row.country), t.created_at
            )
            (due if until <= now else waiting).append((t.id, until))
        await store.erase_transfers(conn, [i for i, _ in due])
        if due:
            erased += [f"{name} of {len(due)} transfer(s)" for name in retention.TRANSFER_RECORDS]
        if waiting:
            kept.append(
                retention.Kept(
                    f"transfer records of {len(waiting)} transfer(s)",
                    retention.TRANSFER_RECORDS,
                    max(u for _, u in waiting),
                    regime.retention_rule,
                )
            )
        after = {"erased": erased, "kept": [k.what for k in kept], "reason": reason[:300]}
        await audit_trail.record(svc, conn, now, actor, "customer.erased", customer_id, after=after)
    log.info("customer_erased", customer_id=customer_id, kept=len(kept))
    return {
        "customer_id": customer_id,
        "relationship_ended_at": ended_at.isoformat(),
        "erased": erased,
        "kept": [k.to_dict() for k in kept],
        "kept_without_personal_data": list(KEPT_WITHOUT_PERSONAL_DATA),
    }


async def retention_run(svc: Services, actor: str, now: datetime | None = None) -> dict[str, Any]:
    """Erase every record whose retention period has passed; report what was erased."""
    now = now or svc.now()
    erased_customers: list[str] = []
    async with reading(svc.engine) as conn:
        ended = await store.ended_relationships(conn)
    for c in ended:
        if retention.kyc_keep_until(_regime(svc, c.country), c.ended_at) <= now:
            async with svc.engine.begin() as conn:
                await store.erase_contact(conn, c.id)
                await store.erase_identity(conn, c.id, now)
            erased_customers.append(c.id)
    cutoff = retention.oldest_transfer_cutoff(list(svc.regimes.by_name.values()), now)
    async with reading(svc.engine) as conn:
        candidates = await store.final_transfers_before(conn, cutoff, FINAL)
    due = [
        r.id
        for r in candidates
        if retention.transfer_keep_until(
            _transfer_regime(svc, r.corridor_id, r.country), r.created_at
        )
        <= now
    ]
    for start in range(0, len(due), BATCH):
        async with svc.engine.begin() as conn:
            await store.erase_transfers(conn, due[start : start + BATCH])
    async with svc.engine.begin() as conn:
        report = {
            "as_of": now.isoformat(),
            "customers_erased": erased_customers,
            "transfers_erased": len(due),
            "travel_rule_records_expired": await store.expire_travel_records(conn, now),
        }
        after = {k: v for k, v in report.items() if k != "as_of"}
        await audit_trail.record(svc, conn, now, actor, "retention.run", "retention", after=after)
    log.info("retention_run", customers=len(erased_customers), transfers=len(due))
    return report


EXPORT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "everything held on the person, decrypted (subject access request)",
    "properties": {
        "customer": {
            "type": "object",
            "properties": {
                **strings("id", "name", "country", "tier", "status", "created_at"),
                **nullable_strings(
                    "external_id",
                    "phone",
                    "birth_date",
                    "relationship_ended_at",
                    "erased_at",
                ),
            },
        },
        "kyc_fields": {"type": "object"},
        "former_identities": {"type": "array", "items": {"type": "object"}},
        "remittances": {"type": "array", "items": {"type": "object"}},
        "travel_rule_records": {"type": "array", "items": {"type": "object"}},
        "identity_changes": {"type": "array", "items": {"type": "object"}},
        "chats": {"type": "array", "items": {"type": "object"}},
    },
}


async def export_customer(
    svc: Services, actor: str, customer_id: str, reason: str
) -> dict[str, Any]:
    """Everything the gateway holds on the person, decrypted (a subject access request); the
    reading is written to the audit log with who read and why. The body's schema is
    `EXPORT_SCHEMA`, just above."""
    now = svc.now()
    async with svc.engine.begin() as conn:
        row = await customer_store.customer(conn, customer_id)
        if row is None:
            raise NotFound(f"customer {customer_id}")
        held = await store.held_on(conn, row)
        after = {"reason": reason[:300], "remittances": len(held["remittances"])}
        await audit_trail.record(
            svc, conn, now, actor, "customer.exported", customer_id, after=after
        )
    kyc = held["kyc"][0] if held["kyc"] else None
    sent, travel = held["remittances"], held["travel_rule_records"]
    changes, chats = held["identity_changes"], held["chats"]
    return {
        "customer": {
            **personal_view(row),
            "tier": row.tier,
            "status": row.status,
            "created_at": row.created_at.isoformat(),
            "relationship_ended_at": row.ended_at.isoformat() if row.ended_at else None,
            "erased_at": row.erased_at.isoformat() if row.erased_at else None,
        },
        "kyc_fields": dict(kyc.fields or {}) if kyc else {},
        "former_identities": list(kyc.former_identities or []) if kyc else [],
        "remittances": [
            {
                "id": r.id,
                "status": r.status,
                "corridor_id": r.corridor_id,
                "send_amount_minor": r.send_amount_minor,
                "send_currency": r.send_currency,
                "receive_amount_minor": r.receive_amount_minor,
                "receive_currency": r.receive_currency,
                "recipient": dict(r.recipient or {}),
                "created_at": r.created_at.isoformat(),
            }
            for r in sent
        ],
        "travel_rule_records": [
            {
                "remittance_id": t.remittance_id,
                "rule": t.rule,
                "originator": dict(t.originator),
                "beneficiary": dict(t.beneficiary),
                "keep_until": t.keep_until.isoformat(),
            }
            for t in travel
        ],
        "identity_changes": [
            {"id": c.id, "before": c.before, "after": c.after, "at": c.created_at.isoformat()}
            for c in changes
        ],
        "chats": [
            {"platform": c.platform, "chat": c.chat, "language": c.language, "draft": c.data}
            for c in chats
        ],
    }

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

import sqlalchemy as sa
import structlog
from sqlalchemy.ext.asyncio import AsyncConnection

from compliance.protections import retention
from compliance.protections.regimes import Regime
from gateway.domain.states import TERMINAL
from gateway.errors import Conflict, NotFound
from gateway.services import Services
from gateway.storage import audit
from gateway.storage.sealed import ERASED
from gateway.storage.tables import compliance_cases, customers, remittances
from gateway.storage.tables_bots import bot_actions, bot_conversations, bot_recipients
from gateway.storage.tables_compliance import case_information
from gateway.storage.tables_errors import error_cases
from gateway.storage.tables_kyc import customer_kyc, identity_changes
from gateway.storage.tables_travel import travel_rule_records
from ledger_adapter.sessions import reading

log = structlog.get_logger("gateway.erasure")

FINAL = tuple(s.value for s in TERMINAL)
BATCH = 500
# The stored token, not the opened value: an erased recipient is the marker itself.
NOT_ERASED = sa.literal_column("remittances.recipient") != ERASED
# Kept without personal data, always: what the ledger and the audit log need.
KEPT_WITHOUT_PERSONAL_DATA = (
    "ledger transfers (account ids, amounts, hashes)",
    "audit log (ids, actions, hashes)",
    "remittance states, amounts and history",
)


def _regime(svc: Services, country: str) -> Regime:
    return svc.regimes.for_country(country)


async def _erase_contact(conn: AsyncConnection, customer_id: str) -> None:
    """What no law keeps: the phone, the bot chats' conversations, actions, saved recipients."""
    await conn.execute(
        customers.update()
        .where(customers.c.id == customer_id)
        .values(phone=sa.case((customers.c.phone.is_(None), None), else_=ERASED), phone_index=None)
    )
    chats = (
        await conn.execute(
            sa.select(bot_conversations.c.platform, bot_conversations.c.chat_id).where(
                bot_conversations.c.customer_id == customer_id
            )
        )
    ).all()
    for platform, chat in chats:
        for table in (bot_actions, bot_recipients, bot_conversations):
            await conn.execute(
                table.delete().where(table.c.platform == platform, table.c.chat_id == chat)
            )


async def _erase_kyc(conn: AsyncConnection, customer_id: str, now: datetime) -> None:
    await conn.execute(
        customers.update()
        .where(customers.c.id == customer_id)
        .values(
            name=ERASED,
            external_id=ERASED,
            external_id_index=None,
            birth_date=sa.case((customers.c.birth_date.is_(None), None), else_=ERASED),
            erased_at=now,
            updated_at=now,
        )
    )
    await conn.execute(
        customer_kyc.update()
        .where(customer_kyc.c.customer_id == customer_id)
        .values(fields=ERASED, former_identities=None, status_reason=None, updated_at=now)
    )
    await conn.execute(
        identity_changes.update()
        .where(identity_changes.c.customer_id == customer_id)
        .values(before=ERASED, after=ERASED, hits=ERASED)
    )


async def _erase_transfers(conn: AsyncConnection, ids: list[str]) -> None:
    if not ids:
        return
    await conn.execute(
        remittances.update().where(remittances.c.id.in_(ids)).values(recipient=ERASED)
    )
    await conn.execute(
        travel_rule_records.delete().where(travel_rule_records.c.remittance_id.in_(ids))
    )
    await conn.execute(
        compliance_cases.update()
        .where(compliance_cases.c.remittance_id.in_(ids))
        .values(evidence=ERASED)
    )
    await conn.execute(
        case_information.update()
        .where(case_information.c.remittance_id.in_(ids))
        .values(text=ERASED)
    )
    await conn.execute(
        error_cases.update().where(error_cases.c.remittance_id.in_(ids)).values(description=ERASED)
    )
    await conn.execute(
        identity_changes.update()
        .where(identity_changes.c.remittance_id.in_(ids))
        .values(before=ERASED, after=ERASED, hits=ERASED)
    )


def _transfer_regime(svc: Services, corridor_id: str, fallback: str) -> Regime:
    corridor = svc.corridors.get(corridor_id)
    return _regime(svc, corridor.send_country if corridor else fallback)


async def _sender_transfers(conn: AsyncConnection, customer_id: str) -> list[Any]:
    """The sender's transfers whose records are not erased yet."""
    return (
        await conn.execute(
            sa.select(remittances.c.id, remittances.c.corridor_id, remittances.c.created_at)
            .where(remittances.c.sender_id == customer_id, NOT_ERASED)
            .order_by(remittances.c.created_at)
        )
    ).all()


async def erase_customer(
    svc: Services, actor: str, customer_id: str, reason: str, now: datetime | None = None
) -> dict[str, Any]:
    """Erase a person on request except what the law keeps; the answer says what was kept."""
    now = now or svc.now()
    async with svc.engine.begin() as conn:
        row = (
            await conn.execute(
                sa.select(
                    customers.c.id, customers.c.country, customers.c.ended_at, customers.c.erased_at
                ).where(customers.c.id == customer_id)
            )
        ).first()
        if row is None:
            raise NotFound(f"customer {customer_id}")
        open_ = await conn.scalar(
            sa.select(sa.func.count())
            .select_from(remittances)
            .where(remittances.c.sender_id == customer_id, remittances.c.status.not_in(FINAL))
        )
        if open_:
            raise Conflict(
                "customer-has-open-remittances",
                "Customer has open remittances",
                f"customer {customer_id} has {open_} remittance(s) not yet final; erase once "
                "they are paid out, refunded, rejected or cancelled",
            )
        ended_at = row.ended_at or now
        if row.ended_at is None:
            await conn.execute(
                customers.update().where(customers.c.id == customer_id).values(ended_at=now)
            )
        regime = _regime(svc, row.country)
        erased = list(retention.ERASED_ON_REQUEST)
        kept: list[retention.Kept] = []
        await _erase_contact(conn, customer_id)
        kyc_until = retention.kyc_keep_until(regime, ended_at)
        if row.erased_at is not None or kyc_until <= now:
            await _erase_kyc(conn, customer_id, now)
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
        transfers = await _sender_transfers(conn, customer_id)
        due, waiting = [], []
        for t in transfers:
            until = retention.transfer_keep_until(
                _transfer_regime(svc, t.corridor_id, row.country), t.created_at
            )
            (due if until <= now else waiting).append((t.id, until))
        await _erase_transfers(conn, [i for i, _ in due])
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
        await audit.append(
            conn,
            key=svc.settings.audit_hmac_key,
            at=now,
            actor=actor,
            action="customer.erased",
            object_id=customer_id,
            after={"erased": erased, "kept": [k.what for k in kept], "reason": reason[:300]},
        )
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
        ended = (
            await conn.execute(
                sa.select(customers.c.id, customers.c.country, customers.c.ended_at).where(
                    customers.c.ended_at.is_not(None), customers.c.erased_at.is_(None)
                )
            )
        ).all()
    for c in ended:
        if retention.kyc_keep_until(_regime(svc, c.country), c.ended_at) <= now:
            async with svc.engine.begin() as conn:
                await _erase_contact(conn, c.id)
                await _erase_kyc(conn, c.id, now)
            erased_customers.append(c.id)
    cutoff = retention.oldest_transfer_cutoff(list(svc.regimes.by_name.values()), now)
    async with reading(svc.engine) as conn:
        candidates = (
            await conn.execute(
                sa.select(
                    remittances.c.id,
                    remittances.c.corridor_id,
                    remittances.c.created_at,
                    customers.c.country,
                )
                .join(customers, customers.c.id == remittances.c.sender_id)
                .where(
                    remittances.c.created_at < cutoff,
                    remittances.c.status.in_(FINAL),
                    NOT_ERASED,
                )
            )
        ).all()
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
            await _erase_transfers(conn, due[start : start + BATCH])
    async with svc.engine.begin() as conn:
        expired = await conn.execute(
            travel_rule_records.delete().where(travel_rule_records.c.keep_until <= now)
        )
        report = {
            "as_of": now.isoformat(),
            "customers_erased": erased_customers,
            "transfers_erased": len(due),
            "travel_rule_records_expired": expired.rowcount,
        }
        await audit.append(
            conn,
            key=svc.settings.audit_hmac_key,
            at=now,
            actor=actor,
            action="retention.run",
            object_id="retention",
            after={k: v for k, v in report.items() if k != "as_of"},
        )
    log.info("retention_run", customers=len(erased_customers), transfers=len(due))
    return report


async def export_customer(
    svc: Services, actor: str, customer_id: str, reason: str
) -> dict[str, Any]:
    """Everything the gateway holds on the person, decrypted (a subject access request); the
    reading is written to the audit log with who read and why."""
    now = svc.now()
    async with svc.engine.begin() as conn:
        row = (
            await conn.execute(sa.select(customers).where(customers.c.id == customer_id))
        ).first()
        if row is None:
            raise NotFound(f"customer {customer_id}")
        kyc = (
            await conn.execute(sa.select(customer_kyc).where(customer_kyc.c.customer_id == row.id))
        ).first()
        sent = (
            await conn.execute(
                sa.select(remittances)
                .where(remittances.c.sender_id == row.id)
                .order_by(remittances.c.created_at)
            )
        ).all()
        ids = [r.id for r in sent]
        travel = (
            await conn.execute(
                sa.select(travel_rule_records).where(travel_rule_records.c.remittance_id.in_(ids))
            )
        ).all()
        changes = (
            await conn.execute(
                sa.select(identity_changes).where(identity_changes.c.customer_id == row.id)
            )
        ).all()
        chats = (
            await conn.execute(
                sa.select(bot_conversations).where(bot_conversations.c.customer_id == row.id)
            )
        ).all()
        await audit.append(
            conn,
            key=svc.settings.audit_hmac_key,
            at=now,
            actor=actor,
            action="customer.exported",
            object_id=customer_id,
            after={"reason": reason[:300], "remittances": len(ids)},
        )
    return {
        "customer": {
            "id": row.id,
            "external_id": row.external_id,
            "name": row.name,
            "phone": row.phone,
            "country": row.country,
            "birth_date": row.birth_date.isoformat() if row.birth_date else None,
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

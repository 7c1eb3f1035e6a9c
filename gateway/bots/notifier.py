"""Status pushes: reads the remittance history (the durable event log) past the "bot-notifier"
cursor and tells the owning chat when its transfer is held, paid out, refunded and so on."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Protocol

import structlog

from gateway.bots import cancel_offer, requote
from gateway.bots.conversation.turn import Reply, bot_caller, money, short_ref
from gateway.bots.i18n import kyc_label, t
from gateway.bots.receipt_text import receipt_text, with_chain
from gateway.services import Services
from gateway.usecases import (
    bot_chats,
    error_resolution,
    event_feed,
    receipts,
    remittances,
    travel_hold,
)
from gateway.usecases.payins import references as payin_references

log = structlog.get_logger("gateway.bots.notifier")

CONSUMER = "bot-notifier"
BATCH = 100
# Which state changes a sender hears about, and in which words.
PUSHES: dict[str, str] = {
    "funded": "receipt",  # paid: the receipt, with the sender's rights
    "awaiting_funds": "push_payin",  # pay-in funded only: the account, reference and deadline
    "on_hold": "push_on_hold",
    "needs_info": "push_travel_rule",  # held for travel-rule data only (compliance asks itself)
    "requote": "push_requote",
    "expired": "push_expired",
    "rejected": "push_rejected",
    "paid_out": "push_paid_out",
    "refunded": "push_refunded",
}
# History rows that record an event (the status unchanged) and the message for each.
EVENT_PUSHES: dict[str, str] = {error_resolution.RESOLVED_EVENT: "push_error_resolved"}


def _pushed(row) -> bool:
    """An event row is pushed for its event only (its status did not change). A transfer an
    approval resumes in `funded` (held by re-screening after payment) had its receipt when it
    was paid: not again."""
    if row.event:
        return row.event in EVENT_PUSHES
    if row.to_status == "funded" and row.from_status == "approved":
        return False
    return row.to_status in PUSHES


KYC_CONSUMER = "bot-notifier-kyc"
KYC_PUSHES = {
    "kyc.upgrade_approved": "push_kyc_approved",
    "kyc.upgrade_rejected": "push_kyc_rejected",
}


class Sender(Protocol):
    async def send(self, chat_id: str, replies: Sequence[Reply]) -> None: ...


class Notifier:
    def __init__(self, svc: Services, senders: Mapping[str, Sender], poll_s: float = 1.0) -> None:
        self.svc = svc
        self.senders = senders
        self.poll_s = poll_s

    def _reachable(
        self, rows: Sequence[Any], chats: Mapping[str, Any], by: str
    ) -> Iterator[tuple[Any, Any, Sender]]:
        """(row, chat, sender) for each row whose chat (found by the row's `by` id) is on a
        platform this notifier can send to."""
        for row in rows:
            chat = chats.get(getattr(row, by))
            sender = self.senders.get(chat.platform) if chat else None
            if chat is not None and sender is not None:
                yield row, chat, sender

    async def run_once(self) -> int:
        """Handle one batch of history rows and of KYC events; returns how many were read."""
        return await self._remittances() + await self._kyc()

    async def _kyc(self) -> int:
        """Tell a bot's sender that a tier review was approved or rejected, with the tier and
        limit they now have."""
        rows = await event_feed.kyc_after(self.svc.engine, KYC_CONSUMER, BATCH)
        if not rows:
            return 0
        chats = await bot_chats.chats_of_customers(self.svc.engine, [r.customer_id for r in rows])
        for row, chat, sender in self._reachable(rows, chats, "customer_id"):
            tier = self.svc.tiers.get(row.tier)
            text = t(
                chat.language,
                KYC_PUSHES[row.type],
                tier=kyc_label(chat.language, row.tier),
                sought=kyc_label(chat.language, row.sought_tier),
                limit=str(tier.per_transfer_usd) if tier else "-",
            )
            await sender.send(chat.chat_id, [Reply(text)])
            log.info("bot_kyc_pushed", platform=chat.platform, type=row.type)
        await event_feed.handled(self.svc.engine, KYC_CONSUMER, rows[-1].id)
        return len(rows)

    async def _remittances(self) -> int:
        rows = await event_feed.history_after(self.svc.engine, CONSUMER, BATCH)
        if not rows:
            return 0
        wanted = [r for r in rows if _pushed(r)]
        chats = await bot_chats.chats_of(self.svc.engine, [r.remittance_id for r in wanted])
        for row, chat, sender in self._reachable(wanted, chats, "remittance_id"):
            caller = bot_caller(chat.platform)
            rem = await remittances.get_remittance(self.svc, caller, row.remittance_id)
            details: dict[str, str] = {}
            if row.event:
                text = await self._event_text(row, rem, chat.language)
                if text:
                    await sender.send(chat.chat_id, [Reply(text)])
                    log.info("bot_event_pushed", platform=chat.platform, kind=row.event)
                continue
            if row.to_status == "funded":
                body = await receipts.receipt_view(self.svc, caller, row.remittance_id)
                # The receipt, then (its own message: WhatsApp cuts a body with buttons at
                # 1024 characters) the cancel button while the window is open.
                offer = await cancel_offer.offer(
                    self.svc, chat.platform, chat.chat_id, chat.language, rem, body
                )
                body = {**body, "chain_settlement": rem.get("chain_settlement")}
                await sender.send(chat.chat_id, [Reply(receipt_text(chat.language, body)), *offer])
                log.info("bot_receipt_pushed", platform=chat.platform)
                continue
            if row.to_status == "needs_info":
                text = await self._travel_text(caller, rem, chat.language)
                if text:
                    await sender.send(chat.chat_id, [Reply(text)])
                    log.info("bot_status_pushed", platform=chat.platform, status=row.to_status)
                continue
            if row.to_status == "requote":  # the new quote, with Accept and Cancel
                replies = await requote.push(self.svc, chat, rem, after=row.from_status)
                if replies:
                    await sender.send(chat.chat_id, replies)
                    log.info("bot_requote_pushed", platform=chat.platform)
                continue
            if row.to_status == "awaiting_funds":
                if rem.get("funding_method") == "wallet":
                    continue  # the wallet pays at once: nothing for the sender to do
                details = await self._payin_details(caller, rem["id"], chat.language)
            text = t(
                chat.language,
                PUSHES[row.to_status],
                ref=short_ref(rem["id"]),
                send=money(rem["send_amount"], rem["send_currency"]),
                receive=money(rem["receive_amount"], rem["receive_currency"]),
                **details,
            )
            if row.to_status == "paid_out":  # the coin's transaction, when paid on chain
                text = with_chain(chat.language, text, rem.get("chain_settlement"))
            await sender.send(chat.chat_id, [Reply(text)])
            log.info("bot_status_pushed", platform=chat.platform, status=row.to_status)
        await event_feed.handled(self.svc.engine, CONSUMER, rows[-1].id)
        return len(rows)

    async def _travel_text(self, caller, rem: dict, language: str) -> str | None:
        """Exactly the travel-rule fields a held transfer asks for, in the sender's words."""
        fields = await travel_hold.missing_for(self.svc, caller, rem["id"])
        if not fields:
            return None
        labels = [t(language, f"travel_{f.removeprefix('sender.')}") for f in fields]
        status = await travel_hold.status(self.svc, caller, rem["id"])
        return t(
            language,
            "push_travel_rule",
            ref=short_ref(rem["id"]),
            rule=status["rule"],
            fields=", ".join(labels),
            first=labels[0],
        )

    async def _event_text(self, row, rem: dict, language: str) -> str | None:
        """The outcome of the sender's error report, in their language."""
        outcome = await error_resolution.outcome_for(self.svc, row.remittance_id)
        if outcome is None:
            return None
        return t(
            language,
            f"error_outcome_{outcome['remedy']}",
            ref=short_ref(rem["id"]),
            amount=outcome.get("amount", ""),
            receive=money(rem["receive_amount"], rem["receive_currency"]),
            new_ref=short_ref(outcome["resend_id"] or ""),
            finding=outcome["finding"],
        )

    async def _payin_details(self, caller, remittance_id: str, language: str) -> dict[str, str]:
        """The real pay-in instructions: account, the issued reference, the method's deadline."""
        from datetime import datetime

        info = await payin_references.instructions(self.svc, caller, remittance_id)
        pay_to = info.get("pay_to") or {}
        account = pay_to.get("iban") or pay_to.get("account_number") or "-"
        if pay_to.get("routing_number"):
            account += f" (routing {pay_to['routing_number']})"
        deadline = info.get("deadline")
        until = datetime.fromisoformat(deadline).strftime("%Y-%m-%d %H:%M") if deadline else "-"
        return {
            "amount": money(info["amount"], info["currency"]),
            "until": until,
            "bank": pay_to.get("bank_name") or "-",
            "beneficiary": pay_to.get("beneficiary") or "-",
            "account": account,
            "reference": info["reference_display"],
        }

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                read = await self.run_once()
            except Exception:
                log.exception("bot_notifier_failed")
                read = 0
            if read < BATCH:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.poll_s)

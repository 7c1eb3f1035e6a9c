"""The receipt as a chat message, pushed when a transfer is paid (same facts as the API's)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from gateway.bots.conversation.turn import disclosure_text, short_ref
from gateway.bots.i18n import t


def _when(iso: str) -> str:
    return datetime.fromisoformat(iso).strftime("%Y-%m-%d %H:%M")


def chain_line(lang: str, settlement: dict[str, Any] | None) -> str | None:
    """The on-chain settlement of a transfer (coin, transaction hash and log index), once the
    coin reached the payout partner; None before (or for a partner paid in the ledger only)."""
    if not settlement:
        return None
    return t(
        lang,
        "chain_line",
        amount=settlement["amount"],
        coin=settlement["coin"],
        tx_hash=settlement["tx_hash"],
        log_index=settlement["log_index"],
    )


def with_chain(lang: str, text: str, settlement: dict[str, Any] | None) -> str:
    line = chain_line(lang, settlement)
    return f"{text}\n{line}" if line else text


def receipt_text(lang: str, receipt: dict[str, Any]) -> str:
    """The receipt; once the transfer is settled on chain (the receipt carries
    `chain_settlement`), its transaction hash and log index close it."""
    return with_chain(lang, _receipt_text(lang, receipt), receipt.get("chain_settlement"))


def _receipt_text(lang: str, receipt: dict[str, Any]) -> str:
    rights = receipt["rights"]
    recipient = receipt["recipient"]
    contact = ", ".join(recipient[k] for k in ("phone", "address") if recipient.get(k))
    by_lang = lambda texts: texts.get(lang) or texts["en"]  # noqa: E731
    return t(
        lang,
        "receipt",
        ref=short_ref(receipt["remittance_id"]),
        paid_at=_when(receipt["paid_at"]),
        disclosure=disclosure_text(lang, receipt["disclosure"]),
        name=recipient["name"],
        contact=f" ({contact})" if contact else "",
        available=receipt["funds_available_on"],
        cancel_text=by_lang(rights["cancellation"]["text"]),
        cancel_by=_when(rights["cancellation"]["cancel_by"]),
        error_text=by_lang(rights["error_resolution"]["text"]),
        report_by=rights["error_resolution"]["report_by"],
        provider=receipt["provider"]["name"],
        provider_phone=receipt["provider"]["phone"],
        provider_website=receipt["provider"]["website"],
        regulators="; ".join(
            f"{r['name']}, {r['phone']}, {r['website']}" for r in receipt["regulators"]
        ),
    )

"""Operators' view of the ledger: balances in decimal form, history, and the invariant check."""

from __future__ import annotations

from typing import Any

from fx.money import Money
from gateway.errors import NotFound
from gateway.services import Services
from gateway.usecases.schemas import STR, strings
from ledger_adapter.port import AccountNotFound, Balance, Ledger, Transfer

BALANCE_FIELDS = ("debits_posted", "credits_posted", "debits_pending", "credits_pending")


def _amount(minor: int, asset: str) -> str:
    return str(Money.from_minor(minor, asset))


BALANCE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        k: STR for k in ("id", "asset", *BALANCE_FIELDS, "credit_balance", "debit_balance")
    },
}


def balance_view(account_id: str, asset: str, bal: Balance) -> dict[str, Any]:
    """An account's balances; the body's schema is `BALANCE_SCHEMA`, just above."""
    return {
        "id": account_id,
        "asset": asset,
        "debits_posted": _amount(bal.debits_posted, asset),
        "credits_posted": _amount(bal.credits_posted, asset),
        "debits_pending": _amount(bal.debits_pending, asset),
        "credits_pending": _amount(bal.credits_pending, asset),
        "credit_balance": _amount(bal.credit_balance, asset),
        "debit_balance": _amount(bal.debit_balance, asset),
    }


TRANSFER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        **strings(
            "id",
            "kind",
            "debit_account",
            "credit_account",
            "amount",
            "asset",
            "code",
            "created_at",
        ),
        "pending_id": {"type": ["string", "null"]},
    },
}


def transfer_view(t: Transfer) -> dict[str, Any]:
    """A transfer of an account's history; its schema is `TRANSFER_SCHEMA`, just above."""
    return {
        "id": t.id,
        "kind": t.kind,
        "debit_account": t.debit_account,
        "credit_account": t.credit_account,
        "amount": _amount(t.amount, t.asset),
        "asset": t.asset,
        "pending_id": t.pending_id,
        "code": t.code,
        "created_at": t.created_at.isoformat(),
    }


async def balances(ledger: Ledger, prefix: str = "") -> list[dict[str, Any]]:
    found = await ledger.balances(prefix)
    return [balance_view(acc, asset, bal) for acc, (asset, bal) in sorted(found.items())]


ACCOUNT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        **BALANCE_SCHEMA["properties"],
        "history": {"type": "array", "items": TRANSFER_SCHEMA},
    },
}


async def account(svc: Services, account_id: str, history_limit: int = 100) -> dict[str, Any]:
    found = await svc.ledger.balances(account_id)
    if account_id not in found:
        raise NotFound(f"ledger account {account_id}")
    asset, bal = found[account_id]
    try:
        history = await svc.ledger.history(account_id)
    except AccountNotFound:
        raise NotFound(f"ledger account {account_id}") from None
    body = balance_view(account_id, asset, bal)
    body["history"] = [transfer_view(t) for t in history[-history_limit:]]
    return body


async def totals_by_asset(ledger: Ledger) -> dict[str, dict[str, int]]:
    """Debits and credits summed per asset, posted and pending: equal when balanced."""
    totals: dict[str, dict[str, int]] = {}
    for _account, (asset, bal) in (await ledger.balances()).items():
        t = totals.setdefault(
            asset,
            {"debits_posted": 0, "credits_posted": 0, "debits_pending": 0, "credits_pending": 0},
        )
        for name in BALANCE_FIELDS:
            t[name] += getattr(bal, name)
    return totals


def is_balanced(totals: dict[str, dict[str, int]]) -> bool:
    return all(
        t["debits_posted"] == t["credits_posted"] and t["debits_pending"] == t["credits_pending"]
        for t in totals.values()
    )

"""Quote and confirm: a firm quote for the finished draft with Confirm and Cancel buttons; a
tap on Confirm submits the remittance through POST /v1/remittances's use case (the wallet pays
when it can, else a bank transfer), a lapsed quote is quoted again."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import structlog

from corridors.config import Corridor
from fx.money import Money
from gateway.bots.conversation.states import State
from gateway.bots.conversation.turn import Turn, money, quote_text, short_ref
from gateway.bots.i18n import t
from gateway.errors import UseCaseError
from gateway.usecases import bot_chats, quotes, remittances, wallets
from gateway.usecases.requests.base import parse
from gateway.usecases.requests.remittances import QuoteRequest, RemittanceRequest

log = structlog.get_logger("gateway.bots")


async def send_quote(turn: Turn, corridor: Corridor, refreshed: bool = False) -> None:
    draft = turn.draft
    request = QuoteRequest(
        send_currency=corridor.send_currency,
        receive_currency=corridor.receive_currency,
        send_amount=draft["amount"],
        corridor_id=corridor.id,
    )
    try:
        quote = await quotes.create_quote(turn.svc, turn.caller, request)
    except UseCaseError as problem:
        log.info("bot_quote_refused", problem=problem.slug, corridor=corridor.id)
        turn.reset()
        turn.say("error" if problem.status >= 500 else "bad_amount")
        return
    draft["quote_id"] = quote["id"]
    turn.move(State.CONFIRM)
    text = quote_text(turn.lang, quote, draft["recipient"]["name"], turn.svc.now())
    if refreshed:
        text = t(turn.lang, "quote_refreshed") + "\n" + text
    data = {"quote_id": quote["id"]}
    await turn.ask(
        text,
        [
            (t(turn.lang, "btn_confirm"), "confirm", data),
            (t(turn.lang, "btn_cancel"), "cancel", data),
        ],
    )


async def tap_confirm(turn: Turn, action: Any) -> None:
    draft = turn.draft
    quote = await quotes.get_quote(turn.svc, turn.caller, action.data["quote_id"])
    corridor = turn.svc.corridors[draft["corridor_id"]]
    if datetime.fromisoformat(quote["expires_at"]) <= turn.svc.now():
        await bot_chats.use_action(turn.svc.engine, action.id, {"refreshed": True}, turn.svc.now())
        await send_quote(turn, corridor, refreshed=True)
        return
    have, need = await _wallet_cover(turn, quote)
    raw = {
        "quote_id": quote["id"],
        "sender_id": turn.conv.customer_id,
        "recipient": draft["recipient"],
        # The wallet pays when it can; otherwise a bank transfer to a real payment reference,
        # with the corridor's bank window (the notifier sends the account and the reference).
        "funding_method": "wallet" if have >= need else "bank_transfer",
    }
    try:
        _status, body, _replayed = await remittances.submit_remittance(
            turn.svc,
            turn.caller,
            parse(RemittanceRequest, raw),
            key=f"bot:{action.id}",
            raw=raw,
            path=f"/bots/{turn.conv.platform}",
        )
    except UseCaseError as problem:
        log.info("bot_submit_refused", problem=problem.slug)
        if problem.slug == "quote-expired":
            await send_quote(turn, corridor, refreshed=True)
            return
        turn.reset()
        turn.say("limit_exceeded" if problem.slug == "limit-exceeded" else "error")
        return
    now = turn.svc.now()
    await bot_chats.use_action(turn.svc.engine, action.id, {"remittance_id": body["id"]}, now)
    await bot_chats.link_remittance(turn.svc.engine, turn.conv, body["id"], now)
    await bot_chats.save_recipient(turn.svc.engine, turn.conv, corridor.id, draft["recipient"], now)
    turn.svc.wake_workers()
    turn.reset()
    send = money(body["send_amount"], body["send_currency"])
    turn.say("sent", ref=short_ref(body["id"]), send=send, name=draft["recipient"]["name"])
    balance = money(str(have), have.currency)
    if raw["funding_method"] == "wallet":
        turn.say("funding_wallet", send=money(str(need), need.currency), balance=balance)
    else:
        turn.say("funding_bank", send=money(str(need), need.currency), balance=balance)


async def _wallet_cover(turn: Turn, quote: dict[str, Any]) -> tuple[Money, Money]:
    """What the sender's wallet holds in the send currency, and what the quote takes."""
    currency = quote["send_currency"]
    balances = (await wallets.wallet(turn.svc, turn.caller, turn.conv.customer_id))["balances"]
    available = next((b["available"] for b in balances if b["currency"] == currency), "0")
    return Money.parse(available, currency), Money.parse(quote["send_amount"], currency)


async def tap_cancel(turn: Turn, action: Any) -> None:
    await bot_chats.use_action(turn.svc.engine, action.id, {"cancelled": True}, turn.svc.now())
    turn.reset()
    turn.say("cancelled_draft")

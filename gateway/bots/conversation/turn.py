"""One turn of a conversation: the platform-neutral message in, the replies out, and the
conversation it reads and moves. Every handler module builds on this one, and on nothing else
of the package; the handler modules import one another in one direction only."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from gateway.bots.conversation.states import State, check_move
from gateway.bots.i18n import t
from gateway.domain.callers import Caller
from gateway.services import Services
from gateway.usecases import bot_chats, remittances


@dataclass(frozen=True)
class Incoming:
    """One user message or button tap, platform-neutral."""

    platform: str
    chat_id: str
    text: str | None = None
    action_id: str | None = None  # the server-side id a tapped button carries
    language: str | None = None  # the client's language code
    # E.164, when the platform vouches that it is the sender's own number (WhatsApp's sender,
    # a Telegram contact whose user id is the sender's): a verified phone.
    phone: str | None = None
    shared_contact: bool = False  # a contact card was sent (own or someone else's)
    attachment: str | None = None  # a photo or document: "platform:file id"


@dataclass(frozen=True)
class Button:
    label: str
    action_id: str


@dataclass(frozen=True)
class Reply:
    text: str
    buttons: tuple[Button, ...] = ()
    request_phone: str | None = None  # label of a "share my phone number" button (Telegram)


def bot_caller(platform: str) -> Caller:
    """The bot is a built-in sending app: one fixed internal caller per platform."""
    return Caller(key_id=f"bot:{platform}", name="bot", role="sender-app", partner_id=None)


def short_ref(remittance_id: str) -> str:
    return remittance_id.removeprefix("rem_")[:8].upper()


def money(amount: str, currency: str) -> str:
    return f"{amount} {currency}"


def disclosure_text(lang: str, disclosure: dict[str, Any]) -> str:
    """The pre-payment disclosure in the sender's language (the regime's statement included)."""
    send, receive = disclosure["send_currency"], disclosure["receive_currency"]
    statement = disclosure["statement"]
    text = t(
        lang,
        "disclosure",
        transfer=money(disclosure["transfer_amount"], send),
        fees=money(disclosure["fees"], send),
        taxes=money(disclosure["taxes"], send),
        total=money(disclosure["total"], send),
        send_currency=send,
        receive_currency=receive,
        rate=disclosure["exchange_rate"],
        third_party=money(disclosure["covered_third_party_fees"], receive),
        received=money(disclosure["amount_received"], receive),
        statement=statement.get(lang) or statement["en"],
    )
    if not disclosure["covered"]:
        threshold = money(disclosure["coverage_threshold"], send)
        text += "\n" + t(
            lang, "not_covered", threshold=threshold, regime=disclosure["regime_title"]
        )
    return text


def quote_text(lang: str, quote: dict[str, Any], name: str, now: datetime) -> str:
    """A firm quote as the sender reads it: amounts, rate, expiry, then the disclosure."""
    expires = datetime.fromisoformat(quote["expires_at"])
    text = t(
        lang,
        "quote",
        send=money(quote["send_amount"], quote["send_currency"]),
        fee=money(quote["fee"], quote["send_currency"]),
        send_currency=quote["send_currency"],
        receive_currency=quote["receive_currency"],
        rate=quote["rate"],
        name=name,
        receive=money(quote["receive_amount"], quote["receive_currency"]),
        seconds=max(0, int((expires - now).total_seconds())),
        until=expires.strftime("%H:%M:%S"),
    )
    text += "\n\n" + disclosure_text(lang, quote["disclosure"])
    if quote.get("sample_rates"):
        text += "\n" + t(lang, "sample_rates")
    return text


@dataclass
class Turn:
    """One incoming message being answered."""

    svc: Services
    conv: bot_chats.Conversation
    msg: Incoming
    replies: list[Reply] = field(default_factory=list)

    @property
    def lang(self) -> str:
        return self.conv.language

    @property
    def caller(self) -> Caller:
        return bot_caller(self.conv.platform)

    @property
    def draft(self) -> dict[str, Any]:
        return self.conv.data

    def say(self, key: str, **values: Any) -> None:
        self.replies.append(Reply(t(self.lang, key, **values)))

    async def ask(self, text: str, choices: list[tuple[str, str, dict[str, Any]]]) -> None:
        """A message with buttons; each button is a stored action, and only the buttons of the
        latest prompt are live."""
        buttons = []
        for label, kind, data in choices:
            action_id = await bot_chats.create_action(
                self.svc.engine, self.conv, kind, data, self.svc.now()
            )
            buttons.append(Button(label, action_id))
        self.draft["buttons"] = [b.action_id for b in buttons]
        self.replies.append(Reply(text, tuple(buttons)))

    def move(self, state: State) -> None:
        """The conversation's next state, if the table allows it (the draft is kept)."""
        self.conv.state = check_move(self.conv.state, state)

    def reset(self, state: State = State.IDLE) -> None:
        self.move(state)
        self.conv.data = {}

    async def recent(self, limit: int) -> list[dict[str, Any]]:
        """The chat's latest transfers, newest first."""
        ids = await bot_chats.chat_remittances(self.svc.engine, self.conv, limit)
        return [await remittances.get_remittance(self.svc, self.caller, rid) for rid in ids]

"""The conversation engine both platforms share: a state machine as data (text handlers per
state, tap handlers per button kind, commands), speaking through the i18n catalogues and acting
only through the same use cases the HTTP API uses. Adapters translate platform updates into
`Incoming` and `Reply` back into platform messages."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

import phonenumbers
import structlog
from pydantic import ValidationError

from corridors.config import Corridor
from corridors.recipients import NAME, RecipientInvalid, requirements, validate_recipient
from fx.money import AmountError, CurrencyError, Money
from gateway.bots import parse as understand
from gateway.bots import store
from gateway.bots.i18n import (
    LANGUAGE_NAMES,
    LANGUAGES,
    country_name,
    field_label,
    kyc_label,
    method_name,
    pick_language,
    status_word,
    t,
)
from gateway.bots.ratelimit import ChatLimiter
from gateway.domain.states import CANCELLABLE, CANCELLABLE_AFTER_PAYMENT
from gateway.errors import UseCaseError
from gateway.services import Services
from gateway.storage.keys import Caller
from gateway.usecases import (
    customers,
    error_reports,
    quotes,
    remittances,
    travel_hold,
    travel_rule,
    wallets,
)
from gateway.usecases.requests.base import parse
from gateway.usecases.requests.customers import CustomerRequest
from gateway.usecases.requests.remittances import QuoteRequest, RemittanceRequest
from gateway.usecases.requests.travel_rule import TravelRuleSender

log = structlog.get_logger("gateway.bots")

HISTORY_SIZE = 5


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


@dataclass
class Turn:
    """One incoming message being answered."""

    svc: Services
    conv: store.Conversation
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
            action_id = await store.create_action(
                self.svc.engine, self.conv, kind, data, self.svc.now()
            )
            buttons.append(Button(label, action_id))
        self.draft["buttons"] = [b.action_id for b in buttons]
        self.replies.append(Reply(text, tuple(buttons)))

    def reset(self, state: str = "idle") -> None:
        self.conv.state = state
        self.conv.data = {}


# --- onboarding -------------------------------------------------------------------------------


async def on_new(turn: Turn, text: str) -> None:
    turn.conv.state = "ask_name"
    turn.say("ask_name")


async def on_name(turn: Turn, text: str) -> None:
    try:
        turn.draft["name"] = NAME.validate(text)
    except ValueError:
        turn.say("bad_name")
        return
    country = _phone_country(turn.msg.phone)
    if country is None:
        turn.conv.state = "ask_country"
        turn.say("ask_country")
        return
    await _register(turn, country)


async def on_country(turn: Turn, text: str) -> None:
    country = understand.country_of(text)
    if country is None or country == "EU":
        turn.say("bad_country")
        return
    if turn.msg.phone is None:  # Telegram: the number comes from a shared contact
        turn.draft["country"] = country
        turn.conv.state = "ask_phone"
        _ask_phone(turn, "ask_phone")
        return
    await _register(turn, country)


def _ask_phone(turn: Turn, key: str) -> None:
    turn.replies.append(Reply(t(turn.lang, key), request_phone=t(turn.lang, "btn_share_phone")))


async def on_phone(turn: Turn, text: str) -> None:
    """Only a contact the platform says is the sender's own verifies the phone; a typed number
    or another person's contact is asked again."""
    if turn.msg.phone is None:
        _ask_phone(turn, "phone_not_own" if turn.msg.shared_contact else "ask_phone")
        return
    if turn.conv.customer_id is None:
        await _register(turn, turn.draft["country"])
        return
    body = await customers.get_customer(turn.svc, turn.caller, turn.conv.customer_id)
    request = CustomerRequest(
        external_id=body["external_id"],
        country=body["country"],
        mobile_number=turn.msg.phone,
        mobile_number_verified=True,
    )
    _status, body = await customers.put_customer(turn.svc, turn.caller, request)
    turn.reset()
    key = "kyc_status" if body["status"] == "accepted" else "kyc_other"
    turn.say(key, **_kyc_values(turn, body))


def split_name(name: str) -> tuple[str | None, str | None]:
    """(first, last): "Ana Reyes Cruz" -> ("Ana", "Reyes Cruz"); a Chinese name without spaces
    puts the family name first ("王小明" -> ("小明", "王"))."""
    first, _, last = name.partition(" ")
    if last:
        return first, last
    if len(name) >= 2 and not name.isascii():
        return name[1:], name[0]
    return None, None


def _phone_country(phone: str | None) -> str | None:
    if not phone:
        return None
    try:
        return phonenumbers.region_code_for_number(phonenumbers.parse(phone))
    except phonenumbers.NumberParseException:
        return None


async def _register(turn: Turn, country: str) -> None:
    name = turn.draft["name"]
    first, last = split_name(name)
    request = CustomerRequest(
        external_id=f"{turn.conv.platform}:{turn.conv.chat_id}",
        name=name,
        first_name=first,
        last_name=last,
        phone=turn.msg.phone,
        mobile_number_verified=True if turn.msg.phone else None,  # the platform vouches
        country=country,
    )
    try:
        _status, body = await customers.put_customer(turn.svc, turn.caller, request)
    except UseCaseError:
        turn.say("bad_country")
        turn.conv.state = "ask_country"
        return
    turn.conv.customer_id = body["id"]
    turn.reset()
    kyc = "kyc_accepted" if body.get("status") == "accepted" else "kyc_other"
    turn.say("registered", name=name, kyc=t(turn.lang, kyc, **_kyc_values(turn, body)))


def _kyc_values(turn: Turn, body: dict[str, Any]) -> dict[str, str]:
    """The tier and its per-transfer limit as the sender reads them (the truth, from the
    customer's KYC view)."""
    limits = body.get("limits") or {}
    review = body.get("review") or {}
    sought = review.get("tier") or body.get("next_tier") or ""
    return {
        "tier": kyc_label(turn.lang, body.get("tier") or "-"),
        "limit": limits.get("per_transfer_usd", "0"),
        "sought": kyc_label(turn.lang, sought),
    }


# --- raising the tier -------------------------------------------------------------------------

DOCUMENT_FIELDS = frozenset({"photo_id_front", "proof_of_address"})
OPEN_REVIEWS = frozenset({"provider_review", "officer_review"})


def _ask_kyc_field(turn: Turn) -> None:
    key = turn.draft["kyc_fields"][0]
    label = kyc_label(turn.lang, key, turn.svc.kyc_fields.get(key))
    prompt = "kyc_ask_document" if key in DOCUMENT_FIELDS else "kyc_ask_field"
    turn.say(prompt, label=label, sought=kyc_label(turn.lang, turn.draft["kyc_sought"]))


async def cmd_verify(turn: Turn) -> None:
    """Collect the next tier's fields one by one, then submit them for review."""
    body = await customers.get_customer(turn.svc, turn.caller, turn.conv.customer_id)
    values = _kyc_values(turn, body)
    if body["status"] != "accepted":
        turn.conv.state = "ask_phone"
        _ask_phone(turn, "phone_needed")
        return
    if (body.get("review") or {}).get("status") in OPEN_REVIEWS:
        turn.say("kyc_review_open", **values)
        return
    if not body.get("next_tier") or not body.get("fields"):
        turn.say("kyc_top", **values)
        return
    turn.reset("ask_kyc")
    turn.draft.update(kyc_fields=list(body["fields"]), kyc_sought=body["next_tier"], kyc={})
    _ask_kyc_field(turn)


async def on_kyc_field(turn: Turn, text: str) -> None:
    key = turn.draft["kyc_fields"][0]
    value = turn.msg.attachment if key in DOCUMENT_FIELDS else text.strip()
    label = kyc_label(turn.lang, key, turn.svc.kyc_fields.get(key))
    try:
        CustomerRequest.model_validate({"external_id": "-", "country": "US", key: value})
    except ValidationError:
        value = None
    if not value:
        turn.say("kyc_bad_field", label=label)
        _ask_kyc_field(turn)
        return
    turn.draft["kyc"][key] = value
    turn.draft["kyc_fields"].pop(0)
    if turn.draft["kyc_fields"]:
        _ask_kyc_field(turn)
        return
    body = await customers.get_customer(turn.svc, turn.caller, turn.conv.customer_id)
    request = CustomerRequest.model_validate(
        {"external_id": body["external_id"], "country": body["country"], **turn.draft["kyc"]}
    )
    sought = turn.draft["kyc_sought"]
    try:
        _status, body = await customers.put_customer(turn.svc, turn.caller, request)
    except UseCaseError as problem:  # e.g. a birth date in the future: ask that field again
        log.info("bot_kyc_refused", problem=problem.slug)
        bad = [e["field"] for e in problem.errors or [] if e.get("field") in turn.draft["kyc"]]
        if not bad:
            raise
        turn.draft["kyc"].pop(bad[0])
        turn.draft["kyc_fields"].insert(0, bad[0])
        turn.say("kyc_bad_field", label=kyc_label(turn.lang, bad[0]))
        _ask_kyc_field(turn)
        return
    turn.reset()
    turn.say("kyc_submitted", sought=kyc_label(turn.lang, sought))


# --- building a transfer ----------------------------------------------------------------------


def _served_countries(svc: Services) -> list[str]:
    return sorted({c.receive_country for c in svc.corridors.values()})


def _countries_text(turn: Turn) -> str:
    return ", ".join(country_name(turn.lang, c) for c in _served_countries(turn.svc))


async def _sender_country(turn: Turn) -> str | None:
    if turn.conv.customer_id is None:
        return None
    body = await customers.get_customer(turn.svc, turn.caller, turn.conv.customer_id)
    return body.get("country")


async def _candidates(turn: Turn) -> list[Corridor]:
    """Corridors from the sender's country to the draft's, in its currency (else the first)."""
    country, currency = turn.draft["country"], turn.draft.get("currency")
    home = await _sender_country(turn)
    found = [
        c
        for c in turn.svc.corridors.values()
        if c.serves_country(country) and (home is None or c.sends_from(home))
    ]
    if currency:
        return [c for c in found if c.send_currency == currency]
    first_currency = sorted(c.send_currency for c in found)[0] if found else None
    return [c for c in found if c.send_currency == first_currency]


async def _travel_answer(turn: Turn, text: str) -> bool:
    """The latest transfer is held for travel-rule data: the text answers the first field it
    asks for (answers collect in the draft until every field is there)."""
    recent = await _recent(turn, 1)
    if not recent or recent[0]["status"] != "needs_info":
        return False
    rid = recent[0]["id"]
    fields = await travel_hold.missing_for(turn.svc, turn.caller, rid)
    keys = [f.removeprefix("sender.") for f in fields or ()]
    if not keys or keys[0] not in travel_rule.SUPPLIABLE:
        return False
    answers = {**turn.draft.get("travel", {}), keys[0]: text.strip()[:300]}
    label = t(turn.lang, f"travel_{keys[0]}")
    try:
        parse(TravelRuleSender, answers)
        travel_hold.check_supplied(turn.svc, answers)
    except UseCaseError:
        turn.say("travel_bad", label=label)
        return True
    try:
        await travel_hold.supply(turn.svc, turn.caller, rid, answers)
    except UseCaseError as problem:
        left = [e["field"].removeprefix("sender.") for e in problem.errors]
        if problem.status != 422 or not left or left[0] not in travel_rule.SUPPLIABLE:
            raise
        turn.draft["travel"] = answers
        turn.say("travel_next", label=t(turn.lang, f"travel_{left[0]}"))
        return True
    turn.draft.pop("travel", None)
    turn.say("travel_supplied", ref=short_ref(rid))
    return True


async def on_idle(turn: Turn, text: str) -> None:
    if turn.msg.shared_contact:  # a verified number for a sender who had none
        await on_phone(turn, text)
        return
    if not understand.is_send_request(text) and await _travel_answer(turn, text):
        return
    intent = understand.send_intent(text)
    if not understand.is_send_request(text) and not (intent.amount and intent.country):
        turn.say("not_understood")
        return
    if intent.amount_error:
        turn.say(intent.amount_error)
        return
    if intent.unknown_place:
        turn.say(
            "unsupported_country",
            country=intent.unknown_place[:40],
            countries=_countries_text(turn),
        )
        return
    if not await _may_send(turn):
        return
    turn.reset("building")
    for key in ("amount", "currency", "country"):
        if getattr(intent, key):
            turn.draft[key] = getattr(intent, key)
    if "country" in turn.draft and not await _check_destination(turn):
        turn.reset()
        return
    await advance(turn)


async def _may_send(turn: Turn) -> bool:
    """A sender whose phone is not verified is asked for it, not walked into a refusal."""
    body = await customers.get_customer(turn.svc, turn.caller, turn.conv.customer_id)
    if body["status"] == "accepted":
        return True
    if not body.get("phone_verified"):
        turn.conv.state = "ask_phone"
        _ask_phone(turn, "phone_needed")
    else:
        turn.say("kyc_other")
    return False


async def _check_destination(turn: Turn) -> bool:
    country = turn.draft["country"]
    if not any(c.serves_country(country) for c in turn.svc.corridors.values()):
        turn.say(
            "unsupported_country",
            country=country_name(turn.lang, country),
            countries=_countries_text(turn),
        )
        return False
    if not await _candidates(turn):
        home = await _sender_country(turn)
        serving = [c for c in turn.svc.corridors.values() if c.serves_country(country)]
        if home is not None and not any(c.sends_from(home) for c in serving):
            turn.say(
                "not_from_your_country",
                country=country_name(turn.lang, country),
                home=country_name(turn.lang, home),
            )
            return False
        currencies = sorted(
            {c.send_currency for c in serving if home is None or c.sends_from(home)}
        )
        turn.say(
            "unsupported_currency",
            country=country_name(turn.lang, country),
            currencies=", ".join(currencies),
            currency=turn.draft.get("currency"),
        )
        return False
    return True


async def on_destination(turn: Turn, text: str) -> None:
    if understand.command_of(text) is None and understand.is_send_request(text):
        await on_idle(turn, text)
        return
    country = understand.country_of(text)
    if country is None:
        turn.say("unsupported_country", country=text.strip()[:40], countries=_countries_text(turn))
        return
    turn.draft["country"] = country
    if not await _check_destination(turn):
        turn.draft.pop("country")
        return
    await advance(turn)


async def on_amount(turn: Turn, text: str) -> None:
    amount, error = understand.amount_of(text)
    if error or amount is None:
        turn.say(error or "bad_amount")
        return
    turn.draft["amount"] = amount
    await advance(turn)


async def on_field(turn: Turn, text: str) -> None:
    corridor = turn.svc.corridors[turn.draft["corridor_id"]]
    key = turn.draft["field"]
    values = {**turn.draft.get("recipient", {}), key: text.strip()[:200]}
    spec = _field_spec(corridor, key)
    try:
        validate_recipient(corridor, values)
    except RecipientInvalid as exc:
        if any(e["field"] == f"recipient.{key}" for e in exc.errors):
            turn.say("bad_field", label=_label(turn, spec), example=spec["example"])
            return
    turn.draft["recipient"] = values
    await advance(turn)


def _field_spec(corridor: Corridor, key: str) -> dict[str, Any]:
    return next(s for s in requirements(corridor) if s["key"] == key)


def _label(turn: Turn, spec: dict[str, Any]) -> str:
    return field_label(turn.lang, spec["key"], spec["name"])


def _amount_problem(corridor: Corridor, amount: str) -> tuple[str, dict[str, Any]] | None:
    try:
        value = Money.parse(amount, corridor.send_currency)
    except (AmountError, CurrencyError):
        return "bad_amount", {}
    if value.amount <= Decimal(0):
        return "amount_not_positive", {}
    if not corridor.min_send <= value.amount <= corridor.max_send:
        return "amount_range", {
            "min": corridor.min_send,
            "max": corridor.max_send,
            "currency": corridor.send_currency,
        }
    return None


async def advance(turn: Turn) -> None:
    """Ask for the first missing piece of the draft, or quote when nothing is missing."""
    draft = turn.draft
    if "country" not in draft:
        turn.conv.state = "ask_destination"
        turn.say("ask_destination", countries=_countries_text(turn))
        return
    if "corridor_id" not in draft:
        candidates = await _candidates(turn)
        if len(candidates) == 1:
            draft["corridor_id"] = candidates[0].id
        else:
            turn.conv.state = "ask_method"
            choices = [
                (method_name(turn.lang, c.payout_method), "method", {"corridor_id": c.id})
                for c in candidates
            ]
            country = country_name(turn.lang, draft["country"])
            await turn.ask(t(turn.lang, "ask_method", country=country), choices)
            return
    corridor = turn.svc.corridors[draft["corridor_id"]]
    draft["currency"] = corridor.send_currency
    problem = _amount_problem(corridor, draft["amount"]) if "amount" in draft else None
    if problem is not None:
        draft.pop("amount")
        turn.say(problem[0], **problem[1])
    if "amount" not in draft:
        turn.conv.state = "ask_amount"
        turn.say(
            "ask_amount",
            currency=corridor.send_currency,
            min=corridor.min_send,
            max=corridor.max_send,
        )
        return
    if not draft.get("recipient_started"):
        draft["recipient_started"] = True
        saved = await store.saved_recipients(turn.svc.engine, turn.conv, corridor.id)
        if saved:
            turn.conv.state = "ask_saved"
            choices = [(r.data["name"][:20], "saved", {"recipient": dict(r.data)}) for r in saved]
            choices.append((t(turn.lang, "btn_new_recipient"), "new_recipient", {}))
            await turn.ask(t(turn.lang, "ask_saved"), choices)
            return
    recipient = draft.setdefault("recipient", {})
    for spec in requirements(corridor):
        if spec["required"] and spec["key"] not in recipient:
            draft["field"] = spec["key"]
            turn.conv.state = "ask_field"
            turn.say("ask_field", label=_label(turn, spec), example=spec["example"])
            return
    try:
        draft["recipient"] = validate_recipient(corridor, recipient)
    except RecipientInvalid as exc:
        key = exc.errors[0]["field"].removeprefix("recipient.")
        draft["recipient"] = {}
        turn.say("bad_recipient", label=_label(turn, _field_spec(corridor, key)))
        await advance(turn)
        return
    await _quote(turn, corridor)


async def _quote(turn: Turn, corridor: Corridor, refreshed: bool = False) -> None:
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
    turn.conv.state = "confirm"
    expires = datetime.fromisoformat(quote["expires_at"])
    text = t(
        turn.lang,
        "quote",
        send=money(quote["send_amount"], quote["send_currency"]),
        fee=money(quote["fee"], quote["send_currency"]),
        send_currency=quote["send_currency"],
        receive_currency=quote["receive_currency"],
        rate=quote["rate"],
        name=draft["recipient"]["name"],
        receive=money(quote["receive_amount"], quote["receive_currency"]),
        seconds=max(0, int((expires - turn.svc.now()).total_seconds())),
        until=expires.strftime("%H:%M:%S"),
    )
    text += "\n\n" + disclosure_text(turn.lang, quote["disclosure"])
    if refreshed:
        text = t(turn.lang, "quote_refreshed") + "\n" + text
    if quote.get("sample_rates"):
        text += "\n" + t(turn.lang, "sample_rates")
    data = {"quote_id": quote["id"]}
    await turn.ask(
        text,
        [
            (t(turn.lang, "btn_confirm"), "confirm", data),
            (t(turn.lang, "btn_cancel"), "cancel", data),
        ],
    )


async def on_confirm_text(turn: Turn, text: str) -> None:
    if understand.is_send_request(text):
        await on_idle(turn, text)
        return
    turn.say("tap_confirm")


# --- button taps ------------------------------------------------------------------------------


async def tap_confirm(turn: Turn, action: Any) -> None:
    draft = turn.draft
    quote = await quotes.get_quote(turn.svc, turn.caller, action.data["quote_id"])
    corridor = turn.svc.corridors[draft["corridor_id"]]
    if datetime.fromisoformat(quote["expires_at"]) <= turn.svc.now():
        await store.use_action(turn.svc.engine, action.id, {"refreshed": True}, turn.svc.now())
        await _quote(turn, corridor, refreshed=True)
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
            await _quote(turn, corridor, refreshed=True)
            return
        turn.reset()
        turn.say("limit_exceeded" if problem.slug == "limit-exceeded" else "error")
        return
    now = turn.svc.now()
    await store.use_action(turn.svc.engine, action.id, {"remittance_id": body["id"]}, now)
    await store.link_remittance(turn.svc.engine, turn.conv, body["id"], now)
    await store.save_recipient(turn.svc.engine, turn.conv, corridor.id, draft["recipient"], now)
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
    await store.use_action(turn.svc.engine, action.id, {"cancelled": True}, turn.svc.now())
    turn.reset()
    turn.say("cancelled_draft")


async def tap_accept_quote(turn: Turn, action: Any) -> None:
    from gateway.bots import requote  # it builds on this module's Turn and Reply

    await requote.tap_accept(turn, action)


async def tap_cancel_requote(turn: Turn, action: Any) -> None:
    from gateway.bots import requote

    await requote.tap_cancel(turn, action)


async def tap_cancel_paid(turn: Turn, action: Any) -> None:
    from gateway.bots import cancel_offer  # it builds on this module's Turn and Reply

    await cancel_offer.tap(turn, action)


async def tap_method(turn: Turn, action: Any) -> None:
    turn.draft["corridor_id"] = action.data["corridor_id"]
    await advance(turn)


async def tap_saved(turn: Turn, action: Any) -> None:
    turn.draft["recipient"] = dict(action.data["recipient"])
    await advance(turn)


async def tap_new_recipient(turn: Turn, action: Any) -> None:
    turn.draft["recipient"] = {}
    await advance(turn)


async def tap_language(turn: Turn, action: Any) -> None:
    turn.conv.language = action.data["language"]
    turn.draft.pop("buttons", None)
    turn.say("language_set")


# --- commands ---------------------------------------------------------------------------------


async def cmd_help(turn: Turn) -> None:
    turn.say("help")


async def cmd_start(turn: Turn) -> None:
    if turn.conv.customer_id is None:
        await on_new(turn, "")
    else:
        turn.reset()
        turn.say("help")


async def cmd_language(turn: Turn) -> None:
    choices = [(LANGUAGE_NAMES[code], "language", {"language": code}) for code in LANGUAGES]
    await turn.ask(t(turn.lang, "pick_language"), choices)


def _set_language(code: str) -> Callable[[Turn], Awaitable[None]]:
    async def command(turn: Turn) -> None:
        turn.conv.language = code
        turn.say("language_set")

    return command


def _status_line(turn: Turn, rem: dict[str, Any]) -> str:
    return t(
        turn.lang,
        "status_line",
        ref=short_ref(rem["id"]),
        send=money(rem["send_amount"], rem["send_currency"]),
        receive=money(rem["receive_amount"], rem["receive_currency"]),
        status=status_word(turn.lang, rem["status"]),
    )


async def _recent(turn: Turn, limit: int) -> list[dict[str, Any]]:
    ids = await store.chat_remittances(turn.svc.engine, turn.conv, limit)
    return [await remittances.get_remittance(turn.svc, turn.caller, rid) for rid in ids]


async def cmd_status(turn: Turn) -> None:
    recent = await _recent(turn, 1)
    if not recent:
        turn.say("no_transfers")
        return
    from gateway.bots.receipt_text import with_chain

    line = _status_line(turn, recent[0])
    turn.replies.append(Reply(with_chain(turn.lang, line, recent[0].get("chain_settlement"))))
    if recent[0]["status"] == "requote":  # waiting for the sender: offer the new quote again
        from gateway.bots import requote

        try:
            turn.replies += await requote.offer(
                turn.svc,
                turn.conv.platform,
                turn.conv.chat_id,
                turn.lang,
                recent[0]["id"],
                intro="requote_status",
            )
        except UseCaseError as problem:
            log.info("bot_requote_not_offered", problem=problem.slug)
    from gateway.bots import cancel_offer

    turn.replies += await cancel_offer.offer(
        turn.svc, turn.conv.platform, turn.conv.chat_id, turn.lang, recent[0]
    )


async def cmd_history(turn: Turn) -> None:
    recent = await _recent(turn, HISTORY_SIZE)
    if not recent:
        turn.say("no_transfers")
        return
    lines = [t(turn.lang, "history_header"), *(_status_line(turn, r) for r in recent)]
    turn.replies.append(Reply("\n".join(lines)))


async def cmd_cancel(turn: Turn) -> None:
    if turn.conv.state not in ("idle", "new"):
        turn.reset()
        turn.say("cancelled_draft")
        return
    recent = await _recent(turn, 1)
    if not recent:
        turn.say("nothing_to_cancel")
        return
    rem = recent[0]
    ref = short_ref(rem["id"])
    paid = rem["status"] in {s.value for s in CANCELLABLE_AFTER_PAYMENT}
    if rem["status"] not in {s.value for s in CANCELLABLE} and not paid:
        turn.say("cannot_cancel", ref=ref, status=status_word(turn.lang, rem["status"]))
        return
    try:
        await remittances.cancel_remittance(turn.svc, turn.caller, rem["id"])
    except UseCaseError:  # after payment: the window closed, or the partner has it
        turn.say("cannot_cancel", ref=ref, status=status_word(turn.lang, rem["status"]))
        return
    turn.say("cancel_requested" if paid else "cancelled_remittance", ref=ref)


ERROR_KINDS = ("wrong_amount", "not_received", "late")


async def cmd_report(turn: Turn) -> None:
    """Report an error on the latest transfer: what kind (buttons), then a few words."""
    recent = await _recent(turn, 1)
    if not recent:
        turn.say("nothing_to_report")
        return
    turn.reset()
    ref = short_ref(recent[0]["id"])
    choices = [
        (t(turn.lang, f"btn_err_{kind}"), "error_kind", {"id": recent[0]["id"], "kind": kind})
        for kind in ERROR_KINDS
    ]
    await turn.ask(t(turn.lang, "ask_error_kind", ref=ref), choices)


async def tap_error_kind(turn: Turn, action: Any) -> None:
    turn.reset("ask_error_text")
    turn.draft.update(remittance_id=action.data["id"], kind=action.data["kind"])
    turn.say("ask_error_text")


async def on_error_text(turn: Turn, text: str) -> None:
    rid, kind = turn.draft["remittance_id"], turn.draft["kind"]
    ref = short_ref(rid)
    turn.reset()
    try:
        case = await error_reports.report_error(turn.svc, turn.caller, rid, kind, text[:1000])
    except UseCaseError as problem:
        if problem.slug == "error-report-window-closed":
            last_day = str(problem.detail).rsplit(" ", 1)[-1]
            turn.say("report_window_closed", ref=ref, last_day=last_day)
        elif problem.status == 409:
            turn.say("report_not_paid", ref=ref)
        else:
            raise
        return
    ack = datetime.fromisoformat(case["clocks"]["acknowledge_by"]["due"])
    turn.say("error_reported", ref=ref, case=case["id"], ack=ack.strftime("%Y-%m-%d %H:%M"))


def _starts_over(text: str) -> bool:
    intent = understand.send_intent(text)
    return understand.is_send_request(text) and bool(
        intent.amount or intent.country or intent.unknown_place or intent.amount_error
    )


# --- the tables -------------------------------------------------------------------------------

TextHandler = Callable[[Turn, str], Awaitable[None]]
TapHandler = Callable[[Turn, Any], Awaitable[None]]
Command = Callable[[Turn], Awaitable[None]]

ONBOARDING = frozenset({"new", "ask_name", "ask_country", "ask_phone"})
TEXT: dict[str, TextHandler] = {
    "new": on_new,
    "ask_name": on_name,
    "ask_country": on_country,
    "ask_phone": on_phone,
    "ask_kyc": on_kyc_field,
    "idle": on_idle,
    "building": on_idle,
    "ask_destination": on_destination,
    "ask_method": on_idle,
    "ask_amount": on_amount,
    "ask_saved": on_idle,
    "ask_field": on_field,
    "confirm": on_confirm_text,
    "ask_error_text": on_error_text,
}
TAPS: dict[str, TapHandler] = {
    "confirm": tap_confirm,
    "cancel": tap_cancel,
    "accept_quote": tap_accept_quote,
    "cancel_requote": tap_cancel_requote,
    "method": tap_method,
    "saved": tap_saved,
    "new_recipient": tap_new_recipient,
    "language": tap_language,
    "error_kind": tap_error_kind,
    "cancel_paid": tap_cancel_paid,
}
COMMANDS: dict[str, Command] = {
    "start": cmd_start,
    "help": cmd_help,
    "language": cmd_language,
    "status": cmd_status,
    "history": cmd_history,
    "cancel": cmd_cancel,
    "verify": cmd_verify,
    "report": cmd_report,
    **{f"lang:{code}": _set_language(code) for code in LANGUAGES},
}
# Buttons the notifier pushes outside a turn (a new quote after a hold): live until used, not
# only while they are the latest prompt; their handlers check the remittance still waits.
PUSHED_TAPS = frozenset({"accept_quote", "cancel_requote", "cancel_paid"})
# Commands that work before the sender has an account.
OPEN_COMMANDS = frozenset({"start", "help", "language", *(f"lang:{c}" for c in LANGUAGES)})


class Engine:
    """Answers one Incoming at a time; everything it remembers is in the database."""

    def __init__(self, svc: Services, limiter: ChatLimiter) -> None:
        self.svc = svc
        self.limiter = limiter

    async def handle(self, msg: Incoming) -> list[Reply]:
        lang = pick_language(msg.language)
        verdict = self.limiter.check(msg.platform, msg.chat_id)
        if verdict != "ok":
            log.info("bot_rate_limited", platform=msg.platform)
            if verdict == "drop":
                return []
            conv = await store.load_conversation(self.svc.engine, msg.platform, msg.chat_id, lang)
            return [Reply(t(conv.language, "rate_limited"))]
        conv = await store.load_conversation(self.svc.engine, msg.platform, msg.chat_id, lang)
        turn = Turn(self.svc, conv, msg)
        try:
            if msg.action_id is not None:
                await self._tap(turn, msg.action_id)
            else:
                await self._text(turn, (msg.text or "").strip())
        except UseCaseError as problem:
            log.warning("bot_problem", platform=msg.platform, problem=problem.slug)
            turn.replies = [Reply(t(conv.language, "error"))]
        await store.save_conversation(self.svc.engine, conv, self.svc.now())
        return turn.replies

    async def _text(self, turn: Turn, text: str) -> None:
        command = understand.command_of(text)
        onboarding = turn.conv.customer_id is None
        if command is not None and (not onboarding or command in OPEN_COMMANDS):
            await COMMANDS[command](turn)
            return
        if onboarding and turn.conv.state not in ONBOARDING:
            turn.conv.state = "new"
        if not onboarding and _starts_over(text):
            turn.conv.state = "idle"  # a new one-line request replaces the draft
        await TEXT.get(turn.conv.state, on_idle)(turn, text[:500])

    async def _tap(self, turn: Turn, action_id: str) -> None:
        action = await store.get_action(self.svc.engine, turn.conv, action_id)
        if action is None:
            turn.say("stale_button")
            return
        done = (action.data or {}).get("remittance_id")
        if action.used_at is not None and done:
            turn.say("already_confirmed", ref=short_ref(done))
            return
        pushed = action.kind in PUSHED_TAPS
        live = pushed or action_id in turn.draft.get("buttons", [])
        if action.used_at is not None or not live:
            turn.say("stale_button")
            return
        if not pushed:
            turn.draft.pop("buttons", None)
        await TAPS[action.kind](turn, action)

"""Onboarding: a new chat gives a name, a country and (Telegram) its own phone number, and
becomes a customer through the same use case as PUT /v1/customers."""

from __future__ import annotations

from typing import Any

import phonenumbers

from corridors.recipients import NAME
from gateway.bots import parse as understand
from gateway.bots.conversation.states import State
from gateway.bots.conversation.turn import Reply, Turn
from gateway.bots.i18n import kyc_label, t
from gateway.errors import UseCaseError
from gateway.usecases import customers
from gateway.usecases.requests.customers import CustomerRequest


async def on_new(turn: Turn, text: str) -> None:
    turn.move(State.ASK_NAME)
    turn.say("ask_name")


async def on_name(turn: Turn, text: str) -> None:
    try:
        turn.draft["name"] = NAME.validate(text)
    except ValueError:
        turn.say("bad_name")
        return
    country = _phone_country(turn.msg.phone)
    if country is None:
        turn.move(State.ASK_COUNTRY)
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
        turn.move(State.ASK_PHONE)
        ask_phone(turn, "ask_phone")
        return
    await _register(turn, country)


def ask_phone(turn: Turn, key: str) -> None:
    turn.replies.append(Reply(t(turn.lang, key), request_phone=t(turn.lang, "btn_share_phone")))


async def on_phone(turn: Turn, text: str) -> None:
    """Only a contact the platform says is the sender's own verifies the phone; a typed number
    or another person's contact is asked again."""
    if turn.msg.phone is None:
        ask_phone(turn, "phone_not_own" if turn.msg.shared_contact else "ask_phone")
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
    turn.say(key, **kyc_values(turn, body))


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
        turn.move(State.ASK_COUNTRY)
        return
    turn.conv.customer_id = body["id"]
    turn.reset()
    kyc = "kyc_accepted" if body.get("status") == "accepted" else "kyc_other"
    turn.say("registered", name=name, kyc=t(turn.lang, kyc, **kyc_values(turn, body)))


def kyc_values(turn: Turn, body: dict[str, Any]) -> dict[str, str]:
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

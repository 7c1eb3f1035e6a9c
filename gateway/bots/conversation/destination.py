"""Where the sender may send: the countries the corridors serve from the sender's country and
in its currency, the payout method when a country has several, and why a destination is
refused (not served, not from the sender's country, not in that currency)."""

from __future__ import annotations

from corridors.config import Corridor
from gateway.bots import parse as understand
from gateway.bots.conversation.onboarding import ask_phone
from gateway.bots.conversation.states import State
from gateway.bots.conversation.turn import Turn
from gateway.bots.i18n import country_name, method_name, t
from gateway.services import Services
from gateway.usecases import customers


def _served_countries(svc: Services) -> list[str]:
    return sorted({c.receive_country for c in svc.corridors.values()})


def countries_text(turn: Turn) -> str:
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


async def may_send(turn: Turn) -> bool:
    """A sender whose phone is not verified is asked for it, not walked into a refusal."""
    body = await customers.get_customer(turn.svc, turn.caller, turn.conv.customer_id)
    if body["status"] == "accepted":
        return True
    if not body.get("phone_verified"):
        turn.move(State.ASK_PHONE)
        ask_phone(turn, "phone_needed")
    else:
        turn.say("kyc_other")
    return False


async def check_destination(turn: Turn) -> bool:
    country = turn.draft["country"]
    if not any(c.serves_country(country) for c in turn.svc.corridors.values()):
        turn.say(
            "unsupported_country",
            country=country_name(turn.lang, country),
            countries=countries_text(turn),
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


async def take_destination(turn: Turn, text: str) -> bool:
    """The country the sender typed, kept in the draft if a corridor serves it for them."""
    country = understand.country_of(text)
    if country is None:
        turn.say("unsupported_country", country=text.strip()[:40], countries=countries_text(turn))
        return False
    turn.draft["country"] = country
    if not await check_destination(turn):
        turn.draft.pop("country")
        return False
    return True


def ask_destination(turn: Turn) -> None:
    turn.move(State.ASK_DESTINATION)
    turn.say("ask_destination", countries=countries_text(turn))


async def pick_corridor(turn: Turn) -> bool:
    """The draft's corridor: the only candidate, else the sender picks the payout method
    (buttons; False until then)."""
    candidates = await _candidates(turn)
    if len(candidates) == 1:
        turn.draft["corridor_id"] = candidates[0].id
        return True
    turn.move(State.ASK_METHOD)
    choices = [
        (method_name(turn.lang, c.payout_method), "method", {"corridor_id": c.id})
        for c in candidates
    ]
    country = country_name(turn.lang, turn.draft["country"])
    await turn.ask(t(turn.lang, "ask_method", country=country), choices)
    return False

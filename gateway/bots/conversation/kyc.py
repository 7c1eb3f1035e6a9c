"""Raising the KYC tier (/verify): the next tier's fields asked one by one (documents as the
platform's file references), then submitted for review through PUT /v1/customers's use case."""

from __future__ import annotations

import structlog
from pydantic import ValidationError

from gateway.bots.conversation.onboarding import ask_phone, kyc_values
from gateway.bots.conversation.states import State
from gateway.bots.conversation.turn import Turn
from gateway.bots.i18n import kyc_label
from gateway.errors import UseCaseError
from gateway.usecases import customers
from gateway.usecases.requests.customers import CustomerRequest

log = structlog.get_logger("gateway.bots")

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
    values = kyc_values(turn, body)
    if body["status"] != "accepted":
        turn.move(State.ASK_PHONE)
        ask_phone(turn, "phone_needed")
        return
    if (body.get("review") or {}).get("status") in OPEN_REVIEWS:
        turn.say("kyc_review_open", **values)
        return
    if not body.get("next_tier") or not body.get("fields"):
        turn.say("kyc_top", **values)
        return
    turn.reset(State.ASK_KYC)
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

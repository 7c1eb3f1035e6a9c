"""The conversation's states as data, like the remittance's (gateway/domain/states.py): which
state may follow which, checked wherever a turn moves the conversation.

A conversation is stored with its state (`bot_conversations.state`), so the values are the
strings stored: renaming one is a migration."""

from __future__ import annotations

from enum import StrEnum

from gateway.domain.states import check_in


class State(StrEnum):
    # Onboarding: a chat without a customer.
    NEW = "new"
    ASK_NAME = "ask_name"
    ASK_COUNTRY = "ask_country"
    ASK_PHONE = "ask_phone"
    # Raising the KYC tier (/verify): one field after another.
    ASK_KYC = "ask_kyc"
    IDLE = "idle"
    # A draft transfer: the first missing piece is asked, then the quote waits for a tap.
    BUILDING = "building"
    ASK_DESTINATION = "ask_destination"
    ASK_METHOD = "ask_method"
    ASK_AMOUNT = "ask_amount"
    ASK_SAVED = "ask_saved"
    ASK_FIELD = "ask_field"
    CONFIRM = "confirm"
    # An error report (/report): the kind was tapped, a few words follow.
    ASK_ERROR_TEXT = "ask_error_text"


S = State

ONBOARDING: frozenset[State] = frozenset({S.NEW, S.ASK_NAME, S.ASK_COUNTRY, S.ASK_PHONE})

# Where the draft walk (conversation.draft.advance) asks for the next piece, or quotes.
WALK: frozenset[State] = frozenset(
    {S.ASK_DESTINATION, S.ASK_METHOD, S.ASK_AMOUNT, S.ASK_SAVED, S.ASK_FIELD, S.CONFIRM}
)

# Reachable from every state: commands work in any state (/start, /cancel, /report -> idle or
# ask_name; /verify -> ask_phone or ask_kyc), a finished or refused step resets to idle, a send
# request from a sender without a verified phone asks for it, and a chat without a customer
# starts onboarding over (new).
ANYWHERE: frozenset[State] = frozenset({S.NEW, S.ASK_NAME, S.IDLE, S.ASK_PHONE, S.ASK_KYC})

# A prompt's buttons stay live when the state moves without a reset (idle after a new one-line
# request, ask_phone from /verify or a send request): a tap there walks the draft on, or (after
# /report) asks for the error's words.
_TAPPED_ON = WALK | {S.ASK_ERROR_TEXT}

TRANSITIONS: dict[State, frozenset[State]] = {
    S.NEW: frozenset({S.ASK_NAME}),
    S.ASK_NAME: frozenset({S.ASK_COUNTRY}),
    S.ASK_COUNTRY: frozenset({S.ASK_PHONE}),
    # ask_country: registering with the shared number was refused (an unserved country).
    S.ASK_PHONE: frozenset({S.ASK_COUNTRY}) | _TAPPED_ON,
    S.ASK_KYC: frozenset(),
    S.IDLE: frozenset({S.BUILDING}) | _TAPPED_ON,
    S.BUILDING: WALK,
    # A new send request in the middle of a draft starts one (building).
    S.ASK_DESTINATION: WALK | {S.BUILDING},
    S.ASK_METHOD: WALK | {S.BUILDING},
    S.ASK_AMOUNT: WALK,
    S.ASK_SAVED: WALK | {S.BUILDING},
    S.ASK_FIELD: WALK,
    S.CONFIRM: WALK | {S.BUILDING},
    S.ASK_ERROR_TEXT: frozenset(),
}


# What check_move allows: each state's own moves, the moves from anywhere, and asking again.
MOVES: dict[State, frozenset[State]] = {
    src: targets | ANYWHERE | {src} for src, targets in TRANSITIONS.items()
}
_STORED = frozenset(s.value for s in State)


def check_move(current: str, target: str) -> State:
    """Return the target state if the table allows current -> target, else raise
    IllegalTransition. A stored state this release does not know is answered like idle and
    may move to any state (checked as staying where it goes)."""
    if current not in _STORED:
        current = target
    return check_in(MOVES, State, current, target)

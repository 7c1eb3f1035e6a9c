"""The state machines kept as data besides the remittance's refuse what no handler or action
does: the bot conversation's and the pay-in's (pure, no server)."""

import pytest

from gateway.bots.conversation import states as conversation
from gateway.domain import payin_states as payin
from gateway.domain.states import IllegalTransition

move, pay = conversation.check_move, payin.check_transition


@pytest.mark.parametrize(
    ("table", "states"),
    [(conversation.TRANSITIONS, conversation.State), (payin.TRANSITIONS, payin.PayinStatus)],
)
def test_every_state_has_a_row(table, states):
    assert set(table) == set(states)


@pytest.mark.parametrize(
    ("check", "current", "target"),
    [
        (move, "ask_kyc", "confirm"),  # a KYC field is never answered with a quote
        (move, "ask_error_text", "ask_amount"),
        (move, "new", "building"),  # no draft before an account
        (move, "ask_name", "ask_field"),
        (move, "building", "ask_error_text"),
        (move, "idle", "no_such_state"),
        (move, "retired_state", "no_such_state"),
        (pay, "returned", "resolved"),  # money sent back is not credited afterwards
        (pay, "suspense", "returned"),  # only once the partner is asked (returning)
        (pay, "credited", "returning"),  # a wallet's money goes back as a refund, not a return
        (pay, "refunded", "refund_pending"),
        (pay, "suspense", "nowhere"),
        (pay, "authorized", "resolved"),  # a capture is matched, never resolved by hand
    ],
)
def test_a_move_nothing_makes_is_refused(check, current, target):
    with pytest.raises(IllegalTransition):
        check(current, target)


def test_allowed_moves():
    state = conversation.State
    assert move("new", "ask_name") is state.ASK_NAME
    assert move("idle", "building") is state.BUILDING
    assert move("confirm", "confirm") is state.CONFIRM  # the quote asked again
    assert move("retired_state", "idle") is state.IDLE  # a state of an older release
    for current in state:
        for target in conversation.ANYWHERE:
            assert move(current, target) is target
    assert pay("suspense", "returning") is payin.PayinStatus.RETURNING
    assert pay("refund_pending", "credited") is payin.PayinStatus.CREDITED
    assert pay("authorized", "suspense") is payin.PayinStatus.SUSPENSE  # captured, unmatched

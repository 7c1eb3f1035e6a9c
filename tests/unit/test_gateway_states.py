"""The state machine refuses every transition the table does not list."""

import itertools

import pytest

from gateway.domain.states import (
    AUTOMATIC,
    CANCELLABLE,
    CANCELLABLE_AFTER_PAYMENT,
    TERMINAL,
    TRANSITIONS,
    IllegalTransition,
    Status,
    check_transition,
)

ALL_PAIRS = list(itertools.product(Status, Status))


@pytest.mark.parametrize(("src", "dst"), ALL_PAIRS, ids=lambda s: s.value)
def test_every_pair_is_allowed_exactly_when_listed(src: Status, dst: Status) -> None:
    if dst in TRANSITIONS[src]:
        assert check_transition(src, dst) is dst
    else:
        with pytest.raises(IllegalTransition):
            check_transition(src, dst)


def test_unknown_states_are_illegal() -> None:
    with pytest.raises(IllegalTransition):
        check_transition("created", "teleported")
    with pytest.raises(IllegalTransition):
        check_transition("limbo", "created")


def test_design_invariants() -> None:
    assert {
        Status.PAID_OUT,
        Status.REFUNDED,
        Status.REJECTED,
        Status.EXPIRED,
        Status.CANCELLED,
    } == TERMINAL
    # Nothing is released automatically from a hold.
    assert Status.ON_HOLD not in AUTOMATIC
    assert Status.QUOTED not in TRANSITIONS[Status.ON_HOLD]
    # Money never moves after a cancel, and a cancel never follows money moving.
    assert {Status.CREATED, Status.QUOTED, Status.REQUOTE, Status.AWAITING_FUNDS} == CANCELLABLE
    # After paying, a cancel withdraws the instruction first; the recipient paid ends it.
    assert {Status.IN_TRANSIT, Status.PAYOUT_PENDING} == CANCELLABLE_AFTER_PAYMENT
    assert TRANSITIONS[Status.CANCELLING] == {Status.CANCELLED, Status.PAYOUT_UNKNOWN}
    assert Status.CANCELLING not in TRANSITIONS[Status.PAID_OUT]
    # An unknown payout is settled by inquiry, never by a refund straight away.
    assert Status.REFUNDED not in TRANSITIONS[Status.PAYOUT_UNKNOWN]
    # Every state is reachable from created.
    seen, frontier = {Status.CREATED}, [Status.CREATED]
    while frontier:
        for nxt in TRANSITIONS[frontier.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                frontier.append(nxt)
    assert seen == set(Status)

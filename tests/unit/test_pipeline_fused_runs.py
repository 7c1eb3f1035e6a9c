"""Fused runs (#28): which states' steps fuse is data (gateway.pipeline.steps), checked
against the state table; the runs of a wallet remittance, and where a run ends."""

from __future__ import annotations

import itertools

from gateway.domain.outcomes import Advance
from gateway.domain.states import AUTOMATIC, TRANSITIONS, Status
from gateway.pipeline.steps import DECIDES, FUSES, MOVES_MONEY, STEPS, goes_on

S = Status

BEFORE_PAYOUT = (S.CREATED, S.SCREENING, S.QUOTED, S.AWAITING_FUNDS, S.FUNDED, S.CONVERTED)
WALLET_PATH = [s.value for s in (*BEFORE_PAYOUT, S.IN_TRANSIT, S.PAYOUT_PENDING, S.PAID_OUT)]


def test_fused_states_are_automatic_states_with_steps_and_moves_the_table_allows():
    assert not DECIDES & MOVES_MONEY
    assert FUSES <= AUTOMATIC and set(STEPS) >= FUSES
    # The wallet path's runs: screening to awaiting_funds, then the money to in_transit.
    ran: list[Status] = []
    runs: list[list[Status]] = []
    path = [Status(s) for s in WALLET_PATH]
    for frm, to in itertools.pairwise(path):
        assert to in TRANSITIONS[frm]
        ran.append(frm)
        if not goes_on(ran, Advance(to, "")):
            runs.append(ran)
            ran = []
    assert runs[:2] == [
        [S.CREATED, S.SCREENING, S.QUOTED],
        [S.AWAITING_FUNDS, S.FUNDED, S.CONVERTED],
    ]


def test_a_run_ends_at_effects_a_wait_and_before_money_after_a_decision():
    assert not goes_on([S.CREATED], Advance(S.SCREENING, "", effects=(lambda conn: None,)))
    assert not goes_on([S.FUNDED], Advance(S.CONVERTED, "", wait=None, effects=(print,)))
    assert not goes_on([S.QUOTED], Advance(S.AWAITING_FUNDS, ""))
    assert not goes_on([S.APPROVED], Advance(S.FUNDED, ""))
    assert not goes_on([S.CONVERTED], Advance(S.IN_TRANSIT, ""))  # the partner call next
    assert goes_on([S.AWAITING_FUNDS, S.FUNDED], Advance(S.CONVERTED, ""))

"""The simulator's faults from its CLI options, and the account check digits (CLABE, NUBAN)
catching any single-digit error."""

from __future__ import annotations

import argparse

from hypothesis import given
from hypothesis import strategies as st

from corridors.accounts import clabe_check_digit, nuban_check_digit, validate_clabe, validate_nuban
from corridors.payout import PayoutInstruction
from corridors.simulator import Faults


def instruction(n: int) -> PayoutInstruction:
    return PayoutInstruction(
        f"po-{n}",
        f"rm-{n}",
        f"{100 + n}.00",
        "PHP",
        {"name": "Ana Reyes", "phone": "+639171234567"},
        "US-PH-WALLET",
    )


def test_faults_from_cli_options():
    parser = argparse.ArgumentParser()
    Faults.add_arguments(parser)
    args = parser.parse_args(["--timeout-rate", "0.25", "--latency-ms", "40", "--seed", "9"])
    faults = Faults.from_options(args, pay_delay_ms=100)
    assert faults == Faults(timeout_rate=0.25, latency_ms=40, seed=9, pay_delay_ms=100)
    assert Faults.from_options({"error_rate": 0.5, "host": "x"}).error_rate == 0.5


digits = st.text(alphabet="0123456789", min_size=1, max_size=1)


@given(st.text(alphabet="0123456789", min_size=17, max_size=17), st.integers(0, 17), digits)
def test_clabe_detects_any_single_digit_error(first17, position, digit):
    clabe = first17 + str(clabe_check_digit(first17))
    assert validate_clabe(clabe) == clabe
    typo = clabe[:position] + digit + clabe[position + 1 :]
    if typo != clabe:
        try:
            validate_clabe(typo)
        except ValueError:
            return
        raise AssertionError(f"{typo} accepted")


@given(
    st.sampled_from(["011", "058", "044", "090267"]),
    st.text(alphabet="0123456789", min_size=9, max_size=9),
    st.integers(0, 9),
    digits,
)
def test_nuban_detects_any_single_digit_error(bank, serial, position, digit):
    nuban = serial + str(nuban_check_digit(bank, serial))
    assert validate_nuban(bank, nuban) == nuban
    typo = nuban[:position] + digit + nuban[position + 1 :]
    if typo != nuban:
        try:
            validate_nuban(bank, typo)
        except ValueError:
            return
        raise AssertionError(f"{typo} accepted")

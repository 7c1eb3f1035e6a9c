"""Customer status machine (SEP-12 statuses), the SEP-12 view, the verification port."""

from __future__ import annotations

import asyncio
import itertools

import pytest

from compliance.kyc import (
    CUSTOMER_EVENTS,
    CUSTOMER_STATUSES,
    CUSTOMER_TRANSITIONS,
    REVIEW_MOVES,
    REVIEW_STATUSES,
    Customer,
    IllegalCustomerTransition,
    ReviewRefused,
    VerificationProvider,
    VerificationRequest,
    apply_customer_event,
    fields_digest,
    fields_needed,
    initial_status,
    load_tiers,
    move_review,
    sep12_view,
    transition_customer,
)

ALLOWED = {
    ("needs_info", "processing"),
    ("needs_info", "rejected"),
    ("processing", "accepted"),
    ("processing", "needs_info"),
    ("processing", "rejected"),
    ("accepted", "processing"),
    ("accepted", "needs_info"),
    ("accepted", "rejected"),
}


def test_statuses_are_sep12():
    assert set(CUSTOMER_STATUSES) == {"accepted", "processing", "needs_info", "rejected"}
    assert set(CUSTOMER_TRANSITIONS) == set(CUSTOMER_STATUSES)


@pytest.mark.parametrize(("current", "target"), itertools.product(CUSTOMER_STATUSES, repeat=2))
def test_every_pair(current, target):
    if (current, target) in ALLOWED:
        assert transition_customer(current, target) == target
    else:
        with pytest.raises(IllegalCustomerTransition):
            transition_customer(current, target)


def test_accepted_customer_goes_back_on_list_hit():
    assert apply_customer_event("accepted", "list_hit") == "processing"


def test_rejected_is_terminal():
    assert CUSTOMER_TRANSITIONS["rejected"] == frozenset()
    with pytest.raises(IllegalCustomerTransition):
        apply_customer_event("rejected", "info_submitted")


def test_events_only_use_allowed_transitions():
    for (current, _event), target in CUSTOMER_EVENTS.items():
        assert (current, target) in ALLOWED


def test_unknown_status_refused():
    with pytest.raises(IllegalCustomerTransition):
        transition_customer("frozen", "accepted")


def test_fields_needed_for_next_tier_and_view():
    tiers = load_tiers()
    new = Customer(id="c1")
    assert fields_needed(tiers, new) == tiers["phone_verified"].required_fields
    phone = Customer(
        id="c1",
        status="accepted",
        tier="phone_verified",
        provided_fields=frozenset(tiers["phone_verified"].required_fields),
    )
    assert phone.can_send() and not new.can_send()
    needed = fields_needed(tiers, phone)
    assert "id_number" in needed and "mobile_number" not in needed
    view = sep12_view(tiers, phone, {"id_number": "Identity document number"})
    assert view["status"] == "ACCEPTED" and view["next_tier"] == "id_verified"
    assert view["fields"]["id_number"]["description"] == "Identity document number"
    assert "mobile_number" in view["provided_fields"]
    top = Customer(id="c2", status="accepted", tier="enhanced")
    assert fields_needed(tiers, top) == () and sep12_view(tiers, top)["next_tier"] is None


def test_review_moves_are_a_table_and_decisions_are_final():
    """Each reviewer decides only its own reviews; nothing leaves approved or rejected, so a
    replayed or late result cannot flip a decision."""
    assert initial_status("provider") == "provider_review"
    assert initial_status("officer") == "officer_review"
    with pytest.raises(ValueError):
        initial_status("robot")
    assert move_review("provider_review", "provider_approved") == "approved"
    assert move_review("officer_review", "officer_rejected") == "rejected"
    events = {event for _, event in REVIEW_MOVES}
    for status, event in itertools.product(REVIEW_STATUSES, events):
        if (status, event) in REVIEW_MOVES:
            continue
        with pytest.raises(ReviewRefused):
            move_review(status, event)
    assert {REVIEW_MOVES[k] for k in REVIEW_MOVES} == {"approved", "rejected"}


def test_fields_digest_sees_only_the_tier_fields():
    names = ("id_number", "birth_date")
    one = fields_digest({"id_number": "X1", "birth_date": "1990-01-01", "other": 1}, names)
    assert one == fields_digest({"birth_date": "1990-01-01", "id_number": "X1"}, names)
    assert one != fields_digest({"id_number": "X2", "birth_date": "1990-01-01"}, names)


def test_the_port_is_one_method():
    provider: VerificationProvider

    class Recorder:
        name = "recorder"

        def __init__(self) -> None:
            self.seen: list[VerificationRequest] = []

        async def submit(self, request: VerificationRequest) -> None:
            self.seen.append(request)

    provider = Recorder()
    asyncio.run(provider.submit(VerificationRequest("kyr_1", "cus_1", "id_verified", {})))
    assert [r.review_id for r in provider.seen] == ["kyr_1"]

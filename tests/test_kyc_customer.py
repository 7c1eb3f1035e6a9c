"""Customer status machine (SEP-12 statuses), the SEP-12 view, the verification port."""

from __future__ import annotations

import asyncio
import itertools

import pytest

from compliance.kyc import (
    CUSTOMER_EVENTS,
    CUSTOMER_STATUSES,
    CUSTOMER_TRANSITIONS,
    Customer,
    IllegalCustomerTransition,
    ManualReviewProvider,
    VerificationProvider,
    apply_customer_event,
    fields_needed,
    load_tiers,
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


def test_manual_review_provider():
    provider: VerificationProvider = ManualReviewProvider()
    tier = load_tiers()["phone_verified"]
    complete = {"first_name": "A", "last_name": "B", "mobile_number": "+15551234567"}
    assert asyncio.run(provider.verify("c1", tier, complete)) == "processing"
    assert asyncio.run(provider.verify("c1", tier, {**complete, "last_name": ""})) == "needs_info"

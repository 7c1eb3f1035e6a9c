"""Who is screened for one remittance, and their hits as case evidence: the same for the
pipeline's screening and for a re-screening after a list changes."""

from __future__ import annotations

from typing import Any

from compliance.sanctions import Screener

Party = tuple[str, str, str | None, Any]
"""(role, name, country, birth date) of one party as screening sees it."""


def sender_parties(sender: Any) -> list[Party]:
    """The sender, and the identities they were screened under before a change (screened every
    time, so a rename never leaves a hit behind)."""
    parties: list[Party] = [("sender", sender.name, sender.country, sender.birth_date)]
    parties += [
        ("sender (former identity)", f["name"], f.get("country"), f.get("birth_date"))
        for f in sender.former_identities or ()
        if f.get("name")
    ]
    return parties


def recipient_parties(rem: Any) -> list[Party]:
    return [("recipient", rem.recipient["name"], None, None)]


def screen_parties(screener: Screener, parties: list[Party]) -> list[dict]:
    """Hits on the parties, as case evidence. Senders and recipients are people: vessels and
    companies on the lists are no match (entries of unknown kind are always kept)."""
    return [
        {"party": role, "screened_name": name, **hit.to_dict()}
        for role, name, country, dob in parties
        for hit in screener.screen(name, kind="individual", country=country, dob=dob)
    ]

"""Masking helpers: personal data (names, phones, account numbers) never reaches a log in full.

Masks keep just enough to let an operator tell two records apart (a last few digits, initials),
never enough to pay someone.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

MASK = "*"


def mask_phone(phone: str | None) -> str:
    """'+639171234567' -> '+63*******567' (country prefix and last three digits kept)."""
    if not phone:
        return ""
    phone = str(phone)
    if len(phone) <= 6:
        return MASK * len(phone)
    return phone[:3] + MASK * (len(phone) - 6) + phone[-3:]


def mask_account(account: str | None) -> str:
    """'0532013000' -> '******3000'; a UPI VPA 'maria.s@okaxis' -> 'm*****@okaxis'."""
    if not account:
        return ""
    account = str(account)
    if "@" in account:
        local, _, handle = account.partition("@")
        return local[:1] + MASK * max(len(local) - 1, 1) + "@" + handle
    if len(account) <= 4:
        return MASK * len(account)
    return MASK * (len(account) - 4) + account[-4:]


def mask_name(name: str | None) -> str:
    """'Maria Dela Cruz' -> 'M**** D*** C***': initials only."""
    if not name:
        return ""
    return " ".join(word[:1] + MASK * max(len(word) - 1, 1) for word in str(name).split())


_MASKERS = {
    "name": mask_name,
    "phone": mask_phone,
    "account_number": mask_account,
    "clabe": mask_account,
    "iban": mask_account,
    "vpa": mask_account,
}


def mask_recipient(recipient: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of a recipient dict safe to log: personal fields masked, routing codes kept."""
    return {
        key: _MASKERS[key](value) if key in _MASKERS else value for key, value in recipient.items()
    }

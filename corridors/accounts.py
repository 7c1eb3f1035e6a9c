"""Account-number checks that no installed library provides (CLABE, NUBAN, IFSC, UPI VPA).

Each function takes a raw string and returns the normalised form or raises ValueError with a
message fit for the sender ("check digit does not match").
"""

from __future__ import annotations

import re

_CLABE_WEIGHTS = (3, 7, 1) * 6
_NUBAN_WEIGHTS = (3, 7, 3) * 5
_IFSC = re.compile(r"^[A-Z]{4}0[A-Z0-9]{6}$")
VPA_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,255}@[a-z][a-z0-9]{1,63}$")
_SEPARATORS = re.compile(r"[\s-]")


def digits_only(value: str, *, length: int | tuple[int, int], what: str) -> str:
    """Strip spaces and dashes; require `length` digits (exact or (min, max))."""
    compact = _SEPARATORS.sub("", value)
    low, high = (length, length) if isinstance(length, int) else length
    if not compact.isascii() or not compact.isdigit():
        raise ValueError(f"{what} must contain digits only")
    if not low <= len(compact) <= high:
        span = f"{low}" if low == high else f"{low} to {high}"
        raise ValueError(f"{what} must have {span} digits")
    return compact


def clabe_check_digit(first17: str) -> int:
    """Banxico's CLABE check digit: weights 3,7,1 mod 10 over the first 17 digits."""
    total = sum((int(d) * w) % 10 for d, w in zip(first17, _CLABE_WEIGHTS, strict=False))
    return (10 - total % 10) % 10


def validate_clabe(value: str) -> str:
    """An 18-digit CLABE (Mexico) whose last digit is its check digit."""
    clabe = digits_only(value, length=18, what="CLABE")
    if clabe_check_digit(clabe[:17]) != int(clabe[17]):
        raise ValueError("CLABE check digit does not match")
    return clabe


def nuban_check_digit(bank_code: str, serial: str) -> int:
    """CBN NUBAN check digit over the 6-digit bank code (3-digit codes are '000'-padded) and
    the 9-digit serial: weights 3,7,3 repeated, 10 - (sum mod 10), 10 counts as 0."""
    code = bank_code.rjust(6, "0")
    total = sum(int(d) * w for d, w in zip(code + serial, _NUBAN_WEIGHTS, strict=True))
    return (10 - total % 10) % 10


def validate_nuban_bank_code(value: str) -> str:
    """A CBN bank code: 3 digits (deposit money banks) or 6 digits (other institutions)."""
    code = _SEPARATORS.sub("", value)
    if not (code.isascii() and code.isdigit() and len(code) in (3, 6)):
        raise ValueError("bank code must be 3 or 6 digits")
    return code


def validate_nuban(bank_code: str, account_number: str) -> str:
    """A 10-digit NUBAN valid for `bank_code` (the check digit covers the bank code)."""
    nuban = digits_only(account_number, length=10, what="NUBAN account number")
    if nuban_check_digit(bank_code, nuban[:9]) != int(nuban[9]):
        raise ValueError("NUBAN check digit does not match this bank code")
    return nuban


def validate_ifsc(value: str) -> str:
    """An Indian Financial System Code: 4 letters, a zero, 6 letters or digits."""
    ifsc = value.strip().upper()
    if not _IFSC.match(ifsc):
        raise ValueError("IFSC must be 4 letters, 0, then 6 letters or digits (e.g. HDFC0000123)")
    return ifsc


def validate_upi_vpa(value: str) -> str:
    """A UPI virtual payment address 'handle@psp', compared case-insensitively."""
    vpa = value.strip().lower()
    if not VPA_PATTERN.match(vpa):
        raise ValueError("UPI ID must look like name@bank (e.g. maria.s@okaxis)")
    return vpa

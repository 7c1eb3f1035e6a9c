"""Recipient requirements and validation, per corridor, before any money moves.

The rules are a table: account scheme -> field specs (type, pattern, example, validator) plus
cross-field checks. `requirements()` publishes the table (like Wise's account requirements);
`validate_recipient()` applies it and names every failing field as "recipient.<field>".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import phonenumbers
import schwifty
from phonenumbers import PhoneNumberType

from corridors import accounts
from corridors.config import SEPA_COUNTRIES, Corridor
from corridors.masking import mask_account, mask_name, mask_phone, mask_recipient

__all__ = [
    "SCHEMES",
    "FieldSpec",
    "RecipientInvalid",
    "Scheme",
    "mask_account",
    "mask_name",
    "mask_phone",
    "mask_recipient",
    "requirements",
    "validate_recipient",
]


class RecipientInvalid(ValueError):
    """One or more recipient fields are missing or wrong; `errors` names each one."""

    def __init__(self, errors: list[dict[str, str]]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{e['field']}: {e['message']}" for e in errors))


Validator = Callable[[str], str]
"""Raw string -> normalised string, or ValueError(message for the sender)."""
CrossCheck = Callable[[dict[str, str]], tuple[str, str] | None]
"""Normalised fields -> (field, message) when fields disagree, else None."""


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One recipient field: how it is shown to the sender and how it is checked."""

    key: str
    label: str
    example: str
    validate: Validator
    pattern: str | None = None
    required: bool = True
    type: str = "text"
    values: tuple[str, ...] = ()
    min_length: int | None = None
    max_length: int | None = None

    def requirement(self) -> dict[str, Any]:
        """JSON-ready description of this field."""
        item: dict[str, Any] = {
            "key": self.key,
            "field": f"recipient.{self.key}",
            "name": self.label,
            "type": self.type,
            "required": self.required,
            "example": self.example,
        }
        if self.pattern is not None:
            item["pattern"] = self.pattern
        if self.values:
            item["values"] = list(self.values)
        if self.min_length is not None:
            item["min_length"] = self.min_length
        if self.max_length is not None:
            item["max_length"] = self.max_length
        return item


@dataclass(frozen=True, slots=True)
class Scheme:
    """The account fields of one kind of payout account, and checks spanning several fields."""

    fields: tuple[FieldSpec, ...]
    checks: tuple[CrossCheck, ...] = ()


# --- field validators -------------------------------------------------------------------------

_NAME_CHARS = re.compile(r"^[^\W\d_]+(?:[ '\-.,][^\W\d_]*)*$")


def _name(value: str) -> str:
    name = " ".join(value.split())
    if len(name) < 2:
        raise ValueError("name is required")
    if len(name) > 140:
        raise ValueError("name must be at most 140 characters")
    if not _NAME_CHARS.match(name):
        raise ValueError("name may contain letters, spaces, apostrophes, dots and dashes only")
    return name


def _mobile(region: str) -> Validator:
    def validate(value: str) -> str:
        try:
            number = phonenumbers.parse(value, region)
        except phonenumbers.NumberParseException as exc:
            raise ValueError("not a phone number") from exc
        if not phonenumbers.is_valid_number(number):
            raise ValueError("not a valid phone number")
        if phonenumbers.region_code_for_number(number) != region:
            raise ValueError(f"must be a {region} number")
        kind = phonenumbers.number_type(number)
        if kind not in (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE):
            raise ValueError("must be a mobile number")
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)

    return validate


def _choice(values: tuple[str, ...]) -> Validator:
    def validate(value: str) -> str:
        choice = value.strip().upper()
        if choice not in values:
            raise ValueError(f"must be one of {', '.join(values)}")
        return choice

    return validate


def _digits(length: int | tuple[int, int], what: str) -> Validator:
    return lambda value: accounts.digits_only(value, length=length, what=what)


def _iban(countries: frozenset[str]) -> Validator:
    def validate(value: str) -> str:
        try:
            iban = schwifty.IBAN(value)
        except schwifty.exceptions.SchwiftyException as exc:
            raise ValueError(f"not a valid IBAN: {exc}") from exc
        if iban.country_code not in countries:
            raise ValueError(f"IBAN country {iban.country_code} is not served here")
        return iban.compact

    return validate


def _bic(value: str) -> str:
    try:
        return schwifty.BIC(value).compact
    except schwifty.exceptions.SchwiftyException as exc:
        raise ValueError(f"not a valid BIC: {exc}") from exc


# --- cross-field checks -----------------------------------------------------------------------


def _nuban_matches_bank(values: dict[str, str]) -> tuple[str, str] | None:
    try:
        accounts.validate_nuban(values["bank_code"], values["account_number"])
    except ValueError as exc:
        return "account_number", str(exc)
    return None


def _bic_matches_iban(values: dict[str, str]) -> tuple[str, str] | None:
    bic = values.get("bic")
    if bic and bic[4:6] != values["iban"][:2]:
        return "bic", "BIC country does not match the IBAN country"
    return None


# --- the table --------------------------------------------------------------------------------

NAME = FieldSpec(
    "name",
    "Full name",
    "Maria Dela Cruz",
    _name,
    pattern=_NAME_CHARS.pattern,
    min_length=2,
    max_length=140,
)
PH_WALLETS = ("GCASH", "MAYA")

SCHEMES: dict[str, Scheme] = {
    "ph_mobile_wallet": Scheme(
        (
            FieldSpec(
                "phone",
                "Mobile wallet number",
                "+639171234567",
                _mobile("PH"),
                pattern=r"^\+639\d{9}$",
            ),
            FieldSpec(
                "wallet_provider",
                "Wallet",
                "GCASH",
                _choice(PH_WALLETS),
                required=False,
                type="select",
                values=PH_WALLETS,
            ),
        )
    ),
    "ke_mobile_wallet": Scheme(
        (
            FieldSpec(
                "phone",
                "Mobile money number (M-Pesa, Airtel Money)",
                "+254712345678",
                _mobile("KE"),
                pattern=r"^\+254[17]\d{8}$",
            ),
        )
    ),
    "gh_mobile_wallet": Scheme(
        (
            FieldSpec(
                "phone",
                "Mobile money number (MTN MoMo, Telecel Cash)",
                "+233241234567",
                _mobile("GH"),
                pattern=r"^\+233[235]\d{8}$",
            ),
        )
    ),
    "mx_clabe": Scheme(
        (
            FieldSpec(
                "clabe",
                "CLABE (18 digits)",
                "032180000118359719",
                accounts.validate_clabe,
                pattern=r"^\d{18}$",
                min_length=18,
                max_length=18,
            ),
        )
    ),
    "in_ifsc": Scheme(
        (
            FieldSpec(
                "ifsc",
                "IFSC code",
                "HDFC0000123",
                accounts.validate_ifsc,
                pattern=r"^[A-Z]{4}0[A-Z0-9]{6}$",
                min_length=11,
                max_length=11,
            ),
            FieldSpec(
                "account_number",
                "Account number",
                "50100012345678",
                _digits((9, 18), "account number"),
                pattern=r"^\d{9,18}$",
                min_length=9,
                max_length=18,
            ),
        )
    ),
    "in_upi": Scheme(
        (
            FieldSpec(
                "vpa",
                "UPI ID",
                "maria.s@okaxis",
                accounts.validate_upi_vpa,
                pattern=accounts.VPA_PATTERN.pattern,
            ),
        )
    ),
    "ng_nuban": Scheme(
        (
            FieldSpec(
                "bank_code",
                "Bank code (CBN)",
                "011",
                accounts.validate_nuban_bank_code,
                pattern=r"^(\d{3}|\d{6})$",
            ),
            FieldSpec(
                "account_number",
                "NUBAN account number",
                "0000014579",
                _digits(10, "NUBAN account number"),
                pattern=r"^\d{10}$",
                min_length=10,
                max_length=10,
            ),
        ),
        checks=(_nuban_matches_bank,),
    ),
    "sepa_iban": Scheme(
        (
            FieldSpec(
                "iban",
                "IBAN",
                "DE89370400440532013000",
                _iban(SEPA_COUNTRIES),
                pattern=r"^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$",
            ),
            FieldSpec(
                "bic",
                "BIC / SWIFT",
                "COBADEFFXXX",
                _bic,
                pattern=r"^[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?$",
                required=False,
            ),
        ),
        checks=(_bic_matches_iban,),
    ),
    "pk_iban": Scheme(
        (
            FieldSpec(
                "iban",
                "IBAN (Pakistan)",
                "PK36SCBL0000001123456702",
                _iban(frozenset({"PK"})),
                pattern=r"^PK\d{2}[A-Z]{4}\d{16}$",
                min_length=24,
                max_length=24,
            ),
        )
    ),
}


def _fields(corridor: Corridor) -> tuple[FieldSpec, ...]:
    return (NAME, *SCHEMES[corridor.account_scheme].fields)


def requirements(corridor: Corridor) -> list[dict[str, Any]]:
    """The recipient fields `corridor` needs, JSON-ready, in display order."""
    return [spec.requirement() for spec in _fields(corridor)]


def validate_recipient(corridor: Corridor, data: Mapping[str, Any]) -> dict[str, str]:
    """Normalised recipient (E.164 phone, compact upper-case IBAN, ...) or RecipientInvalid.

    Every field is checked, so the sender learns all problems at once; unknown keys are dropped.
    """
    errors: list[dict[str, str]] = []
    values: dict[str, str] = {}
    for spec in _fields(corridor):
        raw = data.get(spec.key)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if spec.required:
                errors.append({"field": f"recipient.{spec.key}", "message": "is required"})
            continue
        if not isinstance(raw, str):
            errors.append({"field": f"recipient.{spec.key}", "message": "must be a string"})
            continue
        try:
            values[spec.key] = spec.validate(raw)
        except ValueError as exc:
            errors.append({"field": f"recipient.{spec.key}", "message": str(exc)})
    if not errors:
        for check in SCHEMES[corridor.account_scheme].checks:
            problem = check(values)
            if problem is not None:
                errors.append({"field": f"recipient.{problem[0]}", "message": problem[1]})
    if errors:
        raise RecipientInvalid(errors)
    return values

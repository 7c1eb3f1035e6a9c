"""Recipient validation per corridor with real check digits, requirements and masking."""

import json

import phonenumbers
import pytest
import schwifty

from corridors.accounts import clabe_check_digit, nuban_check_digit
from corridors.config import load_corridors
from corridors.recipients import (
    RecipientInvalid,
    mask_account,
    mask_name,
    mask_phone,
    mask_recipient,
    requirements,
    validate_recipient,
)

CORRIDORS = load_corridors()
NAME = "Maria Dela Cruz"


def ph_mobile() -> str:
    example = phonenumbers.example_number_for_type("PH", phonenumbers.PhoneNumberType.MOBILE)
    return phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)


def errors_of(corridor_id: str, data: dict) -> dict[str, str]:
    with pytest.raises(RecipientInvalid) as info:
        validate_recipient(CORRIDORS[corridor_id], data)
    return {e["field"]: e["message"] for e in info.value.errors}


# (corridor, input, expected normalised output) -- values from published examples or libraries
VALID = [
    ("US-PH-WALLET", {"phone": "0917 123 4567"}, {"phone": "+639171234567"}),
    (
        "US-PH-WALLET",
        {"phone": ph_mobile(), "wallet_provider": "gcash"},
        {"phone": ph_mobile(), "wallet_provider": "GCASH"},
    ),
    # Banxico's published example CLABE
    ("US-MX-BANK", {"clabe": "032 180 000118359719"}, {"clabe": "032180000118359719"}),
    (
        "US-IN-BANK",
        {"ifsc": "sbin0000300", "account_number": "000123456789"},
        {"ifsc": "SBIN0000300", "account_number": "000123456789"},
    ),
    ("US-IN-UPI", {"vpa": "Maria.S@OKAXIS"}, {"vpa": "maria.s@okaxis"}),
    # CBN's worked example: bank 011, serial 000001457, check digit 9
    (
        "EU-NG-BANK",
        {"bank_code": "011", "account_number": "0000014579"},
        {"bank_code": "011", "account_number": "0000014579"},
    ),
    ("GB-EU-SEPA", {"iban": "de89 3704 0044 0532 0130 00"}, {"iban": "DE89370400440532013000"}),
    (
        "GB-EU-SEPA",
        {"iban": "FR1420041010050500013M02606", "bic": "psstfrpp"},
        {"iban": "FR1420041010050500013M02606", "bic": "PSSTFRPP"},
    ),
    ("AE-PK-BANK", {"iban": "PK36 SCBL 0000 0011 2345 6702"}, {"iban": "PK36SCBL0000001123456702"}),
]


@pytest.mark.parametrize(("cid", "data", "expected"), VALID)
def test_valid_recipients_are_normalised(cid, data, expected):
    result = validate_recipient(CORRIDORS[cid], {"name": f"  {NAME} ", **data, "extra": "x"})
    assert result == {"name": NAME, **expected}


INVALID = [
    ("US-PH-WALLET", {"phone": "+1 202 555 0143"}, "recipient.phone"),  # not PH
    ("US-PH-WALLET", {"phone": "+63 2 8123 4567"}, "recipient.phone"),  # Manila landline
    ("US-PH-WALLET", {"phone": "hello"}, "recipient.phone"),
    (
        "US-PH-WALLET",
        {"phone": "+639171234567", "wallet_provider": "PAYPAL"},
        "recipient.wallet_provider",
    ),
    ("US-MX-BANK", {"clabe": "032180000118359718"}, "recipient.clabe"),  # check digit
    ("US-MX-BANK", {"clabe": "03218000011835971"}, "recipient.clabe"),  # 17 digits
    ("US-IN-BANK", {"ifsc": "SBIN1000300", "account_number": "000123456789"}, "recipient.ifsc"),
    ("US-IN-BANK", {"ifsc": "SBIN0000300", "account_number": "12345"}, "recipient.account_number"),
    ("US-IN-UPI", {"vpa": "maria.s"}, "recipient.vpa"),
    (
        "EU-NG-BANK",
        {"bank_code": "011", "account_number": "0000014578"},
        "recipient.account_number",
    ),
    (
        "EU-NG-BANK",
        {"bank_code": "058", "account_number": "0000014579"},
        "recipient.account_number",
    ),  # right digits, wrong bank
    ("EU-NG-BANK", {"bank_code": "11", "account_number": "0000014579"}, "recipient.bank_code"),
    ("GB-EU-SEPA", {"iban": "DE89370400440532013001"}, "recipient.iban"),  # checksum
    ("GB-EU-SEPA", {"iban": "PK36SCBL0000001123456702"}, "recipient.iban"),  # not SEPA
    ("GB-EU-SEPA", {"iban": "DE89370400440532013000", "bic": "PSSTFRPP"}, "recipient.bic"),
    ("GB-EU-SEPA", {"iban": "DE89370400440532013000", "bic": "DEUT"}, "recipient.bic"),
    ("AE-PK-BANK", {"iban": "DE89370400440532013000"}, "recipient.iban"),  # not PK
    ("AE-PK-BANK", {"iban": "PK36SCBL0000001123456703"}, "recipient.iban"),
]


@pytest.mark.parametrize(("cid", "data", "field"), INVALID)
def test_invalid_recipients_name_the_field(cid, data, field):
    errors = errors_of(cid, {"name": NAME, **data})
    assert list(errors) == [field]


def test_library_built_values_round_trip():
    first17 = "01218000" + "123456789"
    clabe = first17 + str(clabe_check_digit(first17))
    assert validate_recipient(CORRIDORS["US-MX-BANK"], {"name": NAME, "clabe": clabe})
    nuban = "123456789" + str(nuban_check_digit("058", "123456789"))
    data = {"name": NAME, "bank_code": "058", "account_number": nuban}
    assert validate_recipient(CORRIDORS["EU-NG-BANK"], data)["account_number"] == nuban
    iban = str(schwifty.IBAN.generate("DE", bank_code="37040044", account_code="532013000"))
    assert validate_recipient(CORRIDORS["GB-EU-SEPA"], {"name": NAME, "iban": iban})


def test_all_problems_reported_at_once():
    errors = errors_of("US-IN-BANK", {"name": "", "ifsc": 12345})
    assert errors == {
        "recipient.name": "is required",
        "recipient.ifsc": "must be a string",
        "recipient.account_number": "is required",
    }


@pytest.mark.parametrize("name", ["M", "R2-D2", "x" * 141, "Robert'); DROP"])
def test_bad_names(name):
    assert "recipient.name" in errors_of("US-PH-WALLET", {"name": name, "phone": ph_mobile()})


def test_unicode_names_are_fine():
    data = {"name": "José Ñúñez-O'Brien", "phone": ph_mobile()}
    assert validate_recipient(CORRIDORS["US-PH-WALLET"], data)["name"] == data["name"]


@pytest.mark.parametrize("cid", sorted(CORRIDORS))
def test_requirements_are_json_ready_and_examples_validate(cid):
    corridor = CORRIDORS[cid]
    reqs = requirements(corridor)
    json.dumps(reqs)
    assert reqs[0]["key"] == "name" and reqs[0]["required"] is True
    assert all(r["field"] == f"recipient.{r['key']}" for r in reqs)
    assert len(reqs) >= 2
    example = {r["key"]: r["example"] for r in reqs}
    assert validate_recipient(corridor, example)


def test_masking_hides_personal_data():
    assert mask_phone("+639171234567") == "+63*******567"
    assert mask_account("0532013000") == "******3000"
    assert mask_account("maria.s@okaxis") == "m******@okaxis"
    assert mask_name("Maria Dela Cruz") == "M**** D*** C***"
    masked = mask_recipient(
        {"name": NAME, "phone": "+639171234567", "iban": "DE89370400440532013000", "ifsc": "X"}
    )
    assert "Maria" not in str(masked) and "0532013" not in str(masked)
    assert masked["ifsc"] == "X"
    assert mask_phone(None) == "" and mask_account("12") == "**"

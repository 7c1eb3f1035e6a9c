"""KYC tiers from TOML: defaults, override by path, corridor overrides, validation."""

from __future__ import annotations

from decimal import Decimal

import pytest

from compliance.kyc import (
    ConfigError,
    check_limits,
    highest_tier_reached,
    load_field_descriptions,
    load_tiers,
    missing_fields,
    next_tier,
)
from tests.conftest import written

D = Decimal

OVERRIDE = """
[tiers.basic]
level = 1
per_transfer_usd = "100"
per_day_usd = 200
per_30d_usd = "400.50"
fields = ["mobile_number"]

[tiers.basic.corridors.US-PH]
per_transfer_usd = "50"

[tiers.full]
level = 2
per_transfer_usd = "1000"
per_day_usd = "2000"
per_30d_usd = "4000"
fields = ["id_number"]
"""


def test_default_tiers_and_figures():
    tiers = load_tiers()
    assert list(tiers) == ["phone_verified", "id_verified", "enhanced"]
    assert [t.level for t in tiers.values()] == [1, 2, 3]
    phone, ident, enhanced = tiers.values()
    assert (phone.per_transfer_usd, phone.per_day_usd, phone.per_30d_usd) == (
        D(500),
        D(1000),
        D(3000),
    )
    assert (ident.per_transfer_usd, ident.per_day_usd, ident.per_30d_usd) == (
        D(3000),
        D(5000),
        D(15000),
    )
    assert enhanced.per_30d_usd == D(75000)
    assert all(isinstance(t.per_day_usd, Decimal) for t in tiers.values())


def test_required_fields_are_cumulative():
    tiers = load_tiers()
    phone, ident, enhanced = tiers.values()
    assert set(phone.required_fields) < set(ident.required_fields)
    assert set(ident.required_fields) < set(enhanced.required_fields)
    assert "mobile_number" in phone.required_fields
    assert "id_number" in ident.required_fields and "id_number" not in phone.required_fields
    assert "source_of_funds" in enhanced.required_fields


def test_override_by_path(tmp_path):
    tiers = load_tiers(written(tmp_path / "tiers.toml", OVERRIDE))
    assert list(tiers) == ["basic", "full"]
    assert tiers["basic"].per_30d_usd == D("400.50")
    assert tiers["full"].required_fields == ("mobile_number", "id_number")


def test_corridor_override(tmp_path):
    basic = load_tiers(written(tmp_path / "tiers.toml", OVERRIDE))["basic"]
    ph = basic.for_corridor("US-PH")
    assert ph.per_transfer_usd == D(50) and ph.per_day_usd == D(200)
    assert basic.for_corridor("US-MX") is basic
    assert basic.for_corridor(None) is basic
    assert check_limits(ph, D(60), D(0), D(0))[0].limit == "per_transfer"
    assert check_limits(basic, D(60), D(0), D(0)) == []


@pytest.mark.parametrize(
    "text",
    [
        "",
        '[tiers.a]\nlevel = 1\nper_transfer_usd = 1.5\nper_day_usd = "2"\nper_30d_usd = "3"\n',
        '[tiers.a]\nlevel = 1\nper_transfer_usd = "5"\nper_day_usd = "2"\nper_30d_usd = "3"\n',
        '[tiers.a]\nper_transfer_usd = "1"\nper_day_usd = "2"\nper_30d_usd = "3"\n',
        '[tiers.a]\nlevel = 1\nper_transfer_usd = "x"\nper_day_usd = "2"\nper_30d_usd = "3"\n',
        '[tiers.a]\nlevel = 1\nper_transfer_usd = "1"\nper_day_usd = "2"\nper_30d_usd = "3"\n'
        '[tiers.b]\nlevel = 1\nper_transfer_usd = "1"\nper_day_usd = "2"\nper_30d_usd = "3"\n',
    ],
    ids=["empty", "float", "unordered", "no-level", "not-a-number", "same-level"],
)
def test_bad_config_refused(tmp_path, text):
    with pytest.raises(ConfigError):
        load_tiers(written(tmp_path / "tiers.toml", text))


def test_next_tier_and_missing_fields():
    tiers = load_tiers()
    assert next_tier(tiers, None).name == "phone_verified"
    assert next_tier(tiers, "phone_verified").name == "id_verified"
    assert next_tier(tiers, "enhanced") is None
    ident = tiers["id_verified"]
    have = set(tiers["phone_verified"].required_fields) | {"birth_date"}
    missing = missing_fields(ident, have)
    assert "birth_date" not in missing and "id_number" in missing
    assert missing_fields(ident, ident.required_fields) == ()


def test_highest_tier_reached():
    tiers = load_tiers()
    assert highest_tier_reached(tiers, []) is None
    assert highest_tier_reached(tiers, tiers["id_verified"].required_fields).name == "id_verified"


def test_field_descriptions_cover_every_required_field():
    descriptions = load_field_descriptions()
    for tier in load_tiers().values():
        assert set(tier.required_fields) <= set(descriptions)


def test_tier_to_dict():
    assert load_tiers()["id_verified"].to_dict()["per_30d_usd"] == "15000"
    assert "id_number" in load_tiers()["id_verified"].to_dict()["required_fields"]

"""Corridor configuration: the shipped file loads, bad files are refused, lookups work."""

import json
from decimal import Decimal
from pathlib import Path

import pytest

from corridors.config import (
    ACCOUNT_SCHEMES,
    CorridorConfigError,
    CorridorNotFound,
    find_corridor,
    load_corridors,
)
from corridors.recipients import SCHEMES

GOOD = """
[corridors.X-Y]
send_country = "US"
send_currency = "USD"
receive_country = "PH"
receive_currency = "PHP"
payout_method = "mobile_wallet"
account_scheme = "ph_mobile_wallet"
partner_id = "p"
min_send = "1"
max_send = "10"
fee_fixed = "1.00"
fee_percent = "0.5"
fee_minimum = "1.00"
spread_bps = 50
"""


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "c.toml"
    path.write_text(text)
    return str(path)


def test_shipped_corridors_load_with_decimals_and_defaults():
    corridors = load_corridors()
    assert len(corridors) >= 6
    ph = corridors["US-PH-WALLET"]
    assert ph.partner_id == "sim-ph-wallet"
    assert ph.fee_fixed == Decimal("2.99") and ph.fee_percent == Decimal("0.5")
    assert ph.spread_bps == 100 and ph.quote_ttl_s == 60
    assert ph.settlement_asset == "USDC"
    assert corridors["EU-NG-BANK"].settlement_asset == "EURC"
    assert corridors["GB-EU-SEPA"].fee_maximum is None
    assert corridors["US-IN-UPI"].quote_ttl_s == 45
    assert all(isinstance(c.min_send, Decimal) for c in corridors.values())
    assert {c.account_scheme for c in corridors.values()} == ACCOUNT_SCHEMES


def test_every_account_scheme_has_validators():
    assert set(SCHEMES) == ACCOUNT_SCHEMES


def test_custom_file_loads(tmp_path):
    corridors = load_corridors(write(tmp_path, GOOD))
    assert corridors["X-Y"].bank_funding_ttl_s == 172800
    assert corridors["X-Y"].fee_maximum is None


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('min_send = "1"', "min_send = 1.5", "string"),
        ('min_send = "1"', 'min_send = "20"', "min_send"),
        ('receive_currency = "PHP"', 'receive_currency = "XYZ"', "currency"),
        ('send_country = "US"', 'send_country = "ZZ"', "country"),
        ('payout_method = "mobile_wallet"', 'payout_method = "pigeon"', "payout_method"),
        ("spread_bps = 50", 'spread_bps = "50"', "integer"),
        ('partner_id = "p"', 'partner_id = "p"\ncolour = "red"', "unknown keys"),
        ('partner_id = "p"\n', "", "missing"),
        ("[corridors.X-Y]", "[corridors.X-Y", "cannot read"),
    ],
)
def test_bad_files_are_refused(tmp_path, old, new, message):
    with pytest.raises(CorridorConfigError, match=message):
        load_corridors(write(tmp_path, GOOD.replace(old, new)))


def test_missing_file_is_a_config_error(tmp_path):
    with pytest.raises(CorridorConfigError):
        load_corridors(str(tmp_path / "nope.toml"))


def test_find_corridor():
    corridors = load_corridors()
    assert find_corridor(corridors, "USD", "PHP").id == "US-PH-WALLET"
    assert find_corridor(corridors, "usd", "inr", "IN", "upi").id == "US-IN-UPI"
    assert find_corridor(corridors, "USD", "INR", payout_method="bank_account").id == "US-IN-BANK"
    assert find_corridor(corridors, "GBP", "EUR", receive_country="DE").id == "GB-EU-SEPA"
    with pytest.raises(CorridorNotFound):
        find_corridor(corridors, "USD", "PHP", receive_country="MX")
    with pytest.raises(CorridorNotFound):
        find_corridor(corridors, "USD", "PHP", payout_method="upi")


def test_corridor_json_view():
    view = load_corridors()["US-PH-WALLET"].to_json()
    assert json.loads(json.dumps(view)) == view
    assert view["fee_fixed"] == "2.99" and view["spread_bps"] == 100
    assert load_corridors()["GB-EU-SEPA"].to_json()["fee_maximum"] is None

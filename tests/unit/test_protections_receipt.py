"""Receipt golden files, one per language, for the printable page and the bot's message: built
from fixed facts, so a changed word or a lost item shows as a diff. Regenerate with
REMIT_UPDATE_GOLDEN=1 after a deliberate change, and read the diff."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import jinja2
import pytest

from compliance.protections import disclose, load_provider, load_regimes
from compliance.protections.receipt import make_receipt
from fx.money import Money
from gateway.api.receipt_page import context, receipt_loader
from gateway.bots.receipt_text import receipt_text

GOLDEN = Path(__file__).parent / "golden"


def fixed_receipt(send: str = "100.00", fee: str = "3.49") -> dict:
    regime = load_regimes().for_country("US")
    disclosure = disclose(
        regime,
        load_provider(),
        send_amount=Money.parse(send, "USD"),
        fee=Money.parse(fee, "USD"),
        receive_amount=Money.parse("5423.50", "PHP"),
        rate=Decimal("56.1992"),
    )
    return make_receipt(
        "rm_0123456789abcdef",
        disclosure,
        paid_at=datetime(2026, 12, 2, 21, 0, tzinfo=UTC),
        available_days=1,
        recipient={"name": "Maria Dela Cruz", "phone": "+639171234567", "account": "secret"},
    ).to_dict()


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("REMIT_UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"golden file {name} missing (REMIT_UPDATE_GOLDEN=1 writes it)"
    assert text == path.read_text(encoding="utf-8")


def html(receipt: dict, lang: str) -> str:
    env = jinja2.Environment(loader=receipt_loader(), autoescape=True)
    return env.get_template("receipt.html").render(context(receipt, lang))


@pytest.mark.parametrize("lang", ["en", "zh-Hans"])
def test_receipt_page_golden(lang: str) -> None:
    check_golden(f"receipt.{lang}.html", html(fixed_receipt(), lang))


@pytest.mark.parametrize("lang", ["en", "zh-Hans"])
def test_receipt_message_golden(lang: str) -> None:
    check_golden(f"receipt.{lang}.txt", receipt_text(lang, fixed_receipt()))


def test_receipt_facts() -> None:
    r = fixed_receipt()
    assert r["funds_available_on"] == "2026-12-03"
    assert r["rights"]["cancellation"]["cancel_by"] == "2026-12-02T21:30:00+00:00"
    assert r["rights"]["error_resolution"]["report_by"] == "2027-06-01"  # 180 days after
    assert r["recipient"] == {"name": "Maria Dela Cruz", "phone": "+639171234567"}  # no account
    assert r["regulators"][0]["name"] == "Consumer Financial Protection Bureau"
    assert "30 minutes" in r["rights"]["cancellation"]["text"]["en"]
    assert "180" in r["rights"]["error_resolution"]["text"]["zh-Hans"]


def test_small_transfer_receipt_says_not_covered() -> None:
    r = fixed_receipt(send="12.00", fee="2.99")
    assert "Not covered by US Regulation E" in html(r, "en")
    assert "不受 US Regulation E" in receipt_text("zh-Hans", r)

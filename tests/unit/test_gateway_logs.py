"""Personal data never reaches the log output."""

import json

import structlog

from gateway.logs import configure_logging


def test_pii_is_masked(capsys) -> None:
    configure_logging("info", json_logs=True)
    try:
        _log_pii()
    finally:
        structlog.reset_defaults()
    line = capsys.readouterr().err.strip().splitlines()[-1]
    _check(line)


def _log_pii() -> None:
    structlog.get_logger("test").info(
        "payout",
        name="Maria Dela Cruz",
        recipient={"phone": "+639171234567", "account_number": "1234567890", "currency": "PHP"},
        note="call +63 917 123 4567 about 123456789012",
        amount="100.00",
    )


def _check(line: str) -> None:
    event = json.loads(line)
    assert "Maria Dela Cruz" not in line
    assert "9171234567" not in line and "917 123 4567" not in line
    assert "1234567890" not in line and "123456789012" not in line
    assert event["amount"] == "100.00"
    assert event["recipient"]["currency"] == "PHP"
    assert event["name"].startswith("M") and event["name"].endswith("z")

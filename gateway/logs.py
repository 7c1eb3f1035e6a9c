"""Structured JSON logs with personal data masked before anything is written."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Mapping
from typing import Any

import structlog

# Keys whose values are personal data wherever they appear in a log event.
PII_KEYS = frozenset(
    {
        "name",
        "full_name",
        "sender_name",
        "recipient_name",
        "phone",
        "phone_number",
        "msisdn",
        "account_number",
        "iban",
        "clabe",
        "vpa",
        "birth_date",
        "dob",
        "address",
        "email",
    }
)
# Phone and account numbers that slip into free text: long digit runs or "+" numbers.
_DIGITS = re.compile(r"\+\d[\d \-]{7,}\d|\d{9,}")


def mask(value: object) -> str:
    """Keep just enough to correlate (first and last character) and nothing to identify."""
    text = str(value)
    if len(text) <= 2:
        return "*" * len(text)
    return f"{text[0]}{'*' * (len(text) - 2)}{text[-1]}"


def _mask_digits(text: str) -> str:
    return _DIGITS.sub(lambda m: mask(m.group(0)), text)


def _scrub(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: (mask(v) if k in PII_KEYS and v else _scrub(v)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub(v) for v in value]
    if isinstance(value, str):
        return _mask_digits(value)
    return value


def mask_pii(_logger: Any, _method: str, event: dict[str, Any]) -> dict[str, Any]:
    """structlog processor: mask PII keys at any depth and long digit runs in strings."""
    return _scrub(event)


def configure_logging(level: str = "info", json_logs: bool = True) -> None:
    renderer: Any = (
        structlog.processors.JSONRenderer() if json_logs else structlog.dev.ConsoleRenderer()
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.format_exc_info,
            mask_pii,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(
            logging.getLevelNamesMapping().get(level.upper(), logging.INFO)
        ),
        # sys.stderr is looked up per logger, not captured once: it may be replaced later.
        logger_factory=lambda *_args: structlog.PrintLogger(sys.stderr),
        cache_logger_on_first_use=False,
    )


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    return structlog.get_logger(name)

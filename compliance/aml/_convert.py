"""Converters from TOML values to rule parameters; each names the key it failed on."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import timedelta
from decimal import Decimal

import pycountry

from compliance.kyc._decimal import ConfigError, config_decimal

_WINDOW = re.compile(r"^\s*(\d+)\s*([mhd])\s*$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}


def to_decimal(value: object, where: str) -> Decimal:
    return config_decimal(value, where)


def to_int(value: object, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ConfigError(f"{where}: a non-negative integer is required, got {value!r}")
    return value


def to_risk(value: object, where: str) -> int:
    risk = to_int(value, where)
    if risk > 100:
        raise ConfigError(f"{where}: risk is 0..100, got {risk}")
    return risk


def to_bool(value: object, where: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{where}: true or false is required, got {value!r}")
    return value


def to_str(value: object, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{where}: a non-empty string is required, got {value!r}")
    return value


def to_window(value: object, where: str) -> timedelta:
    """A window written "90m", "24h" or "7d"."""
    match = _WINDOW.match(value) if isinstance(value, str) else None
    if not match or int(match.group(1)) == 0:
        raise ConfigError(f"{where}: a window like '24h' or '7d' is required, got {value!r}")
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


def to_strs(value: object, where: str) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise ConfigError(f"{where}: a list of strings is required, got {value!r}")
    return tuple(to_str(v, f"{where}[{i}]") for i, v in enumerate(value))


def to_decimals(value: object, where: str) -> tuple[Decimal, ...]:
    if not isinstance(value, list) or not value:
        raise ConfigError(f"{where}: a non-empty list of amounts is required, got {value!r}")
    return tuple(to_decimal(v, f"{where}[{i}]") for i, v in enumerate(value))


def to_countries(value: object, where: str) -> frozenset[str]:
    """ISO 3166-1 alpha-2 codes, checked against pycountry so a typo cannot disable a list."""
    codes = to_strs(value, where)
    for code in codes:
        if pycountry.countries.get(alpha_2=code.upper()) is None:
            raise ConfigError(f"{where}: unknown ISO 3166-1 alpha-2 country {code!r}")
    return frozenset(c.upper() for c in codes)


def to_currency_amounts(value: object, where: str) -> tuple[tuple[str, Decimal], ...]:
    """{USD = "1000", EUR = "1000"}: a threshold per currency."""
    if not isinstance(value, Mapping) or not value:
        raise ConfigError(f"{where}: a table of currency = amount is required, got {value!r}")
    return tuple((str(k).upper(), to_decimal(v, f"{where}.{k}")) for k, v in value.items())

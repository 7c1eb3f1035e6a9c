"""Reading money figures from configuration: decimal strings or integers, never floats."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation


class ConfigError(ValueError):
    """The configuration file is malformed; the message names the offending key."""


def config_decimal(value: object, where: str) -> Decimal:
    """A finite, non-negative Decimal from a TOML value; floats are refused (they are inexact)."""
    if isinstance(value, bool) or not isinstance(value, (str, int, Decimal)):
        raise ConfigError(f"{where}: expected a decimal string or integer, got {value!r}")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ConfigError(f"{where}: not a number: {value!r}") from None
    if not number.is_finite() or number < 0:
        raise ConfigError(f"{where}: must be a finite non-negative number, got {value!r}")
    return number

"""Reading money figures from configuration: decimal strings or integers, never floats."""

from __future__ import annotations

from decimal import Decimal

from fx.money import AmountError, non_negative


class ConfigError(ValueError):
    """The configuration file is malformed; the message names the offending key."""


def config_decimal(value: object, where: str) -> Decimal:
    """A finite, non-negative Decimal from a TOML value, parsed by the money kernel (floats
    are refused: they are inexact)."""
    try:
        return non_negative(value)
    except AmountError as exc:
        raise ConfigError(f"{where}: {exc}, got {value!r}") from None

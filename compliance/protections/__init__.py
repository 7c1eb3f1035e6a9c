"""Sender protections and the travel rule as data per sending regime (compliance/data/regimes)."""

from compliance.protections.disclosure import Disclosure, disclose
from compliance.protections.regimes import (
    Provider,
    Regime,
    RegimeConfigError,
    Regimes,
    load_provider,
    load_regimes,
)

__all__ = [
    "Disclosure",
    "Provider",
    "Regime",
    "RegimeConfigError",
    "Regimes",
    "disclose",
    "load_provider",
    "load_regimes",
]

"""The bots' message catalogues: every language has the same keys."""

from __future__ import annotations

from gateway.bots.i18n import EN, ZH, keys


def test_catalogues_have_the_same_keys() -> None:
    assert keys(EN) == keys(ZH)

"""A corridor whose settlement coin the ledger cannot settle stops the gateway when it starts (the
refusal itself, and `remit serve` saying why: tests/unit/test_corridors_settleable.py)."""

from __future__ import annotations

import pytest

from corridors.config import CorridorConfigError
from gateway.bootstrap import open_services
from gateway.config import Settings
from tests.unit.test_corridors_settleable import with_basket_corridor


async def test_the_gateway_refuses_to_start_on_such_a_file(tmp_path, migrated_database_url):
    settings = Settings(
        database_url=migrated_database_url, corridors_file=with_basket_corridor(tmp_path)
    )
    with pytest.raises(CorridorConfigError, match="USDT cannot be settled"):
        async with open_services(settings, migrate=False):
            pass

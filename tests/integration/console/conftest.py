"""Compliance fixtures: officers (analyst, analyst2, supervisor, admin) with API tokens."""

from __future__ import annotations

import pytest

from tests.console_support import PASSWORD, Officer


@pytest.fixture
async def officers(gateway) -> dict[str, Officer]:
    """analyst, analyst2, supervisor, admin; each with an API token."""
    from gateway.usecases.officers import add_officer, create_api_token

    engine, key = gateway.svc.engine, gateway.svc.settings.audit_hmac_key
    found = {}
    for username, role in (
        ("analyst", "analyst"),
        ("analyst2", "analyst"),
        ("supervisor", "supervisor"),
        ("admin", "admin"),
    ):
        officer_id = await add_officer(engine, username, role, PASSWORD, key)
        found[username] = Officer(
            officer_id, username, role, await create_api_token(engine, username, key)
        )
    return found

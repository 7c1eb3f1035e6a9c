"""Helpers for the compliance tests: officers and held cases made by a real sanctions hit."""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlalchemy as sa

from gateway.storage.tables import compliance_cases

PASSWORD = "correct horse battery"
SANCTIONED = "Vladimir Vladimirovich Putin"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


async def sign_in(client, username: str, password: str = PASSWORD):
    """Sign in through the console's login form (its CSRF cookie and token included)."""
    page = await client.get("/console/login")
    token = CSRF.search(await page.text()).group(1)
    return await client.post(
        "/console/login",
        data={"username": username, "password": password, "csrf_token": token},
        allow_redirects=False,
    )


@dataclass
class Officer:
    id: str
    username: str
    role: str
    token: str

    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


async def hold(gateway, external_id: str = "bad", name: str = SANCTIONED) -> tuple[str, str]:
    """A remittance held by a sanctions hit on its sender: (remittance id, case id)."""
    sender = await gateway.customer(external_id=external_id, name=name)
    await gateway.top_up(sender["id"])
    created = await gateway.send("100.00", sender=sender)
    await gateway.drain()
    assert (await gateway.get(created["id"]))["status"] == "on_hold"
    async with gateway.svc.engine.connect() as conn:
        case_id = await conn.scalar(
            sa.select(compliance_cases.c.id).where(
                compliance_cases.c.remittance_id == created["id"],
                compliance_cases.c.status == "open",
            )
        )
    assert case_id
    return created["id"], case_id


async def count(gateway, table) -> int:
    async with gateway.svc.engine.connect() as conn:
        return await conn.scalar(sa.select(sa.func.count()).select_from(table))

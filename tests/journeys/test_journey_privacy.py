"""Journey: personal data is encrypted at rest. A sender app registers a fully identified
sender and sends a travel-rule transfer; a Telegram and a WhatsApp user register and send
through the bots; everything is paid out. Then the raw database (the SQLite file with its WAL,
or a pg_dump of the PostgreSQL database) holds none of the personal values sent, in any
spelling the gateway stores them, nor the unkeyed digest of a request body; the country and
the webhook outbox (too short to grep, or holding an officer's words) are sealed. A
ciphertext pasted into another row, or another column of the same row, does not open."""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from gateway.storage.datakeys import UnreadableData
from gateway.storage.idempotency import canonical_request
from gateway.storage.keys import create_key
from gateway.storage.tables import customers, remittances
from gateway.webhooks import dispatcher
from tests.integration.bots.conftest import world  # noqa: F401
from tests.journeys.test_journey_travel_rule import _regimes_with_us_threshold

SENDER = {
    "external_id": "app-user-7731",
    "name": "Ximena Quispe Huaman",
    "country": "US",
    "phone": "+14155550199",
    "mobile_number_verified": True,
    "birth_date": "1988-07-15",
    "id_type": "passport",
    "id_number": "P9876543",
    "address": "77 Calle Ficticia, Laredo TX 78040",
}
RECIPIENT = {"name": "Rosalinda Bautista", "phone": "+639171112233"}
TELEGRAM = {
    "name": "Teodora Villanueva",
    "recipient": "Crisanto Macaraeg",
    "phone": "+639175556677",
}
WHATSAPP = {
    "wa_id": "14155550177",
    "name": "Evangelina Soriano",
    "recipient": "Leopoldo Garces",
    "phone": "+639178889900",
}


def personal_values() -> list[str]:
    """Every personal value sent, and the spellings it could be stored in."""
    values = [
        SENDER["external_id"],
        SENDER["phone"],
        SENDER["birth_date"],
        SENDER["id_number"],
        SENDER["address"],
        RECIPIENT["phone"],
        TELEGRAM["phone"],
        WHATSAPP["phone"],
        WHATSAPP["wa_id"],
    ]
    for name in (
        SENDER["name"],
        RECIPIENT["name"],
        TELEGRAM["name"],
        TELEGRAM["recipient"],
        WHATSAPP["name"],
        WHATSAPP["recipient"],
    ):
        values += [name, *name.split()]
    values += [v.lstrip("+") for v in values if v.startswith("+")]
    values.append("Calle Ficticia")
    return values


def texts(messages) -> str:
    return "\n".join(m["text"] for m in messages)


async def _raw_database(url: str) -> bytes:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = Path(parsed.database)
        found = b""
        for suffix in ("", "-wal", "-journal"):  # the WAL holds what is not checkpointed yet
            part = path.with_name(path.name + suffix)
            if part.exists():
                found += part.read_bytes()
        return found
    libpq = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    proc = await asyncio.create_subprocess_exec(
        "pg_dump", "--data-only", libpq, stdout=asyncio.subprocess.PIPE
    )
    out, _ = await proc.communicate()
    assert proc.returncode == 0
    return out


async def _api_sender(world, tmp_path) -> str:  # noqa: F811
    """Returns the unkeyed SHA-256 of the remittance request (what the idempotency table once
    stored as its fingerprint, recomputable by anyone who guesses the names and numbers)."""
    async with world.svc.engine.begin() as conn:
        app_key, _ = await create_key(conn, "privacy-app", "sender-app", None, world.clock())
    auth = {"Authorization": f"Bearer {app_key}"}
    world.svc.regimes = _regimes_with_us_threshold(tmp_path, "300.00")
    hook = {"url": "https://app.example/hooks", "secret": "s" * 32}
    resp = await world.client.put("/v1/webhooks", json=hook, headers=auth)
    assert resp.status == 200, await resp.text()
    resp = await world.client.put("/v1/customers", json=SENDER, headers=auth)
    assert resp.status == 201, await resp.text()
    sender = await resp.json()
    assert sender["name"] == SENDER["name"] and sender["phone"] == SENDER["phone"]
    await world.top_up(sender["id"], "1000.00")
    body = {"send_currency": "USD", "receive_currency": "PHP", "send_amount": "400.00"}
    resp = await world.client.post("/v1/quotes", json=body, headers=auth)
    quote = await resp.json()
    rem = {"quote_id": quote["id"], "sender_id": sender["id"], "recipient": RECIPIENT}
    resp = await world.client.post(
        "/v1/remittances", json=rem, headers={**auth, "Idempotency-Key": str(uuid.uuid4())}
    )
    assert resp.status == 201, await resp.text()
    assert (await resp.json())["recipient"]["name"] == RECIPIENT["name"]
    unkeyed = canonical_request("POST", "/v1/remittances", rem).encode()
    # The same external id finds the same customer (blind index), and reads back in clear.
    resp = await world.client.put("/v1/customers", json=SENDER, headers=auth)
    assert resp.status == 200 and (await resp.json())["id"] == sender["id"]
    return hashlib.sha256(unkeyed).hexdigest()


async def _telegram_sender(world) -> None:  # noqa: F811
    say = lambda text: world.telegram(world.tg_message(text, chat=777001))  # noqa: E731
    await say("hello")
    await say(TELEGRAM["name"])
    await say("US")
    await world.telegram(world.tg_contact(chat=777001))  # the phone, from Telegram
    await world.top_up(await world.customer_of("telegram", "777001"))
    await say("send 100 USD to PH")
    await say(TELEGRAM["recipient"])
    [quote] = await say(TELEGRAM["phone"])
    tap = world.tg_tap(quote["buttons"][0]["callback_data"], chat=777001)
    assert "created" in texts(await world.telegram(tap))


async def _whatsapp_sender(world) -> None:  # noqa: F811
    wa_id = WHATSAPP["wa_id"]
    say = lambda text: world.whatsapp(world.wa_text(text, wa_id=wa_id))  # noqa: E731
    await say("hello")
    await say(WHATSAPP["name"])
    await world.top_up(await world.customer_of("whatsapp", wa_id))
    await say("send 100 USD to PH")
    await say(WHATSAPP["recipient"])
    [quote] = await say(WHATSAPP["phone"])
    button = world.wa_button(quote["buttons"][0]["id"], wa_id=wa_id)
    assert "created" in texts(await world.whatsapp(button))


async def test_no_personal_value_is_found_in_the_raw_database(world, tmp_path) -> None:  # noqa: F811
    unkeyed_fingerprint = await _api_sender(world, tmp_path)
    await _telegram_sender(world)
    await _whatsapp_sender(world)
    await world.drain()
    assert await world.bots.notifier.run_once() > 0
    assert await dispatcher.enqueue(world.svc) > 0  # the app's events, in the outbox
    async with world.svc.engine.connect() as conn:
        statuses = (await conn.execute(sa.select(remittances.c.status))).scalars().all()
    assert statuses == ["paid_out"] * 3
    raw = await _raw_database(world.svc.settings.database_url)
    assert len(raw) > 10_000
    found = [v for v in personal_values() if v.encode() in raw]
    assert found == []
    assert unkeyed_fingerprint.encode() not in raw
    # Values too short to grep for ("US" is in every currency pair): the columns themselves.
    async with world.svc.engine.connect() as conn:
        for table, column in (("customers", "country"), ("webhook_deliveries", "payload")):
            stored = (await conn.execute(sa.text(f"SELECT {column} FROM {table}"))).scalars()
            stored = list(stored)
            assert stored and all(v.startswith("pii1:") for v in stored), (table, stored)
    assert "Ximena".encode("utf-16-le") not in raw


async def test_a_ciphertext_moved_to_another_row_or_column_does_not_open(world) -> None:  # noqa: F811
    async with world.svc.engine.begin() as conn:
        app_key, _ = await create_key(conn, "privacy-app", "sender-app", None, world.clock())
    auth = {"Authorization": f"Bearer {app_key}"}
    ids = []
    for n, name in enumerate(("Ximena Quispe", "Teodora Villanueva")):
        body = {"external_id": f"u-{n}", "name": name, "country": "US"}
        resp = await world.client.put("/v1/customers", json=body, headers=auth)
        ids.append((await resp.json())["id"])
    first, second = ids
    raw = sa.table("customers", sa.column("id"), sa.column("name"), sa.column("external_id"))
    async with world.svc.engine.begin() as conn:
        token = await conn.scalar(sa.select(raw.c.name).where(raw.c.id == first))
        assert token.startswith("pii1:") and "Ximena" not in token
        await conn.execute(raw.update().where(raw.c.id == second).values(name=token))
        await conn.execute(raw.update().where(raw.c.id == first).values(external_id=token))
    async with world.svc.engine.connect() as conn:
        for customer_id, column in ((second, customers.c.name), (first, customers.c.external_id)):
            with pytest.raises(UnreadableData):
                await conn.scalar(sa.select(column).where(customers.c.id == customer_id))
        # Reads of the untouched columns still open.
        assert await conn.scalar(sa.select(customers.c.name).where(customers.c.id == first))

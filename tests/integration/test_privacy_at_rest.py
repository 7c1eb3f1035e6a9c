"""Personal data at rest in the database: the migrations that seal existing plain rows in place,
the keyed idempotency fingerprint, and `remit keys rotate-data` under load (the keyring and
where keys come from: tests/unit/test_privacy_sealing.py)."""

from __future__ import annotations

import asyncio
import hashlib
import json
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from gateway.commands import main
from gateway.storage.datakeys import (
    KEYS_ENV,
    Keyring,
    new_key_line,
    parse_keys,
)
from gateway.storage.engine import create_engine
from gateway.storage.idempotency import (
    IdempotencyMismatch,
    canonical_request,
    request_hash,
    same_request,
    stored_answer,
)
from gateway.storage.migrate import upgrade_async
from gateway.storage.sealed import keyring_of
from gateway.storage.tables import compliance_cases, customers, idempotency_keys, remittances
from gateway.storage.tables_bots import bot_conversations
from gateway.storage.tables_compliance import case_decisions
from gateway.storage.tables_kyc import customer_kyc, kyc_reviews
from gateway.storage.tables_partners import webhook_deliveries
from gateway.storage.tables_travel import travel_rule_records
from tests.unit.test_privacy_sealing import _ring


def _parents(revision: str) -> tuple[str, ...]:
    """The revisions `revision` is written against, as its migration names them."""
    from alembic.script import ScriptDirectory

    from gateway.storage.migrate import alembic_config

    parents = ScriptDirectory.from_config(alembic_config("")).get_revision(revision).down_revision
    return tuple(parents) if isinstance(parents, tuple | list) else (parents,)


NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


async def _plain_rows(url: str) -> None:
    for parent in _parents("privacy_0001"):
        await upgrade_async(url, parent)
    engine = create_engine(url)
    async with engine.begin() as conn:
        meta = sa.MetaData()
        await conn.run_sync(meta.reflect)
        t = meta.tables
        await conn.execute(
            t["customers"].insert(),
            {
                "id": "cus_1",
                "owner": "app",
                "external_id": "user-42",
                "name": "Ana Reyes Cruz",
                "phone": "+14155550123",
                "country": "US",
                "birth_date": date(1990, 4, 1),
                "tier": "basic",
                "status": "accepted",
                "created_at": NOW.replace(tzinfo=None),
                "updated_at": NOW.replace(tzinfo=None),
            },
        )
        await conn.execute(
            t["customer_kyc"].insert(),
            {
                "customer_id": "cus_1",
                "fields": {"id_number": "X1234567", "address": "1 Main St"},
                "updated_at": NOW.replace(tzinfo=None),
            },
        )
        quote = {c.name: None for c in t["quotes"].c}
        quote.update(
            id="quo_1",
            owner="app",
            corridor_id="US-PH",
            send_currency="USD",
            receive_currency="PHP",
            send_amount_minor=10000,
            fee_minor=349,
            receive_amount_minor=500000,
            mid_rate="56",
            rate="55",
            rate_source="test",
            rate_as_of=NOW.replace(tzinfo=None),
            created_at=NOW.replace(tzinfo=None),
            expires_at=NOW.replace(tzinfo=None),
        )
        await conn.execute(t["quotes"].insert(), quote)
        await conn.execute(
            t["remittances"].insert(),
            {
                "id": "rem_1",
                "owner": "app",
                "status": "paid_out",
                "quote_id": "quo_1",
                "sender_id": "cus_1",
                "corridor_id": "US-PH",
                "partner_id": "sim",
                "recipient": {"name": "Maria Dela Cruz", "phone": "+639171234567"},
                "recipient_key": "rcp_unkeyed",
                "funding_method": "wallet",
                "send_currency": "USD",
                "receive_currency": "PHP",
                "send_amount_minor": 10000,
                "fee_minor": 349,
                "receive_amount_minor": 500000,
                "settlement_asset": "USDC",
                "funding_attempts": 0,
                "attempts": 0,
                "created_at": NOW.replace(tzinfo=None),
                "updated_at": NOW.replace(tzinfo=None),
            },
        )
        await conn.execute(
            t["travel_rule_records"].insert(),
            {
                "remittance_id": "rem_1",
                "regime": "us",
                "rule": "31 CFR 1010.410(f)",
                "originator": {"name": "Ana Reyes Cruz"},
                "beneficiary": {"name": "Maria Dela Cruz", "account": "+639171234567"},
                "created_at": NOW.replace(tzinfo=None),
                "keep_until": NOW.replace(tzinfo=None),
            },
        )
        await conn.execute(
            t["bot_conversations"].insert(),
            {
                "platform": "whatsapp",
                "chat_id": "14155550123",
                "language": "en",
                "state": "idle",
                "data": {"recipient_name": "Maria Dela Cruz"},
                "customer_id": "cus_1",
                "updated_at": NOW.replace(tzinfo=None),
            },
        )
    await engine.dispose()


async def test_the_migration_seals_plain_rows_in_place(database_url) -> None:
    await _plain_rows(database_url)
    await upgrade_async(database_url)
    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            raw = await conn.execute(
                sa.text("SELECT name, phone, external_id, country FROM customers")
            )
            assert all(str(v).startswith("pii1:") for v in raw.one())
            raw_rem = await conn.scalar(sa.text("SELECT recipient FROM remittances"))
            assert "Maria" not in str(raw_rem)
            index = keyring_of(engine).index
            row = (
                await conn.execute(
                    sa.select(customers).where(
                        customers.c.external_id_index == index("external_id", "user-42")
                    )
                )
            ).one()
            assert (row.name, row.phone, row.external_id) == (
                "Ana Reyes Cruz",
                "+14155550123",
                "user-42",
            )
            assert row.birth_date == date(1990, 4, 1)
            assert row.phone_index == index("phone", "+14155550123")
            kyc = await conn.scalar(sa.select(customer_kyc.c.fields))
            assert kyc == {"id_number": "X1234567", "address": "1 Main St"}
            rem = (await conn.execute(sa.select(remittances))).one()
            assert rem.recipient == {"name": "Maria Dela Cruz", "phone": "+639171234567"}
            assert rem.recipient_key.startswith("rcp_") and rem.recipient_key != "rcp_unkeyed"
            travel = (await conn.execute(sa.select(travel_rule_records))).one()
            assert travel.beneficiary["account"] == "+639171234567"
            conv = (await conn.execute(sa.select(bot_conversations))).one()
            assert conv.chat == "14155550123" and conv.chat_id != "14155550123"
            assert conv.data == {"recipient_name": "Maria Dela Cruz"}
    finally:
        await engine.dispose()


def _untyped(table: sa.Table) -> sa.TableClause:
    return sa.table(table.name, *(sa.column(c.name) for c in table.c))


async def _rows_before_privacy_0002(url: str) -> str:
    """A database at chain_0002 (plain rows migrated by privacy_0001, then rows as that schema
    wrote them): privacy_0001's columns sealed; the country, officers' words, the webhook
    outbox and the idempotency fingerprint (an unkeyed SHA-256) plain. Returns the canonical
    request the fingerprint was made of."""
    await _plain_rows(url)  # customer cus_1 (country "US"), remittance rem_1
    await upgrade_async(url, "chain_0002")
    engine = create_engine(url)
    ring = keyring_of(engine)
    canonical = canonical_request("POST", "/v1/remittances", {"recipient": {"name": "Ana Cruz"}})
    async with engine.begin() as conn:
        meta = sa.MetaData()
        await conn.run_sync(meta.reflect)
        t = meta.tables
        naive = NOW.replace(tzinfo=None)
        await conn.execute(
            t["officers"].insert(),
            {
                "id": "off_1",
                "username": "o",
                "role": "officer",
                "password_hash": "x",
                "created_at": naive,
            },
        )
        await conn.execute(
            _untyped(t["compliance_cases"]).insert(),  # a sealed token, not JSON
            {
                "id": "case_1",
                "remittance_id": "rem_1",
                "status": "approved",
                "risk_score": 10,
                "evidence": compliance_cases.c.evidence.type.seal(ring, "case_1", {}),
                "created_at": naive,
                "updated_at": naive,
            },
        )
        await conn.execute(
            t["case_decisions"].insert(),
            {
                "id": "dec_1",
                "case_id": "case_1",
                "officer_id": "off_1",
                "action": "approve",
                "reason": "Ana Reyes Cruz is not the listed person",
                "message": "tell Ana Reyes Cruz it is cleared",
                "case_status": "approved",
                "created_at": naive,
            },
        )
        await conn.execute(
            t["kyc_reviews"].insert(),
            {
                "id": "kyr_1",
                "customer_id": "cus_1",
                "from_tier": "basic",
                "tier": "standard",
                "reviewer": "officer",
                "status": "rejected",
                "fields_digest": "d",
                "reason": "passport photo is not Ana Reyes Cruz",
                "created_at": naive,
            },
        )
        await conn.execute(
            t["webhook_deliveries"].insert(),
            {
                "event_id": 7,
                "owner": "app",
                "payload": {"id": 7, "data": {"reason": "needs_info: Ana Reyes Cruz's ID"}},
                "attempts": 0,
                "next_attempt_at": naive,
                "created_at": naive,
            },
        )
        await conn.execute(
            _untyped(t["idempotency_keys"]).insert(),  # a sealed token, not JSON
            {
                "api_key_id": "key_1",
                "key": "idem-1",
                "method": "POST",
                "path": "/v1/remittances",
                "request_hash": hashlib.sha256(canonical.encode()).hexdigest(),
                "status_code": 201,
                "response": idempotency_keys.c.response.type.seal(ring, "key_1:idem-1", {"a": 1}),
                "created_at": naive,
            },
        )
    await engine.dispose()
    return canonical


async def test_privacy_0002_seals_what_was_left_plain_and_keys_the_fingerprint(
    database_url,
) -> None:
    canonical = await _rows_before_privacy_0002(database_url)
    await upgrade_async(database_url)
    engine = create_engine(database_url)
    raw = {
        "customers": "country",
        "case_decisions": "reason || message",
        "kyc_reviews": "reason",
        "webhook_deliveries": "payload",
    }
    try:
        async with engine.connect() as conn:
            for table, column in raw.items():
                stored = await conn.scalar(sa.text(f"SELECT {column} FROM {table}"))
                assert stored.startswith("pii1:") and "Ana" not in stored, (table, stored)
            stored_hash = await conn.scalar(sa.text("SELECT request_hash FROM idempotency_keys"))
            assert stored_hash != hashlib.sha256(canonical.encode()).hexdigest()
            assert await conn.scalar(sa.select(customers.c.country)) == "US"
            decision = (await conn.execute(sa.select(case_decisions))).one()
            assert decision.reason == "Ana Reyes Cruz is not the listed person"
            assert decision.message == "tell Ana Reyes Cruz it is cleared"
            assert await conn.scalar(sa.select(kyc_reviews.c.reason)) == (
                "passport photo is not Ana Reyes Cruz"
            )
            payload = await conn.scalar(sa.select(webhook_deliveries.c.payload))
            assert payload["data"]["reason"] == "needs_info: Ana Reyes Cruz's ID"
        body = {"recipient": {"name": "Ana Cruz"}}
        # A replay made before the migration still matches its key; another body conflicts.
        assert same_request(engine, stored_hash, "POST", "/v1/remittances", body)
        other = {"recipient": {"name": "Ana Cruz Reyes"}}
        assert not same_request(engine, stored_hash, "POST", "/v1/remittances", other)
        assert await stored_answer(engine, "key_1", "idem-1", "POST", "/v1/remittances", body)
        with pytest.raises(IdempotencyMismatch):
            await stored_answer(engine, "key_1", "idem-1", "POST", "/v1/remittances", other)
    finally:
        await engine.dispose()


def test_the_idempotency_fingerprint_is_keyed() -> None:
    """Equal requests, equal fingerprints; another body or another key, another one; and it is
    not the unkeyed digest anyone could recompute from a guessed name and phone."""
    first, second = create_engine("sqlite+aiosqlite://"), create_engine("sqlite+aiosqlite://")
    for engine in (first, second):  # each its own index key
        engine.sync_engine.dialect.remit_keyring = _ring(new_key_line("k1"))
    body = {"recipient": {"name": "Ana Cruz", "phone": "+639171234567"}}
    fingerprint = request_hash(first, "POST", "/v1/remittances", body)
    assert fingerprint == request_hash(first, "POST", "/v1/remittances", dict(body))
    assert fingerprint != request_hash(first, "POST", "/v1/remittances", {"recipient": {}})
    assert fingerprint != request_hash(second, "POST", "/v1/remittances", body)
    canonical = canonical_request("POST", "/v1/remittances", body)
    assert fingerprint not in hashlib.sha256(canonical.encode()).hexdigest()


async def test_rotate_data_under_load_fails_no_request(gateway) -> None:
    from gateway.storage.rotation import rotate

    senders = [await gateway.customer(f"u-{n}", f"Sender Number{n}") for n in range(6)]
    for sender in senders[:3]:
        await gateway.top_up(sender["id"], "500.00")
        await gateway.send("20.00", sender=sender)
    engine = gateway.svc.engine
    old = keyring_of(engine)
    new_ring = Keyring([parse_keys(new_key_line("k2"))[0], *old.keys], old.index_master)
    engine.sync_engine.dialect.remit_keyring = new_ring  # as a restart with k2 first would

    async def load() -> list[int]:
        statuses = []
        for n in range(12):
            sender = senders[n % len(senders)]
            resp = await gateway.client.get(f"/v1/customers/{sender['id']}", headers=gateway.auth())
            statuses.append(resp.status)
            body = {
                "external_id": f"u-{n % len(senders)}",
                "name": f"Sender Number{n % len(senders)}",
                "country": "US",
                "phone": "+14155550123",
            }
            resp = await gateway.client.put("/v1/customers", json=body, headers=gateway.auth())
            statuses.append(resp.status)
        return statuses

    report, statuses = await asyncio.gather(rotate(engine, batch=2), load())
    assert set(statuses) <= {200}, statuses
    assert report.key_id == "k2" and report.rewritten["customers"] >= 1
    async with engine.connect() as conn:
        for table, column in (("customers", "name"), ("remittances", "recipient")):
            tokens = (await conn.execute(sa.text(f"SELECT {column} FROM {table}"))).scalars()
            assert all(t.startswith("pii1:k2:") for t in tokens)
    # The old key can go now: everything opens under k2 alone (index key kept).
    engine.sync_engine.dialect.remit_keyring = Keyring([new_ring.keys[0]], old.index_master)
    for sender in senders:
        resp = await gateway.client.get(f"/v1/customers/{sender['id']}", headers=gateway.auth())
        assert (await resp.json())["name"] == sender["name"]
    again = await gateway.customer("u-0", "Sender Number0")
    assert again["id"] == senders[0]["id"]  # still found by its blind index


def test_rotate_data_cli(tmp_path, monkeypatch, capsys) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("REMIT_DATABASE_URL", url)
    first = new_key_line("k1")
    monkeypatch.setenv(KEYS_ENV, first)
    assert main(["keys", "create", "--name", "app"]) == 0
    capsys.readouterr()
    assert main(["keys", "new-data-key", "--id", "k2"]) == 0
    second = capsys.readouterr().out.strip()
    assert second.startswith("k2:")
    monkeypatch.setenv(KEYS_ENV, f"{second},{first}")
    assert main(["keys", "rotate-data", "--batch", "10"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["key_id"] == "k2" and "customers" in out["rewritten"]

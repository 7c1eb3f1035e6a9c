"""privacy: personal data sealed in place (AES-GCM bound to row and column), blind indexes

Revision ID: privacy_0001
Revises: aml_0001, bots_0001, chain_0001, compliance_0002, errors_0002, funding_0001,
    holes_0001, partners_0001, rates_0001, requote_0001, settlement_0001, travel_0001
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import gateway.storage.schema  # noqa: F401  (every table on the metadata)
from gateway.domain.recipient_keys import recipient_key
from gateway.storage.datakeys import keyring_for
from gateway.storage.sealed import Sealed, is_sealed, keyring_of, sealed_columns
from gateway.storage.tables import UtcDateTime, metadata

revision: str = "privacy_0001"
down_revision: str | tuple[str, ...] | None = (
    "aml_0001",
    "bots_0001",
    "chain_0001",
    "compliance_0002",
    "errors_0002",
    "funding_0001",
    "holes_0001",
    "partners_0001",
    "rates_0001",
    "requote_0001",
    "settlement_0001",
    "travel_0001",
)
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = (
    "customers",
    "customer_kyc",
    "identity_changes",
    "remittances",
    "idempotency_keys",
    "compliance_cases",
    "case_information",
    "error_cases",
    "bot_conversations",
    "bot_actions",
    "bot_recipients",
    "travel_rule_records",
)
BATCH = 500


def _keyring(bind: sa.Connection):
    if getattr(bind.dialect, "remit_keyring_url", None):
        return keyring_of(bind)
    return keyring_for(bind.engine.url.render_as_string(hide_password=False))


def _seal_table(bind: sa.Connection, ring, name: str) -> None:
    """Every plain value of the table's sealed columns, sealed to its row, in batches."""
    table = metadata.tables[name]
    columns = sealed_columns(table)
    row_key = columns[0].type.row
    plain = sa.table(name, *(sa.column(c) for c in row_key), *(sa.column(c.name) for c in columns))
    text_of = {c.name: sa.cast(plain.c[c.name], sa.Text).label(c.name) for c in columns}
    rows = bind.execute(sa.select(*(plain.c[c] for c in row_key), *text_of.values())).all()
    where = sa.and_(*(plain.c[c] == sa.bindparam(f"k_{c}") for c in row_key))
    for start in range(0, len(rows), BATCH):
        updates: dict[tuple[str, ...], list[dict]] = {}
        for row in rows[start : start + BATCH]:
            row_id = ":".join(str(getattr(row, c)) for c in row_key)
            values = {}
            for column in columns:
                value = getattr(row, column.name)
                if value is None or is_sealed(value):
                    continue
                kind: Sealed = column.type
                values[f"v_{column.name}"] = ring.seal(kind.aad(row_id), value.encode())
            if values:
                keys = {f"k_{c}": getattr(row, c) for c in row_key}
                updates.setdefault(tuple(sorted(values)), []).append({**keys, **values})
        for names, params in updates.items():
            set_ = {n[2:]: sa.bindparam(n) for n in names}
            bind.execute(plain.update().where(where).values(set_), params)


def _index_customers(bind: sa.Connection, ring) -> None:
    customers = sa.table(
        "customers",
        sa.column("id"),
        sa.column("external_id"),
        sa.column("phone"),
        sa.column("external_id_index"),
        sa.column("phone_index"),
    )
    rows = bind.execute(sa.select(customers.c.id, customers.c.external_id, customers.c.phone))
    params = [
        {
            "k_id": r.id,
            "v_external": ring.index("external_id", r.external_id.strip()),
            "v_phone": ring.index("phone", r.phone) if r.phone else None,
        }
        for r in rows
    ]
    if params:
        bind.execute(
            customers.update()
            .where(customers.c.id == sa.bindparam("k_id"))
            .values(
                external_id_index=sa.bindparam("v_external"), phone_index=sa.bindparam("v_phone")
            ),
            params,
        )


def _index_recipients(bind: sa.Connection, ring) -> None:
    """recipient_key was an unkeyed digest: recomputed as the keyed blind index."""
    rem = sa.table(
        "remittances",
        sa.column("id"),
        sa.column("corridor_id"),
        sa.column("recipient"),
        sa.column("recipient_key"),
    )
    text = sa.cast(rem.c.recipient, sa.Text).label("recipient")
    rows = bind.execute(sa.select(rem.c.id, rem.c.corridor_id, text)).all()
    params = [
        {"k_id": r.id, "v_key": recipient_key(r.corridor_id, json.loads(r.recipient), ring.index)}
        for r in rows
        if not is_sealed(r.recipient)
    ]
    if params:
        bind.execute(
            rem.update()
            .where(rem.c.id == sa.bindparam("k_id"))
            .values(recipient_key=sa.bindparam("v_key")),
            params,
        )


BOT_TABLES = ("bot_conversations", "bot_actions", "bot_remittances", "bot_recipients")


def _index_chats(bind: sa.Connection, ring) -> None:
    """Bot tables keep a chat's blind index, the conversation the chat itself (sealed next)."""
    for name in BOT_TABLES:
        extra = (sa.column("chat"),) if name == "bot_conversations" else ()
        table = sa.table(name, sa.column("platform"), sa.column("chat_id"), *extra)
        pairs = bind.execute(sa.select(table.c.platform, table.c.chat_id).distinct()).all()
        update = (
            table.update()
            .where(table.c.platform == sa.bindparam("k_p"), table.c.chat_id == sa.bindparam("k_c"))
            .values(chat_id=sa.bindparam("v_c"))
        )
        if name == "bot_conversations":
            update = update.values(chat=sa.bindparam("k_c"))
        params = [
            {"k_p": p, "k_c": c, "v_c": ring.index("chat", f"{p}:{c}")}
            for p, c in pairs
            if len(c) != 32  # already an index
        ]
        if params:
            bind.execute(update, params)


def upgrade() -> None:
    bind = op.get_bind()
    ring = _keyring(bind)
    pg = bind.dialect.name == "postgresql"
    op.add_column("bot_conversations", sa.Column("chat", sa.Text(), nullable=True))
    if pg:
        for name in TABLES:
            for column in sealed_columns(metadata.tables[name]):
                op.alter_column(
                    name, column.name, type_=sa.Text(), postgresql_using=f'"{column.name}"::text'
                )
        op.drop_constraint("uq_customers_owner_external", "customers", type_="unique")
    op.add_column("customers", sa.Column("external_id_index", sa.String(32), nullable=True))
    op.add_column("customers", sa.Column("phone_index", sa.String(32), nullable=True))
    op.add_column("customers", sa.Column("ended_at", UtcDateTime(timezone=True), nullable=True))
    op.add_column("customers", sa.Column("erased_at", UtcDateTime(timezone=True), nullable=True))
    _index_chats(bind, ring)
    _index_customers(bind, ring)
    _index_recipients(bind, ring)
    for name in TABLES:
        _seal_table(bind, ring, name)
    op.create_index(
        "uq_customers_owner_external_index",
        "customers",
        ["owner", "external_id_index"],
        unique=True,
    )
    op.create_index("ix_customers_phone_index", "customers", ["phone_index"])


def downgrade() -> None:
    raise NotImplementedError("sealed personal data is not unsealed by a downgrade")

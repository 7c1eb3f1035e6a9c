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
from gateway.storage.seal_rows import migration_keyring, seal_plain_rows, to_text_on_postgresql
from gateway.storage.sealed import is_sealed
from gateway.storage.tables import UtcDateTime

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

# The columns this revision seals, as they were when it was written (a later revision seals
# its own: privacy_0002 seals customers.country and others).
TABLES: dict[str, tuple[str, ...]] = {
    "customers": ("external_id", "name", "phone", "birth_date"),
    "customer_kyc": ("fields", "former_identities"),
    "identity_changes": ("before", "after", "hits"),
    "remittances": ("recipient",),
    "idempotency_keys": ("response",),
    "compliance_cases": ("evidence",),
    "case_information": ("text",),
    "error_cases": ("description",),
    "bot_conversations": ("chat", "data"),
    "bot_actions": ("data",),
    "bot_recipients": ("data",),
    "travel_rule_records": ("originator", "beneficiary"),
}


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
    ring = migration_keyring(bind)
    pg = bind.dialect.name == "postgresql"
    op.add_column("bot_conversations", sa.Column("chat", sa.Text(), nullable=True))
    for name, columns in TABLES.items():
        to_text_on_postgresql(bind, name, columns)
    if pg:
        op.drop_constraint("uq_customers_owner_external", "customers", type_="unique")
    op.add_column("customers", sa.Column("external_id_index", sa.String(32), nullable=True))
    op.add_column("customers", sa.Column("phone_index", sa.String(32), nullable=True))
    op.add_column("customers", sa.Column("ended_at", UtcDateTime(timezone=True), nullable=True))
    op.add_column("customers", sa.Column("erased_at", UtcDateTime(timezone=True), nullable=True))
    _index_chats(bind, ring)
    _index_customers(bind, ring)
    _index_recipients(bind, ring)
    for name, columns in TABLES.items():
        seal_plain_rows(bind, ring, name, columns)
    op.create_index(
        "uq_customers_owner_external_index",
        "customers",
        ["owner", "external_id_index"],
        unique=True,
    )
    op.create_index("ix_customers_phone_index", "customers", ["phone_index"])


def downgrade() -> None:
    raise NotImplementedError("sealed personal data is not unsealed by a downgrade")

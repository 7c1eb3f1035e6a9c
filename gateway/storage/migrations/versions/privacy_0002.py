"""privacy: the rest of the personal data sealed (country, officers' words, webhook outbox),
idempotency fingerprints keyed

Revision ID: privacy_0002
Revises: chain_0002

Sealed in place, bound to row and column: customers.country, case_decisions.reason and
.message (an officer's words, which can name people), kyc_reviews.reason, and
webhook_deliveries.payload (an event's reason can carry an officer's words to the sender). The
idempotency fingerprint was an unkeyed SHA-256 of the request body (guessable from a name and a
phone); the body is gone, so each stored digest becomes the blind index of itself (HMAC with the
index key), which the gateway compares as the legacy form of a replay's fingerprint."""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from gateway.storage.idempotency import LEGACY_FINGERPRINT
from gateway.storage.seal_rows import migration_keyring, seal_plain_rows, to_text_on_postgresql

revision: str = "privacy_0002"
down_revision: str | None = "chain_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES: dict[str, tuple[str, ...]] = {
    "customers": ("country",),
    "case_decisions": ("reason", "message"),
    "kyc_reviews": ("reason",),
    "webhook_deliveries": ("payload",),
}
UNKEYED_DIGEST = 64  # hex digits of the SHA-256 fingerprints before this revision


def _key_fingerprints(bind: sa.Connection, ring) -> None:
    keys = sa.table(
        "idempotency_keys", sa.column("api_key_id"), sa.column("key"), sa.column("request_hash")
    )
    rows = bind.execute(
        sa.select(keys.c.api_key_id, keys.c.key, keys.c.request_hash).where(
            sa.func.length(keys.c.request_hash) == UNKEYED_DIGEST
        )
    ).all()
    params = [
        {"k_a": r.api_key_id, "k_k": r.key, "v_h": ring.index(LEGACY_FINGERPRINT, r.request_hash)}
        for r in rows
    ]
    if params:
        bind.execute(
            keys.update()
            .where(keys.c.api_key_id == sa.bindparam("k_a"), keys.c.key == sa.bindparam("k_k"))
            .values(request_hash=sa.bindparam("v_h")),
            params,
        )


def upgrade() -> None:
    bind = op.get_bind()
    ring = migration_keyring(bind)
    for name, columns in TABLES.items():
        to_text_on_postgresql(bind, name, columns)
        seal_plain_rows(bind, ring, name, columns)
    _key_fingerprints(bind, ring)


def downgrade() -> None:
    raise NotImplementedError("sealed personal data is not unsealed by a downgrade")

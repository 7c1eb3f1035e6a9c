"""Operators' money and access actions in the audit chain that officers' decisions use.

Who (an API key id, or the OS user at the CLI), what, when and ids only: never a secret, a
name or an account number, so erasing a person never breaks the chain.
"""

from __future__ import annotations

import getpass
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.storage import audit


def cli_actor() -> str:
    """The operator at the command line, as the OS knows them."""
    return f"cli:{getpass.getuser()}"


def key_actor(key_id: str) -> str:
    """An operator calling the API with the key `key_id`."""
    return f"key:{key_id}"


#: Append the action in the caller's transaction, so it commits with what it records
#: (`record(conn, key=, at=, actor=, action=, object_id=, after=)`).
record = audit.append


@dataclass(frozen=True, slots=True)
class Operator:
    """An operator acting: who (`cli_actor()`, `key_actor(id)`) and the key that seals the
    audit chain's anchor (REMIT_AUDIT_HMAC_KEY)."""

    actor: str
    audit_key: bytes | None

    async def record(
        self,
        conn: AsyncConnection,
        at: datetime,
        action: str,
        object_id: str,
        after: Mapping[str, Any] | None = None,
    ) -> None:
        """The action in the caller's transaction, so it commits with what it records."""
        entry = {"at": at, "actor": self.actor, "action": action, "object_id": object_id}
        await audit.append(conn, key=self.audit_key, **entry, after=after)

"""remit keys create."""

from __future__ import annotations

import argparse
import json
import sys

from gateway.commands.common import run, with_engine


def cmd_keys_create(args: argparse.Namespace) -> int:
    from gateway.services import utc_now
    from gateway.storage.keys import create_key

    async def create(engine):
        async with engine.begin() as conn:
            return await create_key(conn, args.name, args.role, args.partner, utc_now())

    try:
        key, caller = run(with_engine(create))
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps({"id": caller.key_id, "name": caller.name, "role": caller.role, "key": key}))
    print("Store this key now: it is shown once and kept only as a hash.", file=sys.stderr)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    from gateway.storage.keys import ROLES

    keys = sub.add_parser("keys", help="API keys").add_subparsers(dest="keys", required=True)
    create = keys.add_parser("create", help="create a key and print it once")
    create.add_argument("--name", required=True, help="the caller's name (sending app, partner)")
    create.add_argument("--role", choices=ROLES, default="sender-app")
    create.add_argument("--partner", help="partner id (required for role partner)")
    create.set_defaults(func=cmd_keys_create)

"""remit keys create | list | revoke."""

from __future__ import annotations

import argparse
import json
import sys

from gateway.commands.common import audit_cli_action, run, with_engine


def cmd_keys_create(args: argparse.Namespace) -> int:
    from gateway.services import utc_now
    from gateway.storage.keys import create_key

    async def create(engine):
        async with engine.begin() as conn:
            key, caller = await create_key(conn, args.name, args.role, args.partner, utc_now())
            after = {"role": caller.role} | ({"partner": args.partner} if args.partner else {})
            await audit_cli_action(conn, "key.create", caller.key_id, after)
            return key, caller

    try:
        key, caller = run(with_engine(create))
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps({"id": caller.key_id, "name": caller.name, "role": caller.role, "key": key}))
    print("Store this key now: it is shown once and kept only as a hash.", file=sys.stderr)
    return 0


def cmd_keys_list(args: argparse.Namespace) -> int:
    from gateway.storage.engine import reading
    from gateway.storage.keys import list_keys

    async def listed(engine):
        async with reading(engine) as conn:
            return await list_keys(conn)

    for key in run(with_engine(listed)):
        print(json.dumps(key))
    return 0


def cmd_keys_revoke(args: argparse.Namespace) -> int:
    from gateway.services import utc_now
    from gateway.storage.keys import revoke_key

    async def revoke(engine):
        async with engine.begin() as conn:
            revoked = await revoke_key(conn, args.key_id, utc_now())
            if revoked:
                await audit_cli_action(conn, "key.revoke", args.key_id)
            return revoked

    if not run(with_engine(revoke)):
        print(f"error: no live key with id {args.key_id}", file=sys.stderr)
        return 1
    print(f"revoked {args.key_id}; running gateways refuse it within 5 s")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    from gateway.storage.keys import ROLES

    keys = sub.add_parser("keys", help="API keys").add_subparsers(dest="keys", required=True)
    create = keys.add_parser("create", help="create a key and print it once")
    create.add_argument("--name", required=True, help="the caller's name (sending app, partner)")
    create.add_argument("--role", choices=ROLES, default="sender-app")
    create.add_argument("--partner", help="partner id (required for role partner)")
    create.set_defaults(func=cmd_keys_create)

    listed = keys.add_parser("list", help="every key (never its secret), one JSON object a line")
    listed.set_defaults(func=cmd_keys_list)
    revoke = keys.add_parser("revoke", help="revoke a key by id (final)")
    revoke.add_argument("key_id", help="the key's id, as `remit keys create` or `list` shows it")
    revoke.set_defaults(func=cmd_keys_revoke)

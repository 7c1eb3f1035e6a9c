"""remit keys create | list | revoke (API keys); new-data-key | rotate-data (personal data)."""

from __future__ import annotations

import argparse
import json
import sys

from gateway.commands.common import cli_operator, run, with_engine


def cmd_keys_create(args: argparse.Namespace) -> int:
    from gateway.services import utc_now
    from gateway.usecases import keys

    async def create(engine):
        return await keys.create_key(
            engine, cli_operator(), args.name, args.role, args.partner, utc_now()
        )

    try:
        key, caller = run(with_engine(create))
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps({"id": caller.key_id, "name": caller.name, "role": caller.role, "key": key}))
    print("Store this key now: it is shown once and kept only as a hash.", file=sys.stderr)
    return 0


def cmd_keys_list(args: argparse.Namespace) -> int:
    from gateway.usecases import keys

    for key in run(with_engine(keys.list_keys)):
        print(json.dumps(key))
    return 0


def cmd_keys_revoke(args: argparse.Namespace) -> int:
    from gateway.services import utc_now
    from gateway.usecases import keys

    async def revoke(engine):
        return await keys.revoke_key(engine, cli_operator(), args.key_id, utc_now())

    if not run(with_engine(revoke)):
        print(f"error: no live key with id {args.key_id}", file=sys.stderr)
        return 1
    print(f"revoked {args.key_id}; running gateways refuse it within 5 s")
    return 0


def cmd_keys_new_data_key(args: argparse.Namespace) -> int:
    from gateway.usecases.keys import new_data_key

    print(new_data_key(args.id))
    print(
        "Put it first in REMIT_DATA_KEYS, restart, then `remit keys rotate-data`.", file=sys.stderr
    )
    return 0


def cmd_keys_rotate_data(args: argparse.Namespace) -> int:
    from gateway.usecases.keys import rotate_data

    try:
        report = run(with_engine(rotate_data, args.batch))
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps({"key_id": report.key_id, "rewritten": report.rewritten}))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    from gateway.usecases.keys import ROLES

    keys = sub.add_parser("keys", help="API keys and personal-data keys")
    keys = keys.add_subparsers(dest="keys", required=True)
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

    new = keys.add_parser("new-data-key", help="print a new personal-data key (id:key)")
    new.add_argument("--id", default="k2", help="the key's id (alphanumeric)")
    new.set_defaults(func=cmd_keys_new_data_key)
    rotate = keys.add_parser(
        "rotate-data",
        help="re-encrypt personal data under the first REMIT_DATA_KEYS key, in batches, "
        "while the gateway runs",
    )
    rotate.add_argument("--batch", type=int, default=200, help="rows per transaction")
    rotate.set_defaults(func=cmd_keys_rotate_data)

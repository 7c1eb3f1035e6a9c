"""remit officers add | token: compliance officer accounts and their API tokens."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys

from gateway.commands.common import run, with_engine


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    from_env = os.environ.get("REMIT_OFFICER_PASSWORD")
    if from_env:
        return from_env
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Again: "):
        raise ValueError("the passwords differ")
    return first


def cmd_add(args: argparse.Namespace) -> int:
    from gateway.config import Settings
    from gateway.usecases.officers import add_officer

    key = Settings.from_env().audit_hmac_key
    try:
        password = _password(args)
        officer_id = run(with_engine(add_officer, args.username, args.role, password, key))
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps({"id": officer_id, "username": args.username, "role": args.role}))
    return 0


def cmd_token(args: argparse.Namespace) -> int:
    from gateway.config import Settings
    from gateway.usecases.officers import create_api_token

    key = Settings.from_env().audit_hmac_key
    try:
        token = run(with_engine(create_api_token, args.username, key))
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps({"username": args.username, "token": token}))
    print("Store this token now: it is shown once and kept only as a hash.", file=sys.stderr)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    from compliance.cases import OFFICER_ROLES

    officers = sub.add_parser("officers", help="compliance officers").add_subparsers(
        dest="officers", required=True
    )
    add = officers.add_parser("add", help="add an officer (password prompted, argon2-hashed)")
    add.add_argument("username")
    add.add_argument("--role", choices=OFFICER_ROLES, default="analyst")
    add.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from stdin (else REMIT_OFFICER_PASSWORD or a prompt)",
    )
    add.set_defaults(func=cmd_add)
    token = officers.add_parser("token", help="create an API token for an officer, shown once")
    token.add_argument("username")
    token.set_defaults(func=cmd_token)

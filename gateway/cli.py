"""`remit`: the operator's command line. Each command only parses arguments and calls in."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Callable, Coroutine
from dataclasses import replace
from typing import Any

from gateway.config import Settings


def _settings(args: argparse.Namespace) -> Settings:
    settings = Settings.from_env()
    if getattr(args, "host", None):
        settings = replace(settings, host=args.host)
    if getattr(args, "port", None):
        settings = replace(settings, port=args.port)
    return settings


def cmd_serve(args: argparse.Namespace) -> int:
    from aiohttp import web

    from gateway.app import create_app
    from gateway.logs import configure_logging

    settings = _settings(args)
    configure_logging(settings.log_level, settings.json_logs)
    web.run_app(
        create_app(settings, run_workers=not args.no_workers),
        host=settings.host,
        port=settings.port,
        print=lambda msg: print(msg, file=sys.stderr),
    )
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from gateway.demo import run_demo

    return asyncio.run(run_demo(Settings.from_env()))


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from gateway.storage.migrate import upgrade

    upgrade(Settings.from_env().database_url, args.revision)
    print(f"database upgraded to {args.revision}")
    return 0


def _run(coro_fn: Callable[..., Coroutine[Any, Any, int]], *a: Any) -> int:
    return asyncio.run(coro_fn(*a))


async def _with_engine(fn: Callable[..., Coroutine[Any, Any, Any]], *a: Any) -> Any:
    from gateway.storage.engine import create_engine
    from gateway.storage.migrate import upgrade_async

    settings = Settings.from_env()
    await upgrade_async(settings.database_url)
    engine = create_engine(settings.database_url)
    try:
        return await fn(engine, *a)
    finally:
        await engine.dispose()


def cmd_keys_create(args: argparse.Namespace) -> int:
    from gateway.services import utc_now
    from gateway.storage.keys import create_key

    async def create(engine):
        async with engine.begin() as conn:
            return await create_key(conn, args.name, args.role, args.partner, utc_now())

    try:
        key, caller = asyncio.run(_with_engine(create))
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps({"id": caller.key_id, "name": caller.name, "role": caller.role, "key": key}))
    print("Store this key now: it is shown once and kept only as a hash.", file=sys.stderr)
    return 0


def cmd_partners_add(args: argparse.Namespace) -> int:
    from gateway.services import utc_now
    from gateway.storage.partners import new_secret, upsert_partner

    secret = args.secret or new_secret()

    async def add(engine):
        async with engine.begin() as conn:
            await upsert_partner(
                conn,
                args.id,
                name=args.name or args.id,
                base_url=args.url,
                secret=secret,
                callback_url=args.callback_url,
                now=utc_now(),
            )

    asyncio.run(_with_engine(add))
    print(json.dumps({"id": args.id, "base_url": args.url, "secret": secret}))
    return 0


def cmd_partner_sim(args: argparse.Namespace) -> int:
    from corridors.simulator import Faults, run_simulator

    faults = Faults.from_options(args)
    try:
        asyncio.run(run_simulator(args.host, args.port, faults, args.secret.encode()))
    except KeyboardInterrupt:
        pass
    return 0


def build_parser() -> argparse.ArgumentParser:
    from corridors.simulator import DEV_SECRET, Faults
    from gateway.storage.keys import ROLES

    parser = argparse.ArgumentParser(
        prog="remit", description="Cross-border remittance gateway: server, demo and operations."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = sub.add_parser("serve", help="run the HTTP API and pipeline workers")
    serve.add_argument("--host", help="listen address (REMIT_HOST, default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="listen port (REMIT_PORT, default 8080)")
    serve.add_argument("--no-workers", action="store_true", help="serve HTTP only")
    serve.set_defaults(func=cmd_serve)

    demo = sub.add_parser("demo", help="send one 100 USD remittance to the Philippines end to end")
    demo.set_defaults(func=cmd_demo)

    db = sub.add_parser("db", help="database schema").add_subparsers(dest="db", required=True)
    up = db.add_parser("upgrade", help="apply Alembic migrations")
    up.add_argument("revision", nargs="?", default="head")
    up.set_defaults(func=cmd_db_upgrade)

    keys = sub.add_parser("keys", help="API keys").add_subparsers(dest="keys", required=True)
    create = keys.add_parser("create", help="create a key and print it once")
    create.add_argument("--name", required=True, help="the caller's name (sending app, partner)")
    create.add_argument("--role", choices=ROLES, default="sender-app")
    create.add_argument("--partner", help="partner id (required for role partner)")
    create.set_defaults(func=cmd_keys_create)

    partners = sub.add_parser("partners", help="payout and pay-in partners").add_subparsers(
        dest="partners", required=True
    )
    add = partners.add_parser("add", help="register or update a partner")
    add.add_argument("id", help="partner id used by corridors (e.g. sim-ph-wallet)")
    add.add_argument("--url", required=True, help="partner API base URL")
    add.add_argument("--name")
    add.add_argument("--callback-url")
    add.add_argument("--secret", help="HMAC secret shared with the partner (default: generated)")
    add.set_defaults(func=cmd_partners_add)

    sim = sub.add_parser("partner-sim", help="run the partner simulator")
    sim.add_argument("--host", default="127.0.0.1")
    sim.add_argument("--port", type=int, default=8081)
    sim.add_argument("--secret", default=DEV_SECRET.decode(), help="HMAC secret")
    Faults.add_arguments(sim)
    sim.set_defaults(func=cmd_partner_sim)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    raise SystemExit(main())

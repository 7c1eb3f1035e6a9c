"""remit serve, remit demo, remit db upgrade."""

from __future__ import annotations

import argparse
import sys

from gateway.commands.common import run, settings_from
from gateway.config import Settings


def cmd_serve(args: argparse.Namespace) -> int:
    from aiohttp import web

    from gateway.app import create_app
    from gateway.logs import configure_logging

    settings = settings_from(args)
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

    return run(run_demo(Settings.from_env()))


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from gateway.storage.migrate import upgrade

    upgrade(Settings.from_env().database_url, args.revision)
    print(f"database upgraded to {args.revision}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    serve = sub.add_parser("serve", help="run the HTTP API and pipeline workers")
    serve.add_argument("--host", help="listen address (REMIT_HOST, default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="listen port (REMIT_PORT, default 8080)")
    serve.add_argument("--no-workers", action="store_true", help="serve HTTP only")
    serve.set_defaults(func=cmd_serve)

    demo = sub.add_parser("demo", help="send one 100 USD remittance to the Philippines end to end")
    demo.set_defaults(func=cmd_demo)

    db = sub.add_parser("db", help="database schema").add_subparsers(dest="db", required=True)
    up = db.add_parser("upgrade", help="apply Alembic migrations (REMIT_DATABASE_URL)")
    up.add_argument("revision", nargs="?", default="heads")
    up.set_defaults(func=cmd_db_upgrade)

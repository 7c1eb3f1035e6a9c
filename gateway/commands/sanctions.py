"""remit sanctions load | screen | versions: the operator's handle on the sanctions lists."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from typing import Any

from gateway.commands.common import audit_cli_action, run, with_engine


def _setup() -> None:
    """JSON logs on stderr, so stdout carries only the command's JSON."""
    from gateway.config import Settings
    from gateway.logs import configure_logging

    settings = Settings.from_env()
    configure_logging(settings.log_level, settings.json_logs)


def _list_view(row: Any) -> dict[str, Any]:
    return {
        "list_id": row.id,
        "version": row.version,
        "source": row.source,
        "loaded_at": row.loaded_at.isoformat(),
        "files": row.file_names,
        "entries": row.entry_count,
        "active": row.active,
    }


def cmd_load(args: argparse.Namespace) -> int:
    """Replace the active lists; a bad file is refused and the previous lists stay active."""
    from compliance.sanctions import SanctionsListError
    from gateway.services import utc_now
    from gateway.usecases import sanctions

    _setup()

    async def audited(conn, list_id: str) -> None:
        await audit_cli_action(conn, "sanctions.load", list_id, {"files": len(args.files)})

    async def load(engine):
        await sanctions.load_files(engine, args.files, utc_now(), audited)
        return await sanctions.active_list(engine)

    try:
        row = run(with_engine(load))
    except SanctionsListError as exc:
        print(f"error: {exc}; the previous lists stay active", file=sys.stderr)
        return 2
    print(json.dumps(_list_view(row)))
    return 0


def cmd_screen(args: argparse.Namespace) -> int:
    """Screen one name against the given files, or the database's active lists."""
    from compliance.sanctions import SanctionsListError, Screener

    _setup()
    if args.name is None and args.list and len(args.list) > 1:
        args.name = args.list.pop()  # `--list FILE... NAME`: the last word is the name
    if not args.name:
        print("error: give the NAME to screen", file=sys.stderr)
        return 2
    try:
        screener = Screener.from_files(args.list) if args.list else run(with_engine(_active))
        hits = screener.screen(args.name, kind=args.kind, country=args.country, dob=args.dob)
    except (SanctionsListError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    result = {
        "list_version": screener.version,
        "entries": screener.entry_count,
        "threshold": screener.threshold,
        "hits": [hit.to_dict() for hit in hits],
    }
    print(json.dumps(result, ensure_ascii=False))
    return 0


async def _active(engine):
    from gateway.services import utc_now
    from gateway.usecases import sanctions

    _, screener = await sanctions.active_screener(engine, utc_now())
    return screener


def cmd_versions(args: argparse.Namespace) -> int:
    from gateway.usecases import sanctions

    _setup()
    rows = run(with_engine(sanctions.list_versions))
    for row in rows:
        print(json.dumps(_list_view(row)))
    return 0


async def _with_services(fn):
    """Services on REMIT_DATABASE_URL with the active lists (re-screening screens with them)."""
    from gateway.bootstrap import open_services
    from gateway.config import Settings

    async with open_services(Settings.from_env()) as svc:
        return await fn(svc)


def cmd_rescreen(args: argparse.Namespace) -> int:
    """Run the pending re-screening to its end now (a running gateway does it in the
    background); resumable: a second run after a crash goes on from the last batch."""
    from gateway.usecases import rescreening

    _setup()
    progress = run(_with_services(lambda svc: rescreening.run_to_end(svc, args.batch)))
    if progress is None:
        print(json.dumps({"pending": False}))
        return 0
    print(json.dumps({"pending": progress.phase != "done", **asdict(progress)}))
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    """The active lists and the re-screening runs, newest first."""
    from gateway.usecases import rescreening, sanctions

    _setup()

    async def status(engine):
        return await sanctions.active_list(engine), await rescreening.status(engine)

    row, runs = run(with_engine(status))
    active = _list_view(row) if row is not None else None
    print(json.dumps({"active": active, "rescreening": runs}))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    group = sub.add_parser("sanctions", help="sanctions lists").add_subparsers(
        dest="sanctions", required=True
    )
    load = group.add_parser("load", help="replace the active lists (OFAC CSV, UN XML, .gz)")
    load.add_argument("files", nargs="+", metavar="FILE")
    load.set_defaults(func=cmd_load)
    screen = group.add_parser("screen", help="screen a name and print the hits as JSON")
    screen.add_argument("name", metavar="NAME", nargs="?")
    screen.add_argument(
        "--list", nargs="+", metavar="FILE", help="list files (default: the active lists)"
    )
    screen.add_argument("--kind", choices=("individual", "entity", "vessel", "aircraft"))
    screen.add_argument("--country", help="ISO country code or name")
    screen.add_argument("--dob", help="date of birth, YYYY[-MM[-DD]]")
    screen.set_defaults(func=cmd_screen)
    versions = group.add_parser("versions", help="loaded list versions, newest first")
    versions.set_defaults(func=cmd_versions)
    rescreen = group.add_parser(
        "rescreen", help="screen everyone again under the newest loaded lists, now (resumable)"
    )
    rescreen.add_argument("--batch", type=int, default=200, help="parties per transaction")
    rescreen.set_defaults(func=cmd_rescreen)
    status = group.add_parser("status", help="the active lists and re-screening progress")
    status.set_defaults(func=cmd_status)

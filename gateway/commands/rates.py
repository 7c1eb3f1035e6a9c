"""remit rates refresh | list: the operator's handle on the rates firm quotes use."""

from __future__ import annotations

import argparse
import json
import sys

from gateway.commands.common import run, with_engine


def _setup() -> None:
    """JSON logs on stderr, so stdout carries only the command's JSON."""
    from gateway.config import Settings
    from gateway.logs import configure_logging

    settings = Settings.from_env()
    configure_logging(settings.log_level, settings.json_logs)


def cmd_refresh(args: argparse.Namespace) -> int:
    """Load a rates document and store it; running servers pick it up on their next reload."""
    from fx.rates import RatesFileError
    from gateway.services import utc_now
    from gateway.usecases import rates

    _setup()
    try:
        view = run(with_engine(rates.refresh, args.source, utc_now()))
    except (RatesFileError, rates.RatesFetchError) as exc:
        print(f"error: {exc}; nothing stored, the previous rates stay", file=sys.stderr)
        return 2
    now = utc_now()
    from datetime import datetime

    as_of = datetime.fromisoformat(view["as_of"])
    view["age_s"] = int((now - as_of).total_seconds())
    view["fresh"] = view["age_s"] <= view["max_age_s"]
    print(json.dumps(view))
    if not view["fresh"]:
        print(
            f"warning: {view['source']} is older than its maximum age; firm quotes refuse it",
            file=sys.stderr,
        )
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from gateway.services import utc_now
    from gateway.usecases import rates

    _setup()
    for view in run(with_engine(rates.list_sets, utc_now())):
        print(json.dumps(view))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    group = sub.add_parser("rates", help="FX rates for firm quotes").add_subparsers(
        dest="rates", required=True
    )
    refresh = group.add_parser(
        "refresh",
        help="load an ECB eurofxref XML (daily or 90-day) or a rates JSON/CSV, from a file or URL",
    )
    refresh.add_argument("source", metavar="FILE-or-URL")
    refresh.set_defaults(func=cmd_refresh)
    listing = group.add_parser("list", help="stored rate sets, newest first, with their ages")
    listing.set_defaults(func=cmd_list)

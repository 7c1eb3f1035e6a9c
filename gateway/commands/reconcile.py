"""remit reconcile --partner NAME STATEMENT.csv (or --camt FILE, an ISO 20022 camt.053/054
bank statement): a payout partner's statement against our books. Prints the JSON report; exit
code 1 when anything is missing, extra or mismatched. (`--payin PARTNER` is the pay-in side's
branch of the same command.)"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

from gateway.commands.common import run

EXIT_CLEAN, EXIT_DIFFERENCES, EXIT_UNREADABLE = 0, 1, 2


def _moment(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def _payout_report(args: argparse.Namespace, text: str | None, records=None):
    from compliance.sanctions import Screener
    from gateway.bootstrap import open_services
    from gateway.config import Settings
    from gateway.usecases.reconcile import reconcile_payouts

    async with open_services(Settings.from_env(), screener=Screener.empty()) as svc:
        return await reconcile_payouts(
            svc, args.partner, text, args.since, args.until, records=records
        )


def cmd_reconcile(args: argparse.Namespace) -> int:
    """One branch per option of the mutually exclusive group (--partner; --payin elsewhere)."""
    if getattr(args, "partner", None):
        return reconcile_payouts(args)
    if getattr(args, "payin", None):
        from gateway.commands.payins import reconcile_payins

        if args.statement is None or getattr(args, "camt", None) is not None:
            print("reconcile --payin: give the statement CSV", file=sys.stderr)
            return EXIT_UNREADABLE
        return reconcile_payins(args)
    print("reconcile: give --partner NAME or --payin PARTNER", file=sys.stderr)
    return EXIT_UNREADABLE


def reconcile_payouts(args: argparse.Namespace) -> int:
    from gateway.domain.reconciliation import StatementError

    if (args.statement is None) == (args.camt is None):
        print("reconcile: give a statement CSV or --camt FILE (one of them)", file=sys.stderr)
        return EXIT_UNREADABLE
    try:
        if args.camt is not None:
            from gateway.usecases.reconcile import camt_statement

            records = camt_statement(Path(args.camt).read_bytes())
            report = run(_payout_report(args, None, records))
        else:
            text = Path(args.statement).read_text(encoding="utf-8")
            report = run(_payout_report(args, text))
    except (OSError, StatementError) as exc:
        print(f"reconcile: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    print(json.dumps(report.to_json(), indent=2))
    return EXIT_CLEAN if report.clean else EXIT_DIFFERENCES


def register(sub: argparse._SubParsersAction) -> None:
    rec = sub.add_parser(
        "reconcile", help="match a partner statement CSV against the books (exit 1 on differences)"
    )
    which = rec.add_mutually_exclusive_group(required=True)
    which.add_argument("--partner", metavar="NAME", help="payout partner id")
    which.add_argument("--payin", metavar="PARTNER", help="pay-in partner id (payin_id column)")
    rec.add_argument("statement", nargs="?", help="statement CSV: payout_id, amount, currency, ...")
    rec.add_argument(
        "--camt", metavar="FILE", help="an ISO 20022 camt.053/camt.054 statement instead of a CSV"
    )
    rec.add_argument("--since", type=_moment, help="paid at or after (ISO 8601, UTC default)")
    rec.add_argument("--until", type=_moment, help="paid before (ISO 8601)")
    rec.set_defaults(func=cmd_reconcile)

"""remit ledger check, remit ledger balances: on the database REMIT_DATABASE_URL names."""

from __future__ import annotations

import argparse
import json
import sys

from gateway.commands.common import run, with_engine
from gateway.config import Settings


def _ledger(engine):
    from ledger_adapter.sql import SqlLedger

    return SqlLedger(engine, hmac_key=Settings.from_env().ledger_hmac_key)


def cmd_check(args: argparse.Namespace) -> int:
    from gateway.usecases.ledger import is_balanced, totals_by_asset

    async def check(engine):
        ledger = _ledger(engine)
        return await ledger.check(), await totals_by_asset(ledger)

    findings, totals = run(with_engine(check))
    report = {"ok": not findings and is_balanced(totals), "findings": findings, "totals": totals}
    print(json.dumps(report, indent=2))
    if not report["ok"]:
        for finding in findings:
            print(f"ledger check: {finding}", file=sys.stderr)
        return 1
    return 0


def cmd_balances(args: argparse.Namespace) -> int:
    from gateway.usecases.ledger import balances

    async def show(engine):
        return await balances(_ledger(engine), args.prefix)

    rows = run(with_engine(show))
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    for row in rows:
        print(
            f"{row['id']:<48} {row['asset']:<5} credit {row['credit_balance']:>18}"
            f"  pending dr {row['debits_pending']:>14} cr {row['credits_pending']:>14}"
        )
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    ledger = sub.add_parser("ledger", help="ledger checks and balances").add_subparsers(
        dest="ledger", required=True
    )
    check = ledger.add_parser(
        "check",
        help="debits equal credits per asset, no forbidden negative balance, coin supply equals "
        "reserve, hash chain and anchor intact; exit 1 with the findings otherwise",
    )
    check.set_defaults(func=cmd_check)
    bal = ledger.add_parser("balances", help="every account's balances")
    bal.add_argument("--prefix", default="", help="only accounts whose id starts with this")
    bal.add_argument("--json", action="store_true")
    bal.set_defaults(func=cmd_balances)

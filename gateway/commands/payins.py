"""remit payins unmatched | resolve, and `remit reconcile --payin`: the operators' side of
pay-ins."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from gateway.commands.common import run, with_services


def cmd_unmatched(args: argparse.Namespace) -> int:
    from gateway.usecases.payins.suspense import unmatched

    rows = run(with_services(lambda svc: unmatched(svc, args.limit)))
    for row in rows:
        print(json.dumps(row))
    print(f"{len(rows)} pay-in(s) in suspense", file=sys.stderr)
    return 0


def cmd_resolve(args: argparse.Namespace) -> int:
    from gateway.api.problems import problem_for
    from gateway.errors import UseCaseError
    from gateway.usecases.operator_audit import cli_actor
    from gateway.usecases.payins.suspense import resolve
    from gateway.usecases.requests.payins import ResolvePayinRequest

    action = "return" if args.return_to_source else "credit"
    req = ResolvePayinRequest(customer_id=args.customer, action=action)
    try:
        row = run(with_services(lambda svc: resolve(svc, args.payin, req, cli_actor())))
    except UseCaseError as error:
        print(json.dumps(problem_for(error).body()), file=sys.stderr)
        return 1
    print(json.dumps(row))
    if row["status"] == "returning":
        print("the partner has not confirmed the return yet; run again to retry", file=sys.stderr)
        return 3
    return 0


def reconcile_payins(args: argparse.Namespace) -> int:
    """`remit reconcile --payin PARTNER STATEMENT.csv` (the branch in commands/reconcile.py)."""
    from gateway.domain.reconciliation import StatementError
    from gateway.usecases.reconcile import reconcile_payins as match

    try:
        text = Path(args.statement).read_text(encoding="utf-8")
        report = run(
            with_services(lambda svc: match(svc, args.payin, text, args.since, args.until))
        )
    except (OSError, StatementError) as exc:
        print(f"reconcile: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(report.to_json(), indent=2))
    return 0 if report.clean else 1


def register(sub: argparse._SubParsersAction) -> None:
    payins = sub.add_parser("payins", help="pay-ins: suspense and statements").add_subparsers(
        dest="payins", required=True
    )
    unmatched = payins.add_parser("unmatched", help="pay-ins parked in suspense, oldest first")
    unmatched.add_argument("--limit", type=int, default=500)
    unmatched.set_defaults(func=cmd_unmatched)

    resolve = payins.add_parser("resolve", help="credit a suspense pay-in, or return it")
    resolve.add_argument("payin", help="pay-in id as listed (partner:payin_id)")
    target = resolve.add_mutually_exclusive_group(required=True)
    target.add_argument("--customer", help="credit this customer's wallet")
    target.add_argument(
        "--return", dest="return_to_source", action="store_true", help="return to the partner"
    )
    resolve.set_defaults(func=cmd_resolve)

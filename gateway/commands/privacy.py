"""remit customers erase | export, remit retention run: personal data on request and by law."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Coroutine
from typing import Any

from gateway.commands.common import run, with_services
from gateway.usecases.operator_audit import cli_actor


def _answer(fn: Callable[[Any], Coroutine[Any, Any, Any]]) -> Any:
    """What `fn(services)` answers; None, once the refusal is on stderr, if the use case
    refuses."""
    from gateway.errors import UseCaseError

    try:
        return run(with_services(fn))
    except UseCaseError as exc:
        print(f"error: {exc.detail}", file=sys.stderr)
        return None


def cmd_erase(args: argparse.Namespace) -> int:
    from gateway.usecases.erasure import erase_customer

    report = _answer(lambda svc: erase_customer(svc, cli_actor(), args.customer_id, args.reason))
    if report is None:
        return 1
    print(json.dumps(report, indent=2))
    for kept in report["kept"]:
        print(f"kept until {kept['until']}: {kept['what']} ({kept['rule']})", file=sys.stderr)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from gateway.usecases.erasure import export_customer

    found = _answer(lambda svc: export_customer(svc, cli_actor(), args.customer_id, args.reason))
    if found is None:
        return 1
    print(json.dumps(found, indent=2, ensure_ascii=False))
    return 0


def cmd_retention_run(args: argparse.Namespace) -> int:
    from gateway.usecases.erasure import retention_run

    report = run(with_services(lambda svc: retention_run(svc, cli_actor())))
    print(json.dumps(report))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    customers = sub.add_parser("customers", help="a person's data: erase on request, export")
    commands = customers.add_subparsers(dest="customers", required=True)
    erase = commands.add_parser(
        "erase", help="erase a person except what the law keeps (and say what is kept, until when)"
    )
    erase.add_argument("customer_id")
    erase.add_argument("--reason", required=True, help="why (the request, a ticket): audited")
    erase.set_defaults(func=cmd_erase)
    export = commands.add_parser("export", help="everything held on a person, decrypted (audited)")
    export.add_argument("customer_id")
    export.add_argument("--reason", required=True, help="why it is read: audited")
    export.set_defaults(func=cmd_export)

    retention = sub.add_parser("retention", help="retention periods per regime")
    retention_cmds = retention.add_subparsers(dest="retention", required=True)
    runner = retention_cmds.add_parser(
        "run", help="erase what has passed its retention period; report what was erased"
    )
    runner.set_defaults(func=cmd_retention_run)

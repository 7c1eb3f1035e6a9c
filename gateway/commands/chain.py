"""remit chain status | reconcile | send-back: the chain our coins live on, against our records
and the ledger, and coin given back that the books do not take. On the embedded chain status and
reconcile first rebuild it from the recorded transactions (the same chain the server runs); on a
JSON-RPC node they read the node."""

from __future__ import annotations

import argparse
import json
import sys

from gateway.commands.common import cli_operator, run, with_engine
from gateway.config import Settings


def cmd_status(args: argparse.Namespace) -> int:
    from gateway.chain import enabled, open_settler
    from ledger_adapter.evm.reconcile import status

    settings = Settings.from_env()
    if not enabled(settings):
        print(json.dumps({"chain": "off"}))
        return 0

    async def show(engine):
        handle = await open_settler(settings, engine, lambda ids: None)
        try:
            return await status(engine, handle.client)
        finally:
            await handle.client.close()

    report = run(with_engine(show))
    report = {"network": settings.chain, **report}
    print(json.dumps(report, indent=2))
    return 0


def cmd_reconcile(args: argparse.Namespace) -> int:
    from gateway.chain import enabled, reconcile_with_books

    settings = Settings.from_env()
    if not enabled(settings):
        print("error: REMIT_CHAIN=off: no chain to reconcile", file=sys.stderr)
        return 2
    findings = run(with_engine(lambda engine: reconcile_with_books(settings, engine)))
    print(json.dumps({"ok": not findings, "findings": findings}, indent=2))
    for finding in findings:
        print(f"chain reconcile: {finding}", file=sys.stderr)
    return 1 if findings else 0


def cmd_send_back(args: argparse.Namespace) -> int:
    from gateway.chain import enabled
    from gateway.services import utc_now
    from gateway.usecases.chain_returns import send_back

    settings = Settings.from_env()
    if not enabled(settings):
        print("error: REMIT_CHAIN=off: no chain", file=sys.stderr)
        return 2
    reason = args.reason.strip()
    if not reason:
        print("error: --reason must say why", file=sys.stderr)
        return 2
    try:
        report = run(
            with_engine(
                lambda engine: send_back(engine, cli_operator(), args.ref, reason, utc_now())
            )
        )
    except (LookupError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(report, indent=2))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    chain = sub.add_parser("chain", help="the chain our coins live on").add_subparsers(
        dest="chain", required=True
    )
    st = chain.add_parser(
        "status", help="network, contract addresses, supply and balances per coin, pending txs"
    )
    st.set_defaults(func=cmd_status)
    rec = chain.add_parser(
        "reconcile",
        help="totalSupply and every balanceOf against our records and the ledger, every "
        "Settled and Returned event against exactly one record; exit 1 printing each difference",
    )
    rec.set_defaults(func=cmd_reconcile)
    back = chain.add_parser(
        "send-back",
        help="send coin a partner gave back that the books do not take (a return not applied, "
        "or one for a remittance paid out) back to its sender, from the treasury",
    )
    back.add_argument("ref", help="the return, TX_HASH#LOG_INDEX (remit chain reconcile names it)")
    back.add_argument("--reason", required=True, help="why, kept with the return")
    back.set_defaults(func=cmd_send_back)

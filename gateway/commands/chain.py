"""remit chain status | reconcile: the chain our coins live on, against our records and the
ledger. On the embedded chain the command first rebuilds it from the recorded transactions (the
same chain the server runs); on a JSON-RPC node it reads the node."""

from __future__ import annotations

import argparse
import json
import sys

from gateway.commands.common import run, with_engine
from gateway.config import Settings


async def chain_reconcile(settings: Settings, engine) -> list[str]:
    """The differences between the chain and our books (empty: they agree)."""
    from gateway.chain import open_settler
    from ledger_adapter.evm.reconcile import reconcile
    from ledger_adapter.sql import SqlLedger

    handle = await open_settler(settings, engine, lambda ids: None)
    try:
        ledger = SqlLedger(engine, hmac_key=settings.ledger_hmac_key)
        return await reconcile(engine, handle.client, ledger)
    finally:
        await handle.client.close()


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
    from gateway.chain import enabled

    settings = Settings.from_env()
    if not enabled(settings):
        print("error: REMIT_CHAIN=off: no chain to reconcile", file=sys.stderr)
        return 2
    findings = run(with_engine(lambda engine: chain_reconcile(settings, engine)))
    print(json.dumps({"ok": not findings, "findings": findings}, indent=2))
    for finding in findings:
        print(f"chain reconcile: {finding}", file=sys.stderr)
    return 1 if findings else 0


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

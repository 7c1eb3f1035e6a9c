"""remit chain status | reconcile | send-back: the chain our coins live on, against our records
and the ledger, and coin given back that the books do not take. On the embedded chain status and
reconcile first rebuild it from the recorded transactions (the same chain the server runs); on a
JSON-RPC node they read the node."""

from __future__ import annotations

import argparse
import json
import sys

import sqlalchemy as sa

from gateway.commands.common import audit_cli_action, run, with_engine
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


async def send_back(engine, ref: str, reason: str) -> dict:
    """Mark a recorded return's coin to go back to its sender (the chain's owner signs the
    transfer in its next round). Refused while the books take that coin: its remittance waits
    for it (the refund follows) or was refunded (the coin is burnt)."""
    from gateway.chain import kept
    from ledger_adapter.evm.items import RETURNS
    from ledger_adapter.evm.settler import request_send_back

    tx_hash, _, index = ref.partition("#")
    if not index.isdigit():
        raise ValueError(f"{ref!r}: a return is named TX_HASH#LOG_INDEX")
    async with engine.begin() as conn:
        key = (RETURNS.c.tx_hash == tx_hash, RETURNS.c.log_index == int(index))
        row = (await conn.execute(sa.select(RETURNS).where(*key))).first()
        taken = row is not None and row.status == "applied"
        if taken and not await kept(conn, [row.remittance_id]):
            raise ValueError(
                f"the books take this coin: {row.remittance_id} is refunded with it (or "
                "waits for it to refund)"
            )
        row = await request_send_back(conn, tx_hash, int(index), reason)
        report = {
            "return": ref,
            "remittance_id": row.remittance_id,
            "to": row.sender,
            "coin": row.coin,
            "amount": row.amount,
            "found": row.status,
            "reason": reason,
        }
        await audit_cli_action(conn, "chain.send_back", ref, report)
    return {**report, "send_back": "due: the chain's owner signs it in its next round"}


def cmd_send_back(args: argparse.Namespace) -> int:
    from gateway.chain import enabled

    settings = Settings.from_env()
    if not enabled(settings):
        print("error: REMIT_CHAIN=off: no chain", file=sys.stderr)
        return 2
    reason = args.reason.strip()
    if not reason:
        print("error: --reason must say why", file=sys.stderr)
        return 2
    try:
        report = run(with_engine(lambda engine: send_back(engine, args.ref, reason)))
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

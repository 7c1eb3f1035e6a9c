"""Coin a partner gave back that the books do not take, sent back to its sender: what
`remit chain send-back` does, audited as the operator's action."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.chain import kept
from gateway.usecases.operator_audit import Operator


async def send_back(
    engine: AsyncEngine, operator: Operator, ref: str, reason: str, now: Any
) -> dict[str, Any]:
    """Mark a recorded return's coin to go back to its sender (the chain's owner signs the
    transfer in its next round). Refused (ValueError) while the books take that coin: its
    remittance waits for it (the refund follows) or was refunded (the coin is burnt); a return
    never recorded is a LookupError."""
    from ledger_adapter.evm.settler import find_return, request_send_back

    tx_hash, _, index = ref.partition("#")
    if not index.isdigit():
        raise ValueError(f"{ref!r}: a return is named TX_HASH#LOG_INDEX")
    async with engine.begin() as conn:
        row = await find_return(conn, tx_hash, int(index))
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
        await operator.record(conn, now, "chain.send_back", ref, report)
    return {**report, "send_back": "due: the chain's owner signs it in its next round"}

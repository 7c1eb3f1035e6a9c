"""Fused runs (#28) through the pipeline: the steps that never leave the gateway commit once,
every move with its history row, in order; a failed commit leaves none of the run, and the
rerun books nothing twice."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from gateway.domain.states import Status
from gateway.storage.tables import remittance_history

S = Status

BEFORE_PAYOUT = (S.CREATED, S.SCREENING, S.QUOTED, S.AWAITING_FUNDS, S.FUNDED, S.CONVERTED)
WALLET_PATH = [s.value for s in (*BEFORE_PAYOUT, S.IN_TRANSIT, S.PAYOUT_PENDING, S.PAID_OUT)]


class HistoryWrites:
    """Counts the transactions that wrote history rows; with `fail_on`, the commit of the
    first one whose history names that state fails (the process dies before its commit)."""

    def __init__(self, engine, fail_on: str | None = None) -> None:
        self.sync = engine.sync_engine
        self.fail_on = fail_on
        self.failed = False
        self.transactions = 0
        event.listen(self.sync, "before_cursor_execute", self.before)
        event.listen(self.sync, "commit", self.commit)

    def before(self, conn, cursor, statement, params, context, executemany) -> None:
        if "remittance_history" in statement and statement.lstrip().upper()[:6] != "SELECT":
            conn.info["history_written"] = True
            if self.fail_on is not None and f"'{self.fail_on}'" in repr(params):
                conn.info["fail"] = True

    def commit(self, conn) -> None:
        wrote, fail = conn.info.pop("history_written", False), conn.info.pop("fail", False)
        if fail and not self.failed:
            self.failed = True
            raise RuntimeError("the process died before this commit")
        self.transactions += wrote

    def remove(self) -> None:
        event.remove(self.sync, "before_cursor_execute", self.before)
        event.remove(self.sync, "commit", self.commit)


async def history_of(gateway, remittance_id: str) -> list:
    query = (
        sa.select(remittance_history)
        .where(remittance_history.c.remittance_id == remittance_id)
        .order_by(remittance_history.c.id)
    )
    async with gateway.svc.engine.connect() as conn:
        return list(await conn.execute(query))


async def test_a_fused_run_commits_once_with_every_history_row_in_order(gateway) -> None:
    sender = await gateway.customer()
    await gateway.top_up(sender["id"], "500.00")
    created = await gateway.send("100.00", sender=sender)
    writes = HistoryWrites(gateway.svc.engine)
    try:
        await gateway.drain()
    finally:
        writes.remove()
    rows = await history_of(gateway, created["id"])
    assert [r.to_status for r in rows] == WALLET_PATH
    assert [r.from_status for r in rows[1:]] == WALLET_PATH[:-1]
    assert [r.id for r in rows] == sorted(r.id for r in rows)
    reasons = [r.reason for r in rows]
    assert reasons[2].startswith("screening passed") and "debited from wallet" in reasons[4]
    # Two fused runs (screening to awaiting_funds, the money to in_transit), then the payout
    # steps that talk to the partner, each committed before the next call.
    assert writes.transactions == 4


@pytest.mark.parametrize(
    ("fail_on", "run_from"), [("awaiting_funds", "created"), ("in_transit", "awaiting_funds")]
)
async def test_a_run_whose_commit_fails_leaves_none_of_it_and_reruns_once(
    gateway, fail_on, run_from
) -> None:
    """The commit of the run that ends in `fail_on` fails: none of its moves is there (the
    row is where the run started), and the rerun books nothing twice."""
    sender = await gateway.customer()
    await gateway.top_up(sender["id"], "500.00")
    created = await gateway.send("100.00", sender=sender)
    writes = HistoryWrites(gateway.svc.engine, fail_on=fail_on)
    try:
        await gateway.drain()
    finally:
        writes.remove()
    assert writes.failed
    left = [r.to_status for r in await history_of(gateway, created["id"])]
    assert left == WALLET_PATH[: WALLET_PATH.index(run_from) + 1]
    assert (await gateway.get(created["id"]))["status"] == run_from

    gateway.clock.advance(seconds=gateway.svc.settings.lease_s + 1)  # the dead claim's lease
    await gateway.drain()
    final = await gateway.get(created["id"])
    assert final["status"] == "paid_out"
    assert [h["to"] for h in final["history"]] == WALLET_PATH
    sim = await (await gateway.sim.get("/_sim/payouts")).json()
    assert sim["total_payments"] == 1
    wallet = await (
        await gateway.client.get(f"/v1/customers/{sender['id']}/wallet", headers=gateway.auth())
    ).json()
    assert wallet["balances"][0]["available"] == "400.00"  # debited once, though run twice

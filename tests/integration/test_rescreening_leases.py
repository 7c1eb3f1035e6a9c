"""Re-screening never holds a remittance under a worker's feet: while a worker leases a funded
transfer, the batch that would hold it rolls back (Busy) and writes nothing; the worker's next
commit goes through, and the batch run again holds the transfer where the worker left it."""

from __future__ import annotations

import pytest

from gateway.pipeline.worker import Worker
from gateway.usecases import rescreening, sanctions
from tests.rescreening_support import (
    LISTED,
    cases_of,
    cli,
    load_lists,
    run_until,
    send_from_wallet,
    two_versions,
)


@pytest.fixture
def lists(tmp_path):
    return two_versions(tmp_path)


async def test_a_leased_transfer_is_held_only_after_the_worker_commits(
    gateway, lists, monkeypatch, capsys
) -> None:
    await load_lists(gateway, capsys, monkeypatch, lists)
    sender = await gateway.customer(external_id="s-leased")
    await gateway.top_up(sender["id"], "500.00")
    rem = await send_from_wallet(gateway, sender, LISTED)
    await run_until(gateway, rem["id"], "funded")
    worker = Worker(gateway.svc)
    [row] = await worker.claim(10)  # a worker holds it this instant, about to convert
    assert row.status == "funded"
    assert (await cli(capsys, "sanctions", "load", str(lists[1])))[0] == 0

    svc = gateway.svc
    assert await sanctions.refresh(svc)  # the gateway's periodic check finds the new version
    # The senders' batch commits (nobody listed); the recipients' batch meets the lease.
    first = await rescreening._batch(svc, svc.screening.current, svc.screening.list_id, 200)
    assert first.phase == "recipients"
    with pytest.raises(rescreening.Busy):
        await rescreening._batch(svc, svc.screening.current, svc.screening.list_id, 200)
    assert (await gateway.get(rem["id"]))["status"] == "funded"
    assert await cases_of(gateway, rem["id"]) == []  # rolled back: no case, cursor unmoved

    row = await worker.step(row)  # the worker's conversion commits: nothing raced it
    assert row.status == "converted"
    await worker.release(row)
    progress = await rescreening.run_to_end(svc)
    assert progress.phase == "done" and progress.held == 1
    held = await gateway.get(rem["id"])
    assert held["status"] == "on_hold" and held["history"][-1]["from"] == "converted"
    [case] = await cases_of(gateway, rem["id"])
    assert case.evidence["held_from"] == "converted"

"""Journey: the payout partner fails the payout for good. The remittance goes
failed -> refunded, the sender's wallet gets the whole send amount back (fee included), and
`remit ledger check` finds the books clean. Public interfaces only: HTTP and the CLI."""

from __future__ import annotations

import asyncio

import pytest

from gateway.commands import main as remit


@pytest.fixture
def sim_faults() -> dict:
    # Every payout fails permanently (a closed wallet, a wrong account...).
    return {"seed": 3, "fail_rate": 1.0}


async def test_failed_payout_is_refunded_to_the_wallet(gateway, monkeypatch) -> None:
    sender = await gateway.customer()
    await gateway.top_up(sender["id"], "500.00")
    rem = await gateway.send("100.00", sender=sender)
    await gateway.drain()
    final = await gateway.get(rem["id"])
    assert final["status"] == "refunded"
    walked = [h["to"] for h in final["history"]]
    assert walked.index("failed") < walked.index("refunded")
    resp = await gateway.client.get(f"/v1/customers/{sender['id']}/wallet", headers=gateway.auth())
    [usd] = [b for b in (await resp.json())["balances"] if b["currency"] == "USD"]
    assert usd["available"] == "500.00"  # principal and fee back: nothing kept
    monkeypatch.setenv("REMIT_DATABASE_URL", gateway.svc.engine.url.render_as_string(False))
    assert await asyncio.to_thread(remit, ["ledger", "check"]) == 0

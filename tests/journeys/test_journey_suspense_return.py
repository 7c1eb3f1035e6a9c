"""Journey: a pay-in nobody can attribute is returned to its payer. The pay-in partner (the
simulator) reports a transfer with an unknown reference, it parks in suspense, the operator
runs `remit payins resolve ID --return`: the partner's return API is called (signed,
idempotent); while the partner is down the pay-in stays `returning` with the money in
suspense, a retry after it is back is confirmed and booked, and another retry returns nothing
twice. Public interfaces only: the CLI, the simulator's HTTP API, the gateway's HTTP API."""

from __future__ import annotations

import asyncio
import json

import pytest

from corridors.payin import new_reference
from corridors.payin_simulator import STATE, create_payin_simulator_app
from gateway.commands import main as remit

BANK = "sim-payin-bank"
SECRET = "journey-payin-secret"


async def _cli(capsys, *argv: str) -> tuple[int, str]:
    """Run `remit ...`; its stdout (the in-process gateway's own logs read off first)."""
    capsys.readouterr()
    code = await asyncio.to_thread(remit, list(argv))
    return code, capsys.readouterr().out


@pytest.fixture
async def payin_sim(gateway, aiohttp_server):
    callback = str(gateway.client.make_url(f"/v1/payins/callbacks/{BANK}"))
    # The first four return requests fail (503): more than one CLI run's retries.
    app = create_payin_simulator_app(SECRET.encode(), callback, fail_returns=4)
    return await aiohttp_server(app, host="127.0.0.1")


async def test_unknown_reference_is_returned_through_the_partner_once(
    gateway, payin_sim, monkeypatch, capsys
) -> None:
    monkeypatch.setenv("REMIT_DATABASE_URL", gateway.svc.engine.url.render_as_string(False))
    sim_url = str(payin_sim.make_url("")).rstrip("/")
    code, _ = await _cli(
        capsys, "partners", "add", BANK, "--url", sim_url, "--payin", "--secret", SECRET
    )
    assert code == 0

    collected = await gateway.client.session.post(
        f"{sim_url}/sim/payins",
        json={
            "payin_id": "bt-77",
            "method": "bank_transfer",
            "event": "received",
            "reference": new_reference(),  # valid check digits, issued to nobody
            "amount": "40.00",
            "currency": "USD",
        },
    )
    answer = (await collected.json())["gateway"]
    assert answer["status"] == "suspense" and answer["reason"] == "unknown reference"

    code, out = await _cli(capsys, "payins", "unmatched")
    [parked] = [json.loads(line) for line in out.splitlines()]
    payin_id = parked["id"]

    async def suspense_units() -> int:
        found = await gateway.svc.ledger.balances("suspense:USD")
        return sum(b.credit_balance for _asset, b in found.values())

    assert await suspense_units() == 4000
    # The partner is down: asked (and retried) but not confirmed, so not done.
    code, out = await _cli(capsys, "payins", "resolve", payin_id, "--return")
    assert code == 3 and json.loads(out)["status"] == "returning"
    assert await suspense_units() == 4000
    assert payin_sim.app[STATE]["returns"] == {}

    # The partner is back: the retry is confirmed, the ledger books the return once.
    code, out = await _cli(capsys, "payins", "resolve", payin_id, "--return")
    assert code == 0 and json.loads(out)["status"] == "returned"
    assert await suspense_units() == 0
    returns = payin_sim.app[STATE]["returns"]
    assert list(returns) == [f"return:{payin_id}"]
    assert returns[f"return:{payin_id}"]["amount"] == "40.00"

    # Another retry (HTTP this time) is a no-op: nothing returned twice.
    resp = await gateway.client.post(
        f"/v1/payins/{payin_id}/resolve",
        json={"action": "return"},
        headers=gateway.auth("operator"),
    )
    assert resp.status == 200 and (await resp.json())["duplicate"] is True
    assert len(payin_sim.app[STATE]["returns"]) == 1
    assert await suspense_units() == 0

"""Shared by the re-screening journeys: the two list versions (before and after Putin's entry),
the CLI, a transfer to a named recipient, its cases, the wallet, and driving the pipeline up to
a chosen state (a worker's claim stops there and gives its lease back)."""

from __future__ import annotations

import asyncio
import json
import uuid
from decimal import Decimal

import sqlalchemy as sa

from gateway.commands import main as remit
from gateway.pipeline.worker import Worker
from gateway.storage.tables import compliance_cases
from tests.conftest import SANCTIONS_DIR

LISTED = "Vladimir Vladimirovich PUTIN"


def two_versions(tmp_path):
    """Two versions in the real OFAC format: before and after Putin's entry was added."""
    lines = (SANCTIONS_DIR / "sdn.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    putin = [line for line in lines[300:] if "PUTIN, Vladimir" in line]
    end = [line for line in lines[-2:] if "\x1a" in line]  # the file's end-of-file mark
    assert putin
    before, after = tmp_path / "before", tmp_path / "after"
    before.mkdir()
    after.mkdir()
    (before / "sdn.csv").write_text("".join(lines[:300] + end), encoding="utf-8")
    (after / "sdn.csv").write_text("".join(lines[:300] + putin + end), encoding="utf-8")
    return before / "sdn.csv", after / "sdn.csv"


async def cli(capsys, *argv: str) -> tuple[int, dict]:
    capsys.readouterr()
    code = await asyncio.to_thread(remit, list(argv))
    out = capsys.readouterr().out.strip().splitlines()
    return code, json.loads(out[-1]) if out else {}


async def send_from_wallet(gateway, sender, recipient_name: str, amount: str = "100.00") -> dict:
    quote = await gateway.quote(amount)
    body = gateway.remittance_body(quote["id"], sender["id"], name=recipient_name)
    headers = {**gateway.auth(), "Idempotency-Key": str(uuid.uuid4())}
    resp = await gateway.client.post("/v1/remittances", json=body, headers=headers)
    assert resp.status == 201, await resp.text()
    return await resp.json()


async def run_until(gateway, remittance_id: str, status: str) -> dict:
    """Advance the pipeline step by step until the remittance reaches `status`; the worker's
    claim ends there (lease given back), as if the process had paused between two steps."""
    worker = Worker(gateway.svc)
    for _ in range(50):
        current = await gateway.get(remittance_id)
        if current["status"] == status:
            return current
        rows = [r for r in await worker.claim(100) if r.id == remittance_id]
        assert rows, f"nothing due; stuck in {current['status']}"
        row = rows[0]
        while row is not None and row.status != status:
            row = await worker.step(row)
        if row is not None:
            await worker.release(row)
    raise AssertionError(f"{remittance_id} never reached {status}")


async def cases_of(gateway, remittance_id: str) -> list:
    query = sa.select(compliance_cases).where(compliance_cases.c.remittance_id == remittance_id)
    async with gateway.svc.engine.connect() as conn:
        return list(await conn.execute(query))


async def wallet(gateway, customer_id: str) -> Decimal:
    resp = await gateway.client.get(f"/v1/customers/{customer_id}/wallet", headers=gateway.auth())
    body = await resp.json()
    return sum(
        (Decimal(b["available"]) for b in body["balances"] if b["currency"] == "USD"), Decimal(0)
    )


async def decide(gateway, officers, case_id: str, decision: str, who: tuple[str, ...]) -> list:
    """Each officer in turn decides; returns the remittance's status after each decision."""
    after = []
    for officer in who:
        resp = await gateway.client.post(
            f"/v1/compliance/cases/{case_id}/decisions",
            json={"decision": decision, "reason": f"{decision}: reviewed the list entry"},
            headers=officers[officer].auth(),
        )
        assert resp.status in (200, 201), await resp.text()
        after.append((await resp.json())["remittance_status"])
    return after


async def case_view(gateway, officers, case_id: str) -> dict:
    resp = await gateway.client.get(
        f"/v1/compliance/cases/{case_id}", headers=officers["analyst"].auth()
    )
    assert resp.status == 200, await resp.text()
    return await resp.json()


async def load_lists(gateway, capsys, monkeypatch, lists) -> None:
    """The first version is the gateway's; the second is loaded later and re-screens."""
    from gateway.usecases import sanctions

    monkeypatch.setenv("REMIT_DATABASE_URL", gateway.svc.engine.url.render_as_string(False))
    assert (await cli(capsys, "sanctions", "load", str(lists[0])))[0] == 0
    assert await sanctions.refresh(gateway.svc)

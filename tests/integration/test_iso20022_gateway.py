"""The gateway with an ISO 20022 bank partner (the shipped GB-EU-SEPA corridor, whose partner
speaks iso20022 per the corridors file): a payout settled by the bank's pacs.002 callback, a
corrupted or unsigned callback refused with nothing written, a pacs.004 return refunded, and a
camt.053 statement reconciled (`remit reconcile --camt`)."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from corridors import iso20022 as iso
from corridors.iso20022_partner import Iso20022PayoutPartner
from corridors.signing import signature_headers
from corridors.simulator import Faults, create_simulator_app
from gateway.commands import main
from gateway.storage.tables import remittances
from gateway.usecases.reconcile import camt_statement, reconcile_payouts
from tests.partners_support import balance, register

PARTNER = "sim-eu-sepa"
SECRET = b"faulty-partner-secret"  # partners_support.register's
IBANS = ["DE89370400440532013000", "FR1420041010050500013M02606", "NL91ABNA0417164300"]


@pytest.fixture
async def bank(gateway, aiohttp_client):
    """The simulator's bank mode as PARTNER, its clock the gateway's; callbacks come to us."""

    def epoch() -> float:
        return gateway.clock().timestamp()

    async def make(faults: Faults):
        sim = await aiohttp_client(create_simulator_app(faults, SECRET, clock=epoch))
        await register(gateway, PARTNER, base_url=str(sim.make_url("")).rstrip("/"))
        return sim

    return make


async def send_eur(gateway, index: int, amount: str = "100.00") -> dict:
    sender = await gateway.customer(external_id=f"gb-{index}", country="GB")
    await gateway.top_up(sender["id"], "300.00", "GBP")
    quote = await gateway.quote(amount, send_currency="GBP", receive_currency="EUR")
    recipient = {"name": "Marie Dupont", "iban": IBANS[index % len(IBANS)]}
    resp = await gateway.client.post(
        "/v1/remittances",
        json={"quote_id": quote["id"], "sender_id": sender["id"], "recipient": recipient},
        headers={**gateway.auth(), "Idempotency-Key": str(uuid.uuid4())},
    )
    assert resp.status == 201, await resp.text()
    return {**(await resp.json()), "sender": sender["id"]}


async def row(gateway, remittance_id: str):
    async with gateway.svc.engine.connect() as conn:
        query = sa.select(remittances).where(remittances.c.id == remittance_id)
        return (await conn.execute(query)).one()


async def post_xml(gateway, body: bytes, secret: bytes = SECRET):
    headers = {
        "Content-Type": "application/xml",
        **signature_headers(secret, body, gateway.clock().timestamp()),
    }
    return await gateway.client.post(f"/v1/partner/callbacks/{PARTNER}", data=body, headers=headers)


def status_report(remittance_id: str, status: str, code: str | None = None) -> bytes:
    return iso.pacs002(
        msg_id="BANK1",
        created=datetime.now(UTC),
        original_msg_id="M1",
        original_message=iso.PACS008,
        end_to_end=iso.end_to_end_id(remittance_id),
        status=status,
        reason_code=code,
        info="BANK-REF-1" if status == "ACSC" else None,
    )


async def test_the_corridors_file_picks_the_iso_adapter(gateway, bank) -> None:
    await bank(Faults(seed=1))
    assert gateway.svc.partners.protocol(PARTNER) == "iso20022"
    assert isinstance(await gateway.svc.partners.payout(PARTNER), Iso20022PayoutPartner)
    assert gateway.svc.partners.protocol("sim-ph-wallet") == "remit"


async def test_bank_callback_settles_the_payout(gateway, bank) -> None:
    sim = await bank(Faults(seed=1, pay_delay_ms=1000))
    rem = await send_eur(gateway, 0)
    await gateway.drain()
    assert (await gateway.get(rem["id"]))["status"] == "payout_pending"  # ACSP: accepted
    deadline = asyncio.get_running_loop().time() + 10
    while (await row(gateway, rem["id"])).payout_status != "paid":  # the pacs.002 callback
        assert asyncio.get_running_loop().time() < deadline, "no callback arrived"
        await asyncio.sleep(0.02)  # waiting for the simulator's delayed payment, not a race
    await gateway.drain()
    final = await gateway.get(rem["id"])
    assert final["status"] == "paid_out"
    assert final["history"][-1]["reason"] == "partner confirmed the payout"
    seen = (await (await sim.get("/_sim/payouts")).json())["payouts"][rem["id"]]
    assert seen["payments"] == 1 and seen["callbacks"] == 1
    assert final["partner_reference"] == seen["partner_reference"]


@pytest.mark.parametrize(
    "corrupt",
    [
        lambda b: b.replace(b"ACSC", b"PAID"),  # not an ISO status we know
        lambda b: b.replace(b"<TxSts>", b"<TxStatus>").replace(b"</TxSts>", b"</TxStatus>"),
        lambda b: b[:-40],
        lambda b: b'{"payout_id": "x", "status": "paid"}',  # our JSON is not what it speaks
    ],
)
async def test_corrupted_callback_is_refused_and_changes_nothing(gateway, bank, corrupt) -> None:
    await bank(Faults(seed=1, pay_delay_ms=60_000))
    rem = await send_eur(gateway, 0)
    await gateway.drain()
    before = await row(gateway, rem["id"])
    resp = await post_xml(gateway, corrupt(status_report(rem["id"], "ACSC")))
    assert resp.status == 422
    problem = await resp.json()
    assert problem["status"] == 422 and problem["errors"][0]["field"] == "body"
    assert await row(gateway, rem["id"]) == before
    unsigned = await post_xml(gateway, status_report(rem["id"], "ACSC"), secret=b"wrong")
    assert unsigned.status == 401
    assert await row(gateway, rem["id"]) == before


async def test_rejection_and_return_take_the_refund_path(gateway, bank) -> None:
    await bank(Faults(seed=1, pay_delay_ms=60_000))
    rejected, returned = await send_eur(gateway, 0), await send_eur(gateway, 1)
    await gateway.drain()
    resp = await post_xml(gateway, status_report(rejected["id"], "RJCT", "AC04"))
    assert resp.status == 200 and (await resp.json())["applied"] is True
    ret = iso.pacs004(
        msg_id="RET1",
        created=datetime.now(UTC),
        end_to_end=iso.end_to_end_id(returned["id"]),
        amount=returned["receive_amount"],
        currency="EUR",
        reason_code="AC01",
    )
    assert (await post_xml(gateway, ret)).status == 200
    await gateway.drain()
    first, second = await gateway.get(rejected["id"]), await gateway.get(returned["id"])
    assert [h["to"] for h in first["history"]][-2:] == ["failed", "refunded"]
    assert first["failure_reason"] == "ACCOUNT_CLOSED"
    assert second["status"] == "refunded"
    assert second["failure_reason"] == "RETURNED_INVALID_ACCOUNT"
    assert await balance(gateway, rejected["sender"]) == "300.00"


async def test_camt053_with_one_missing_and_one_unknown_entry(
    gateway, bank, migrated_database_url, tmp_path, monkeypatch, capsys
) -> None:
    sim = await bank(Faults(seed=2))
    ids = [(await send_eur(gateway, i))["id"] for i in range(3)]
    await gateway.drain()
    assert {(await gateway.get(i))["status"] for i in ids} == {"paid_out"}
    statement = await (await sim.get("/_sim/statement.camt053")).read()
    clean = await reconcile_payouts(gateway.svc, PARTNER, None, records=camt_statement(statement))
    assert clean.clean and clean.matched == 3

    # The bank's statement lacks the second payout and lists one we never made.
    entries = [e for e in iso.statement_entries(statement) if e.payout_id != ids[1]]
    unknown = "rem_" + "9" * 32
    doctored = iso.camt053(
        msg_id="S2",
        created=datetime.now(UTC),
        account="ACC",
        currency="EUR",
        entries=[(e.payout_id, str(e.amount), e.reference) for e in entries]
        + [(unknown, "42.00", "BANK-X")],
    )
    result = await reconcile_payouts(gateway.svc, PARTNER, None, records=camt_statement(doctored))
    assert [r.key for r in result.missing] == [ids[1]]
    assert [r.key for r in result.extra] == [unknown]
    assert result.mismatched == [] and result.matched == 2

    monkeypatch.setenv("REMIT_DATABASE_URL", migrated_database_url)
    path = tmp_path / "camt053.xml"
    path.write_bytes(doctored)
    args = ["reconcile", "--partner", PARTNER, "--camt", str(path)]
    capsys.readouterr()
    assert await asyncio.to_thread(main, args) == 1
    out = capsys.readouterr().out
    report = json.loads(out[out.index("{\n") :])
    assert [r["key"] for r in report["missing"]] == [ids[1]]
    assert [r["key"] for r in report["extra"]] == [unknown]
    assert report["mismatched"] == []
    path.write_bytes(doctored.replace(b"<Cd>BOOK</Cd>", b"<Cd>XX</Cd>", 1))
    assert await asyncio.to_thread(main, args) == 1  # XX is a valid code, just not booked
    path.write_bytes(b"<Document/>")
    assert await asyncio.to_thread(main, args) == 2  # unreadable: not a camt statement

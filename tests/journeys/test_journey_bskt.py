"""Journey: a Singapore sender pays a mobile wallet in the Philippines through the shipped
basket-coin corridor (SG-PH-WALLET settles in BSKT). The conversion buys BSKT, its reserve moves
per component currency in whole creation units, the simulator pays out, and `remit ledger
check` proves supply = reserve (and catches a reserve row changed behind its back). A payout
that fails for good burns the coin, releases the reserve and refunds the wallet in full.
Public interfaces only: HTTP and the CLI (the tampering is by definition behind its back).

On the old main this corridor did not exist, and a BSKT corridor was refused at start."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import update

from fx.money import exponent
from gateway.commands import main as remit
from ledger_adapter.sql import A as ledger_accounts

COMPONENTS = ("USD", "EUR", "JPY", "GBP", "SGD")
PER_CREATION_UNIT = {"USD": 250, "EUR": 80, "JPY": 110, "GBP": 41, "SGD": 45}  # per 5 BSKT


async def _sg_sender(gateway, external_id: str = "sg-1") -> dict:
    body = {
        "external_id": external_id,
        "first_name": "Wei Ling",
        "last_name": "Tan",
        "mobile_number": "+6591234567",
        "mobile_number_verified": True,
        "country": "SG",
    }
    resp = await gateway.client.put("/v1/customers", json=body, headers=gateway.auth())
    assert resp.status in (200, 201), await resp.text()
    sender = await resp.json()
    resp = await gateway.client.post(
        f"/v1/customers/{sender['id']}/wallet/topups",
        json={"amount": "500.00", "currency": "SGD"},
        headers={**gateway.auth("operator"), "Idempotency-Key": str(uuid.uuid4())},
    )
    assert resp.status == 201, await resp.text()
    return sender


async def _pay(gateway, sender: dict, amount: str = "200.00") -> dict:
    body = {"send_currency": "SGD", "receive_currency": "PHP", "send_amount": amount}
    resp = await gateway.client.post("/v1/quotes", json=body, headers=gateway.auth())
    assert resp.status == 201, await resp.text()
    quote = await resp.json()
    assert quote["corridor_id"] == "SG-PH-WALLET"
    resp = await gateway.client.post(
        "/v1/remittances",
        json=gateway.remittance_body(quote["id"], sender["id"]),
        headers={**gateway.auth(), "Idempotency-Key": str(uuid.uuid4())},
    )
    assert resp.status == 201, await resp.text()
    rem = await resp.json()
    assert rem["settlement_asset"] == "BSKT"
    return rem


async def _account(gateway, account_id: str) -> dict:
    resp = await gateway.client.get(
        f"/v1/ledger/accounts/{account_id}", headers=gateway.auth("operator")
    )
    assert resp.status == 200, await resp.text()
    return await resp.json()


def _minor(amount: str, asset: str) -> int:
    return int(Decimal(amount).scaleb(exponent(asset)))


async def _wallet_sgd(gateway, sender: dict) -> str:
    resp = await gateway.client.get(f"/v1/customers/{sender['id']}/wallet", headers=gateway.auth())
    [sgd] = [b for b in (await resp.json())["balances"] if b["currency"] == "SGD"]
    return sgd["available"]


async def _reserve_moves(gateway) -> dict[str, list[tuple[str, int]]]:
    """Each component account's transfers as (code, signed amount into the reserve)."""
    moves = {}
    for cur in COMPONENTS:
        account = await _account(gateway, f"reserve:BSKT:{cur}")
        moves[cur] = [
            (
                t["code"],
                _minor(t["amount"], cur) * (1 if t["credit_account"] == account["id"] else -1),
            )
            for t in account["history"]
        ]
    return moves


def _ledger_check(gateway, monkeypatch) -> int:
    monkeypatch.setenv("REMIT_DATABASE_URL", gateway.svc.engine.url.render_as_string(False))
    return remit(["ledger", "check"])


async def test_bskt_corridor_pays_out_and_the_ledger_proves_the_reserve(
    gateway, monkeypatch, capsys
) -> None:
    sender = await _sg_sender(gateway)
    rem = await _pay(gateway, sender)
    await gateway.drain()
    final = await gateway.get(rem["id"])
    assert final["status"] == "paid_out", final["history"]
    [minted] = [h["reason"] for h in final["history"] if h["to"] == "converted"]
    assert "BSKT bought at the basket's value" in minted, minted
    assert "BSKT minted in whole creation units" in minted and "kept as change" in minted
    assert await _wallet_sgd(gateway, sender) == "300.00"

    # The reserve moved by whole creation units of every component, and back at the burn.
    moves = await _reserve_moves(gateway)
    [(code, gbp)] = [m for m in moves["GBP"] if m[1] > 0]
    assert code == "mint" and gbp % 41 == 0
    units = gbp // 41
    for cur in COMPONENTS:
        assert sorted(moves[cur]) == sorted(
            [("mint", units * PER_CREATION_UNIT[cur]), ("burn", -units * PER_CREATION_UNIT[cur])]
        ), cur
    # The coin bought (about 153 BSKT for 195.50 SGD of principal) is what the partner held.
    partner_coin = await _account(gateway, "partner:sim-ph-wallet:BSKT")
    [delivered] = {
        _minor(t["amount"], "BSKT") for t in partner_coin["history"] if t["code"] == "payout"
    }  # the pending transfer and its post
    assert units * 5_000_000 - 5_000_000 < delivered <= units * 5_000_000
    change = await _account(gateway, "change:BSKT")
    assert Decimal(change["credit_balance"]) == 0  # the change was burnt with its remittance
    assert await asyncio.to_thread(_ledger_check, gateway, monkeypatch) == 0

    # One pence of the GBP reserve moved behind the ledger's back: check fails and says so.
    async with gateway.svc.engine.begin() as conn:
        await conn.execute(
            update(ledger_accounts)
            .where(ledger_accounts.c.id == "reserve:BSKT:GBP")
            .values(credits_posted=ledger_accounts.c.credits_posted + 1)
        )
        await conn.execute(
            update(ledger_accounts)
            .where(ledger_accounts.c.id == "fx_position:GBP")
            .values(debits_posted=ledger_accounts.c.debits_posted + 1)
        )
    capsys.readouterr()
    assert await asyncio.to_thread(_ledger_check, gateway, monkeypatch) == 1
    err = capsys.readouterr().err
    assert "BSKT: supply 0 needs 0 GBP in reserve, reserve:BSKT:GBP holds 1" in err, err
    # Put it back, so the fixture's own check finds the books it left.
    async with gateway.svc.engine.begin() as conn:
        await conn.execute(
            update(ledger_accounts)
            .where(ledger_accounts.c.id == "reserve:BSKT:GBP")
            .values(credits_posted=ledger_accounts.c.credits_posted - 1)
        )
        await conn.execute(
            update(ledger_accounts)
            .where(ledger_accounts.c.id == "fx_position:GBP")
            .values(debits_posted=ledger_accounts.c.debits_posted - 1)
        )


@pytest.fixture
def sim_faults() -> dict:
    """The partner simulator's; journeys below make payouts fail, or wait an hour to pay."""
    return {"seed": 3}


@pytest.mark.parametrize("sim_faults", [{"seed": 3, "fail_rate": 1.0}])
async def test_bskt_payout_failure_burns_the_coin_and_refunds_in_full(
    gateway, monkeypatch, sim_faults
) -> None:
    sender = await _sg_sender(gateway, "sg-2")
    rem = await _pay(gateway, sender, "123.45")
    await gateway.drain()
    final = await gateway.get(rem["id"])
    assert final["status"] == "refunded", final["history"]
    walked = [h["to"] for h in final["history"]]
    assert walked.index("converted") < walked.index("failed") < walked.index("refunded")
    assert await _wallet_sgd(gateway, sender) == "500.00"  # principal and fee back
    for cur in COMPONENTS:  # every component released: minted, then unminted at once
        account = await _account(gateway, f"reserve:BSKT:{cur}")
        assert Decimal(account["credit_balance"]) == 0
        assert {t["code"] for t in account["history"]} == {"mint", "burn"}
    supply = await _account(gateway, "issuance:BSKT")
    assert Decimal(supply["debit_balance"]) == 0
    assert await asyncio.to_thread(_ledger_check, gateway, monkeypatch) == 0


def _eurofxref_without_basket_legs(day) -> bytes:
    """An ECB daily file that prices SGD -> PHP (and USD, for limits) but not JPY or GBP."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" '
        'xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">'
        f'<Cube><Cube time="{day.isoformat()}"><Cube currency="USD" rate="1.0550"/>'
        '<Cube currency="SGD" rate="1.5120"/><Cube currency="PHP" rate="61.20"/>'
        "</Cube></Cube></gesmes:Envelope>"
    ).encode()


@pytest.mark.parametrize("gateway_settings", [{"rates_mode": "strict"}])
async def test_bskt_conversion_without_a_rate_fails_and_refunds_in_full(
    gateway, monkeypatch, tmp_path, gateway_settings
) -> None:
    """Funded, but the basket cannot be priced (no JPY, GBP rate): the money is not held in
    `funded` for ever (the old main retried `KeyError: 'BSKT'` there); it fails and comes back."""
    monkeypatch.setenv("REMIT_DATABASE_URL", gateway.svc.engine.url.render_as_string(False))
    rates = tmp_path / "eurofxref-daily.xml"
    yesterday = gateway.clock().date() - timedelta(days=1)
    rates.write_bytes(_eurofxref_without_basket_legs(yesterday))
    assert await asyncio.to_thread(remit, ["rates", "refresh", str(rates)]) == 0
    sender = await _sg_sender(gateway, "sg-3")
    rem = await _pay(gateway, sender, "80.00")
    await gateway.drain()
    final = await gateway.get(rem["id"])
    assert final["status"] == "refunded", final["history"]
    walked = [h["to"] for h in final["history"]]
    assert walked[walked.index("funded") :] == ["funded", "failed", "refunded"]
    [why] = [h["reason"] for h in final["history"] if h["to"] == "failed"]
    assert why.startswith("conversion into BSKT impossible"), why
    assert await _wallet_sgd(gateway, sender) == "500.00"
    supply = await _account(gateway, "issuance:BSKT")
    assert supply["history"] == []  # nothing was minted
    assert await asyncio.to_thread(_ledger_check, gateway, monkeypatch) == 0


@pytest.mark.parametrize("sim_faults", [{"seed": 3, "pay_delay_ms": 3_600_000}])
async def test_bskt_cancel_after_payment_burns_the_coin_and_refunds_in_full(
    gateway, monkeypatch, sim_faults
) -> None:
    """Converted and instructed, not yet paid: the sender cancels within the window; the
    partner withdraws it, the coin is burnt, the reserve released, everything refunded."""
    sender = await _sg_sender(gateway, "sg-4")
    rem = await _pay(gateway, sender, "250.00")
    await gateway.drain()
    assert (await gateway.get(rem["id"]))["status"] == "payout_pending"
    supply = await _account(gateway, "issuance:BSKT")
    assert Decimal(supply["debit_balance"]) > 0  # the coin is out, held for the partner
    assert await asyncio.to_thread(_ledger_check, gateway, monkeypatch) == 0  # in flight too
    resp = await gateway.client.post(f"/v1/remittances/{rem['id']}/cancel", headers=gateway.auth())
    assert resp.status == 200, await resp.text()
    await gateway.drain()
    final = await gateway.get(rem["id"])
    assert final["status"] == "cancelled", final["history"]
    assert await _wallet_sgd(gateway, sender) == "500.00"
    supply = await _account(gateway, "issuance:BSKT")
    assert Decimal(supply["debit_balance"]) == 0
    for cur in COMPONENTS:
        assert Decimal((await _account(gateway, f"reserve:BSKT:{cur}"))["credit_balance"]) == 0
    assert await asyncio.to_thread(_ledger_check, gateway, monkeypatch) == 0

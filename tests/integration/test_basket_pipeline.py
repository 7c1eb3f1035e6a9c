"""A basket conversion that runs again after a crash (ledger batch written, transition not yet
committed) reuses the coin amount it booked, even when the basket's value has moved since:
the mint's ids never conflict and nothing is minted twice."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from types import SimpleNamespace

from gateway.commands import main as remit
from gateway.domain.outcomes import Advance
from gateway.pipeline import payout
from gateway.storage import remittances as store
from gateway.usecases import rates as firm_rates
from ledger_adapter.sessions import reading
from tests.journeys.test_journey_bskt import _pay, _sg_sender


def _eurofxref(day) -> bytes:
    """Every basket component, at values well away from the sample rates."""
    cubes = {"USD": "1.30", "JPY": "190", "GBP": "0.95", "SGD": "1.70", "PHP": "70"}
    body = "".join(f'<Cube currency="{c}" rate="{r}"/>' for c, r in cubes.items())
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" '
        'xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">'
        f'<Cube><Cube time="{day.isoformat()}">{body}</Cube></Cube></gesmes:Envelope>'
    ).encode()


async def test_a_repeated_basket_conversion_reuses_the_booked_coin(
    gateway, monkeypatch, tmp_path
) -> None:
    svc = gateway.svc
    sender = await _sg_sender(gateway)
    rem = await _pay(gateway, sender)
    await gateway.drain()
    async with reading(svc.engine) as conn:
        row = await store.get(conn, rem["id"])
    bought = row.settlement_minor
    assert row.status == "paid_out" and bought > 0
    before = await svc.rates.rate("BSKT", "SGD")

    monkeypatch.setenv("REMIT_DATABASE_URL", svc.engine.url.render_as_string(False))
    rates = tmp_path / "eurofxref-daily.xml"
    rates.write_bytes(_eurofxref(gateway.clock().date() - timedelta(days=1)))
    assert await asyncio.to_thread(remit, ["rates", "refresh", str(rates)]) == 0
    assert await firm_rates.reload(svc)
    assert (await svc.rates.rate("BSKT", "SGD")).value != before.value  # the basket moved

    journal = await svc.ledger.history("issuance:BSKT")
    # The row as it was when the worker claimed it at `funded`: nothing fixed on it yet.
    replayed = SimpleNamespace(**{**row._asdict(), "status": "funded", "settlement_minor": None})
    outcome = await payout.convert(svc, replayed)
    assert isinstance(outcome, Advance) and outcome.fields["settlement_minor"] == bought
    assert await svc.ledger.history("issuance:BSKT") == journal  # nothing minted again
    assert await svc.ledger.check() == []

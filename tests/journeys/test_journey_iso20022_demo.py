"""Journey: an operator runs `remit demo --partner iso20022` and a GBP sender's remittance is
paid to a euro IBAN through the simulator's ISO 20022 bank mode (pacs.008 out, pacs.002 back,
both schema-checked on each side), the ledger balanced."""

import json

from gateway.commands import main


def test_demo_pays_out_through_the_iso20022_bank(monkeypatch, capsys) -> None:
    monkeypatch.delenv("REMIT_DATABASE_URL", raising=False)
    monkeypatch.delenv("REMIT_RATES_MODE", raising=False)
    assert main(["demo", "--partner", "iso20022"]) == 0
    out = capsys.readouterr().out
    assert "iso20022 protocol, partner sim-eu-sepa" in out
    summary = json.loads(out.strip().splitlines()[-1])
    assert summary["status"] == "paid_out" and summary["receive_currency"] == "EUR"
    assert summary["send_currency"] == "GBP" and summary["ledger_balanced"] is True
    assert summary["partner_reference"].startswith("SIM-")

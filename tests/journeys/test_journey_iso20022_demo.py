"""Journey: an operator runs `remit demo --partner iso20022` and a GBP sender's remittance is
paid to a euro IBAN through the simulator's ISO 20022 bank mode (pacs.008 out, pacs.002 back,
both schema-checked on each side), the ledger balanced."""

from tests.journeys.conftest import run_demo


def test_demo_pays_out_through_the_iso20022_bank(monkeypatch, capsys) -> None:
    out, summary = run_demo(monkeypatch, capsys, "iso20022")
    assert "iso20022 protocol, partner sim-eu-sepa" in out
    assert summary["status"] == "paid_out" and summary["receive_currency"] == "EUR"
    assert summary["send_currency"] == "GBP" and summary["ledger_balanced"] is True
    assert summary["partner_reference"].startswith("SIM-")

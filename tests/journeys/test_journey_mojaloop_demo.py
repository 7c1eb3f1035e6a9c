"""Journey: an operator runs `remit demo --partner mojaloop` and a US sender's remittance is
paid to a Kenyan mobile wallet through the simulator's Mojaloop switch mode (party lookup,
quote, transfer; each answered 202, then a JWS-signed PUT callback), the ledger balanced."""

from tests.journeys.conftest import run_demo


def test_demo_pays_out_through_the_mojaloop_switch(monkeypatch, capsys) -> None:
    out, summary = run_demo(monkeypatch, capsys, "mojaloop")
    assert "mojaloop protocol, partner sim-ke-mojaloop" in out
    assert summary["status"] == "paid_out" and summary["receive_currency"] == "KES"
    assert summary["ledger_balanced"] is True

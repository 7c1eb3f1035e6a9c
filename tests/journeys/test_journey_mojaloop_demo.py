"""Journey: an operator runs `remit demo --partner mojaloop` and a US sender's remittance is
paid to a Kenyan mobile wallet through the simulator's Mojaloop switch mode (party lookup,
quote, transfer; each answered 202, then a JWS-signed PUT callback), the ledger balanced."""

import json

from gateway.commands import main


def test_demo_pays_out_through_the_mojaloop_switch(monkeypatch, capsys) -> None:
    monkeypatch.delenv("REMIT_DATABASE_URL", raising=False)
    monkeypatch.delenv("REMIT_RATES_MODE", raising=False)
    assert main(["demo", "--partner", "mojaloop"]) == 0
    out = capsys.readouterr().out
    assert "mojaloop protocol, partner sim-ke-mojaloop" in out
    summary = json.loads(out.strip().splitlines()[-1])
    assert summary["status"] == "paid_out" and summary["receive_currency"] == "KES"
    assert summary["ledger_balanced"] is True

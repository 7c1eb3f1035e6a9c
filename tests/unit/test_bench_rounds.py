"""The benchmark's comparison rounds: variants alternate A B, B A (so a change of load on a
shared machine falls on both alike), every round is kept, and the cost is that of the means."""

from __future__ import annotations

from bench import e2e


def _closed(rate: float, gateway_ms: float) -> dict:
    closed = {"e2e_per_s": rate, "cpu_ms_per_remittance": {"gateway": gateway_ms}}
    return {"closed_loop": closed, "paced": {}}


def test_rounds_alternate_and_each_is_reported(monkeypatch, tmp_path) -> None:
    order = []

    def run_sqlite(opts, workdir, variant=e2e.BASE):
        order.append((variant.encrypt, variant.chain))
        rate = 90.0 if variant.encrypt else 100.0
        return _closed(rate + len(order), 11.0 if variant.encrypt else 10.0)

    monkeypatch.setattr(e2e, "run_sqlite", run_sqlite)
    opts = e2e.Options(compare_encryption=True, rounds=3, no_chain=True)
    report = e2e.run_all(opts, sqlite=True, postgres=False, ceilings=False, others=False)
    on, off = (True, False), (False, False)
    assert order == [on, off, off, on, on, off]  # A B, B A, A B; all without the chain
    assert set(report["e2e"]) == {
        "sqlite",
        "sqlite-plain",
        "sqlite#2",
        "sqlite-plain#2",
        "sqlite#3",
        "sqlite-plain#3",
    }
    cost = report["encryption_cost"]["sqlite"]
    assert [r["encrypted_per_s"] for r in cost["rounds"]] == [91.0, 94.0, 95.0]
    assert [r["plain_per_s"] for r in cost["rounds"]] == [102.0, 103.0, 106.0]
    assert cost["encrypted_per_s"] == round((91 + 94 + 95) / 3, 1)
    assert cost["plain_per_s"] == round((102 + 103 + 106) / 3, 1)
    assert cost["rate_cost_pct"] == round(100 * (103.7 - 93.3) / 103.7, 1)
    assert cost["rounds"][0]["gateway_cpu_ms"] == [11.0, 10.0]


def test_one_round_is_as_before() -> None:
    e2e_figures = {"postgres": _closed(90.0, 11.0), "postgres-plain": _closed(100.0, 10.0)}
    assert e2e.encryption_cost(e2e_figures) == {
        "postgres": {"encrypted_per_s": 90.0, "plain_per_s": 100.0, "rate_cost_pct": 10.0}
    }

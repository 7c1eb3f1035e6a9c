"""A corridor whose settlement coin the ledger cannot settle is refused when the gateway starts,
not discovered after the sender's money is taken (#21: BSKT stopped every remittance at
`funded` with `KeyError: 'BSKT'`). The ledger now settles BSKT (#23), so the refusal is shown
with a coin it still cannot settle (USDT, which the gateway does not define)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from corridors.config import CorridorConfigError, check_settleable, load_corridors
from ledger_adapter import chart

SHIPPED = resources.files("corridors").joinpath("data/corridors.toml").read_text("utf-8")


def with_corridor_in(tmp_path: Path, coin: str) -> str:
    path = tmp_path / "corridors.toml"
    path.write_text(
        SHIPPED.replace(
            "[corridors.US-PH-WALLET]\n",
            f'[corridors.US-PH-WALLET]\nsettlement_asset = "{coin}"\n',
        )
    )
    return str(path)


def with_basket_corridor(tmp_path: Path) -> str:
    return with_corridor_in(tmp_path, "USDT")


def test_the_shipped_corridors_settle_in_coins_the_ledger_settles() -> None:
    check_settleable(load_corridors(), chart.SETTLEABLE)  # raises on a coin it cannot settle


def test_a_shipped_corridor_settles_in_the_basket_coin() -> None:
    corridors = load_corridors(settleable=chart.SETTLEABLE)
    assert "BSKT" in {c.settlement_asset for c in corridors.values()}


def test_a_coin_the_ledger_cannot_settle_is_refused_with_its_corridor(tmp_path) -> None:
    path = with_basket_corridor(tmp_path)
    assert load_corridors(path)["US-PH-WALLET"].settlement_asset == "USDT"  # a valid file
    with pytest.raises(CorridorConfigError) as refused:
        load_corridors(path, settleable=chart.SETTLEABLE)
    message = str(refused.value)
    assert "US-PH-WALLET: settlement_asset USDT cannot be settled by the ledger" in message
    assert "settleable coins: BSKT, EURC, USDC" in message


def test_the_basket_coin_is_no_longer_refused(tmp_path) -> None:
    path = with_corridor_in(tmp_path, "BSKT")
    corridors = load_corridors(path, settleable=chart.SETTLEABLE)
    assert corridors["US-PH-WALLET"].settlement_asset == "BSKT"


def test_remit_serve_says_why_and_exits(tmp_path, monkeypatch, capsys) -> None:
    from gateway.commands import main as remit

    monkeypatch.setenv("REMIT_CORRIDORS_FILE", with_basket_corridor(tmp_path))
    monkeypatch.setenv("REMIT_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    assert remit(["serve", "--port", "1"]) == 2
    assert "US-PH-WALLET: settlement_asset USDT cannot be settled" in capsys.readouterr().err
    assert not (tmp_path / "x.db").exists()  # refused before anything was written

"""A corridor whose settlement coin the ledger cannot settle is refused when the gateway starts,
not discovered after the sender's money is taken (#21: BSKT stopped every remittance at
`funded` with `KeyError: 'BSKT'`)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from corridors.config import CorridorConfigError, check_settleable, load_corridors
from gateway.bootstrap import open_services
from gateway.config import Settings
from ledger_adapter import chart

SHIPPED = resources.files("corridors").joinpath("data/corridors.toml").read_text("utf-8")


def with_basket_corridor(tmp_path: Path) -> str:
    path = tmp_path / "corridors.toml"
    path.write_text(
        SHIPPED.replace(
            "[corridors.US-PH-WALLET]\n",
            '[corridors.US-PH-WALLET]\nsettlement_asset = "BSKT"\n',
        )
    )
    return str(path)


def test_the_shipped_corridors_settle_in_coins_the_ledger_settles() -> None:
    check_settleable(load_corridors(), chart.SUPPLY_PAIRS)  # raises on a coin it cannot settle


def test_a_coin_the_ledger_cannot_settle_is_refused_with_its_corridor(tmp_path) -> None:
    path = with_basket_corridor(tmp_path)
    assert load_corridors(path)["US-PH-WALLET"].settlement_asset == "BSKT"  # a valid file
    with pytest.raises(CorridorConfigError) as refused:
        load_corridors(path, settleable=chart.SUPPLY_PAIRS)
    message = str(refused.value)
    assert "US-PH-WALLET: settlement_asset BSKT cannot be settled by the ledger" in message
    assert "settleable coins: EURC, USDC" in message


async def test_the_gateway_refuses_to_start_on_such_a_file(tmp_path, migrated_database_url):
    settings = Settings(
        database_url=migrated_database_url, corridors_file=with_basket_corridor(tmp_path)
    )
    with pytest.raises(CorridorConfigError, match="BSKT cannot be settled"):
        async with open_services(settings, migrate=False):
            pass


def test_remit_serve_says_why_and_exits(tmp_path, monkeypatch, capsys) -> None:
    from gateway.commands import main as remit

    monkeypatch.setenv("REMIT_CORRIDORS_FILE", with_basket_corridor(tmp_path))
    monkeypatch.setenv("REMIT_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    assert remit(["serve", "--port", "1"]) == 2
    assert "US-PH-WALLET: settlement_asset BSKT cannot be settled" in capsys.readouterr().err
    assert not (tmp_path / "x.db").exists()  # refused before anything was written

"""Sanctions lists in the database: load activates a version atomically, a corrupt file is
refused with the previous version still active, running gateways swap to a new version,
screening fails closed and names the version (`remit sanctions screen`:
tests/unit/test_sanctions_cli_screen.py)."""

from __future__ import annotations

from compliance.sanctions import SanctionsListError, Screener
from gateway.commands import main
from gateway.usecases import sanctions
from tests.kyc_gateway_support import default_logging  # noqa: F401
from tests.rescreening_support import cases_of
from tests.unit.test_sanctions_cli_screen import _files


async def test_load_activates_and_a_corrupt_file_keeps_the_previous_version(
    gateway, small_lists, tmp_path
):
    engine = gateway.svc.engine
    list_id, screener = await sanctions.load_files(
        engine, _files(small_lists, "sdn.csv"), gateway.clock()
    )
    assert screener.entry_count > 100
    corrupt = tmp_path / "sdn.csv.gz"
    corrupt.write_bytes(b"\x1f\x8b not really gzip")
    try:
        await sanctions.load_files(engine, [corrupt], gateway.clock())
        raise AssertionError("a corrupt file was accepted")
    except SanctionsListError as exc:
        assert "sdn.csv.gz" in str(exc)
    active = await sanctions.active_list(engine)
    assert active.id == list_id and active.version == screener.version
    assert len(await sanctions.list_versions(engine)) == 1  # nothing of the bad load stored
    rebuilt = await sanctions.screener_of(engine, list_id)
    assert rebuilt.version == screener.version and rebuilt.entry_count == screener.entry_count


async def test_running_gateway_swaps_to_the_new_active_version(gateway, small_lists):
    svc = gateway.svc
    injected = svc.screening.current
    assert await sanctions.refresh(svc) is False  # nothing stored yet: keep what we have
    list_id, loaded = await sanctions.load_files(
        svc.engine, _files(small_lists, "sdn.csv"), gateway.clock()
    )
    assert await sanctions.refresh(svc) is True
    assert svc.screening.list_id == list_id
    assert svc.screening.current.version == loaded.version != injected.version
    assert await sanctions.refresh(svc) is False


async def test_no_list_loaded_holds_everything_and_the_case_names_the_version(gateway):
    gateway.svc.screening.current = Screener.empty()
    rem = await gateway.send("50.00")
    await gateway.drain()
    assert (await gateway.get(rem["id"]))["status"] == "on_hold"
    [case] = await cases_of(gateway, rem["id"])
    assert case.list_version == "empty" and case.status == "open"
    assert "fails closed" in " ".join(case.evidence["reasons"])
    assert set(case.evidence) >= {"sanctions", "aml", "reasons"}


async def test_listed_recipient_is_held_with_the_hit_and_not_released(gateway, screener):
    sender = await gateway.customer()
    quote = await gateway.quote("50.00")
    body = gateway.remittance_body(quote["id"], sender["id"], name="Vladimir Vladimirovich Putin")
    resp = await gateway.client.post(
        "/v1/remittances", json=body, headers={**gateway.auth(), "Idempotency-Key": "k-listed"}
    )
    assert resp.status == 201
    rem = await resp.json()
    await gateway.drain()
    gateway.clock.advance(hours=2)
    await gateway.drain()  # time passing releases nothing
    assert (await gateway.get(rem["id"]))["status"] == "on_hold"
    [case] = await cases_of(gateway, rem["id"])
    hits = case.evidence["sanctions"]
    assert hits and hits[0]["party"] == "recipient"
    assert case.list_version == screener.version == hits[0]["list_version"]


def test_cli_load_refuses_a_corrupt_file(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("REMIT_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    bad = tmp_path / "sdn.csv"
    bad.write_text("")
    assert main(["sanctions", "load", str(bad)]) == 2
    out = capsys.readouterr()
    assert "previous lists stay active" in out.err and out.out == ""

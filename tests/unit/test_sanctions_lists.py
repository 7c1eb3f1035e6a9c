"""Loaders and screening on the real OFAC SDN and UN lists (loaded once for the module)."""

from __future__ import annotations

import gzip
import shutil
from collections import Counter
from pathlib import Path

import pytest

from compliance.sanctions import (
    SanctionsListError,
    Screener,
    list_files,
    load_report,
    screen_report,
    snapshot_dir,
)
from compliance.sanctions.sources import load_lists
from tests.conftest import SANCTIONS_DIR

LISTS = SANCTIONS_DIR


@pytest.fixture(scope="module")
def screener() -> Screener:
    if not LISTS.is_dir():
        pytest.fail(f"sanctions fixtures missing: {LISTS}")
    return Screener.from_files(list_files(LISTS))


def kinds(screener: Screener, list_name: str) -> Counter[str | None]:
    return Counter(e.kind for e in screener.lists.entries if e.list_name == list_name)


def test_row_counts_match_source_notes(screener: Screener) -> None:
    ofac = kinds(screener, "OFAC-SDN")
    assert (ofac["individual"], ofac["entity"], ofac["vessel"], ofac["aircraft"]) == (
        6854,
        6884,
        851,
        376,
    )
    assert ofac["individual"] + ofac["entity"] + ofac["vessel"] + ofac["aircraft"] == 14965
    un = kinds(screener, "UN-SC")
    assert (un["individual"], un["entity"]) == (730, 273)
    records = {s.kind: s.records for s in screener.sources}
    assert records == {
        "ofac-sdn": 14965,
        "ofac-alt": 20260,
        "ofac-add": 24776,
        "ofac-comments": 28,
        "un-consolidated": 1003,
    }


def test_orphan_aliases_are_screened_as_standalone_entries(screener: Screener) -> None:
    orphans = [e for e in screener.lists.entries if e.kind is None]
    assert len(orphans) == 1724  # distinct alt.csv ent_nums absent from sdn.csv
    assert all(e.list_name == "OFAC-SDN" and e.name for e in orphans)
    counted = {s.kind: (s.skipped, s.orphans) for s in screener.sources}
    assert counted["ofac-alt"] == (0, 2727) and counted["ofac-comments"] == (0, 6)


def test_entry_carries_aliases_countries_programs_and_original_script(screener: Screener) -> None:
    by_id = {(e.list_name, e.entry_id): e for e in screener.lists.entries}
    cuba = by_id["OFAC-SDN", "306"]
    assert cuba.name == "BANCO NACIONAL DE CUBA"
    assert "NATIONAL BANK OF CUBA" in cuba.aliases
    assert {"CH", "ES", "JP"} <= set(cuba.countries)
    assert cuba.programs == ("CUBA",)
    saddam = by_id["UN-SC", "IQi.001"]
    assert "صدام حسين التكريتي" in saddam.aliases
    assert saddam.countries == ("IQ",)
    assert str(saddam.birth_dates[0]) == "1937-04-28"


def test_version_is_a_content_hash_with_the_list_date(screener: Screener) -> None:
    assert screener.version.startswith("sha256:")
    assert screener.version.endswith("@2026-02-27")
    un_only = Screener.from_files(str(LISTS / "UN_consolidated.xml"))  # one path, not a list
    assert un_only.version != screener.version


@pytest.mark.parametrize(
    ("query", "entry_id"),
    [
        ("Saddam Hussein al-Tikriti", "IQi.001"),
        ("al-tikriti saddam hussein", "IQi.001"),  # word order, case
        ("Sadam Husein Al Tikriti", "IQi.001"),  # typos
        ("صدام حسين التكريتي", "IQi.001"),  # original script
        ("Vladimir Putin", "35096"),
        ("Putin, Vladimir", "35096"),
        ("Yevgeniy Prigozhin", "21171"),  # transliteration variant
        ("Евгений Пригожин", "21171"),  # Cyrillic
        ("Banco Nacional de Cuba", "306"),
        ("Banco Nacionel de Cuba S.A.", "306"),  # typo and legal form
        ("Kim Jong Un", "20157"),
        ("Jong Un KIM", "20157"),
    ],
)
def test_listed_names_are_found(screener: Screener, query: str, entry_id: str) -> None:
    hits = screener.screen(query)
    assert entry_id in [h.entry_id for h in hits[:5]], [h.to_dict() for h in hits[:5]]


def test_dropped_middle_name_still_hits(screener: Screener) -> None:
    entry = next(e for e in screener.lists.entries if e.entry_id == "CDi.002")
    assert entry.name == "FRANK KAKOLELE BWAMBALE"
    hits = screener.screen("Frank Bwambale")
    assert hits and hits[0].entry_id == "CDi.002"


@pytest.mark.parametrize(
    "query",
    [
        "John Smith",
        "Maria Garcia",
        "Mohammed Ahmed",
        "Wang Wei",
        "Li Wei",
        "Nguyen Van Minh",
        "Juan Carlos Rodriguez",
        "Priya Sharma",
        "Olga Ivanova",
        "Fatima Hassan",
        "Maria dela Cruz",
    ],
)
def test_ordinary_names_are_not_hit(screener: Screener, query: str) -> None:
    hits = screener.screen(query, kind="individual")
    assert hits == [], [h.to_dict() for h in hits[:3]]


def test_hit_explains_itself(screener: Screener) -> None:
    hit = screener.screen("Banco Nacional de Cuba")[0]
    assert (hit.list_name, hit.entry_id, hit.kind) == ("OFAC-SDN", "306", "entity")
    assert hit.matched_name == "BANCO NACIONAL DE CUBA"
    assert 0.99 <= hit.score <= 1.0
    assert hit.list_version == screener.version
    data = hit.to_dict()
    assert data["programs"] == ["CUBA"] and data["why"]


def test_kind_filter(screener: Screener) -> None:
    assert screener.screen("Banco Nacional de Cuba", kind="entity")
    assert not [
        h
        for h in screener.screen("Banco Nacional de Cuba", kind="individual")
        if h.entry_id == "306"
    ]
    with pytest.raises(ValueError):
        screener.screen("x", kind="person")


def test_dob_and_country_change_the_score(screener: Screener) -> None:
    def score(**evidence: str) -> float:
        hits = screener.screen("Saddam Hussein al-Tikriti", threshold=0.5, **evidence)
        return next(h.score for h in hits if h.entry_id == "IQi.001")

    def name_only() -> float:
        return next(
            h.name_score
            for h in screener.screen("Saddam Hussein al-Tikriti", threshold=0.5, dob="1937-04-28")
            if h.entry_id == "IQi.001"
        )

    plain = name_only()
    assert score(dob="1990-01-01") < plain
    assert score(country="FR") < plain
    weak = screener.screen("Sadam Husein al-Tikriti", threshold=0.5)
    weak_score = next(h.score for h in weak if h.entry_id == "IQi.001")
    confirmed = screener.screen(
        "Sadam Husein al-Tikriti", threshold=0.5, dob="1937-04-28", country="Iraq"
    )
    assert next(h.score for h in confirmed if h.entry_id == "IQi.001") > weak_score
    why = next(h.why for h in confirmed if h.entry_id == "IQi.001")
    assert any("date of birth matches" in w for w in why)
    assert any("country IQ" in w for w in why)


def test_threshold_is_configurable(screener: Screener) -> None:
    strict = screener.with_threshold(0.99)
    assert strict.threshold == 0.99 and strict.entry_count == screener.entry_count
    assert strict._index is screener._index  # no reload, no copy
    assert len(strict.screen("Sadam Husein Al Tikriti")) < len(
        screener.screen("Sadam Husein Al Tikriti")
    )
    with pytest.raises(ValueError):
        screener.with_threshold(1.5)


def test_empty_screener_is_not_loaded() -> None:
    empty = Screener.empty()
    assert empty.entry_count == 0 and empty.version == "empty"
    assert empty.screen("Vladimir Putin") == []


def test_gzip_files_and_content_detection(tmp_path: Path) -> None:
    for name in ("sdn.csv", "UN_consolidated.xml"):
        with (LISTS / name).open("rb") as src, gzip.open(tmp_path / f"{name}.gz", "wb") as dst:
            shutil.copyfileobj(src, dst)
    shutil.copy(LISTS / "alt.csv", tmp_path / "aliases-2026.csv")  # kind found from content
    loaded = load_lists([tmp_path])  # a directory stands for its list files
    assert {s.kind for s in loaded.sources} == {"ofac-sdn", "ofac-alt", "un-consolidated"}
    assert sum(1 for e in loaded.entries if e.list_name == "UN-SC") == 1003


def test_snapshot_is_the_same_lists_compressed(screener: Screener) -> None:
    # from_snapshot() is from_files(snapshot_dir()); parsing alone proves the shipped copy
    # equals the fixtures (same uncompressed sha256, hence the same version)
    shipped = load_lists([snapshot_dir()])
    assert all(s.path.endswith(".gz") for s in shipped.sources)
    assert Screener(shipped, _index=screener._index).version == screener.version
    assert len(shipped.entries) == screener.entry_count == 17692


def test_one_bad_file_refuses_the_whole_load(screener: Screener, tmp_path: Path) -> None:
    for name in ("sdn.csv", "alt.csv"):
        shutil.copy(LISTS / name, tmp_path / name)
    cut = (LISTS / "add.csv").read_bytes()
    (tmp_path / "add.csv").write_bytes(cut[: len(cut) // 2])  # truncated download
    with pytest.raises(SanctionsListError) as err:
        Screener.from_files(list_files(tmp_path))
    assert err.value.file.endswith("add.csv") and "truncated" in err.value.reason
    assert screener.screen("Vladimir Putin")[0].entry_id == "35096"  # active lists untouched


def test_cli_reports_are_json_ready(screener: Screener) -> None:
    import json

    loaded = load_report([LISTS / "UN_consolidated.xml"])
    assert loaded["entry_count"] == 1003 and loaded["entries"] == {
        "UN-SC": {"individual": 730, "entity": 273}
    }
    result = screen_report(None, "Vladimir Putin", screener=screener)
    assert result["hits"][0]["entry_id"] == "35096"  # type: ignore[index]
    json.dumps(loaded), json.dumps(result)

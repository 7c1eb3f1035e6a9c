"""Pure parts of screening (normalisation, token scoring, evidence) and loader refusals on
small synthetic files; no full list is loaded here."""

from __future__ import annotations

import datetime as dt
import gzip
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from compliance.sanctions import SanctionsListError, Screener
from compliance.sanctions.evidence import parse_dob, weigh
from compliance.sanctions.matcher import score_tokens, token_similarity
from compliance.sanctions.model import BirthDate, Entry
from compliance.sanctions.normalize import fold, phonetic, tokens
from compliance.sanctions.ofac import parse_birth_dates

SDN = (
    '36,"AEROCARIBBEAN AIRLINES",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n'
    '7001,"PETROV, Ivan Sergeyevich","individual","RUSSIA-EO14024",-0- ,-0- ,-0- ,-0- ,-0- ,'
    '-0- ,-0- ,"DOB 12 Mar 1970; nationality Russia; Gender Male."\r\n'
    '7002,"ROMASHKA OOO",-0- ,"RUSSIA-EO14024] [UKRAINE-EO13662",-0- ,-0- ,-0- ,-0- ,-0- ,'
    "-0- ,-0- ,-0- \r\n"
    "\x1a"
)
ALT = '7001,1,"aka","PETROV, Vanya",-0- \r\n9999,2,"aka","ORPHAN TRADING",-0- \r\n\x1a'


def one(value: float) -> float:
    return 1.0


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_fold_transliterates_and_strips_marks() -> None:
    assert fold("Zürich-Ost, O'Brien") == "zurich ost obrien"
    assert fold("Владимир Путин") == "vladimir putin"
    assert tokens("ACME Trading L.L.C.") == ("acme", "trading")
    assert tokens("J & P ADVERTISING, S.A. DE C.V.") == ("jp", "advertising")
    assert tokens("Limited") == ("limited",)  # a name made only of a legal form keeps it


def test_transliteration_variants_share_keys() -> None:
    assert phonetic("mohammed") == phonetic("muhammad")
    assert phonetic("yevgeny") == phonetic("evgeniy")
    assert phonetic("qaida") == phonetic("qaeda")
    assert phonetic("mahmoud") != phonetic("muhammad")


def test_token_similarity_separates_short_names() -> None:
    assert token_similarity("ali", "wali") == 0.0
    assert token_similarity("kun", "ken") == 0.0
    assert token_similarity("xing", "xyng") > 0.9
    assert token_similarity("solan", "sloan") >= 0.88  # transposed letters
    assert token_similarity("maria", "mario") < 0.85


def test_word_order_and_missing_words() -> None:
    exact = score_tokens(("ivan", "petrov"), ("petrov", "ivan"), lambda t: 5.0)
    assert exact.score == pytest.approx(1.0)
    middle = score_tokens(("ivan", "petrov"), ("ivan", "sergeyevich", "petrov"), lambda t: 5.0)
    last = score_tokens(("ivan", "sergeyevich"), ("ivan", "sergeyevich", "petrov"), lambda t: 5.0)
    assert middle.score > last.score  # a dropped middle name costs less than a dropped surname


def test_common_tokens_alone_are_weak_evidence() -> None:
    def weight(token: str) -> float:
        return {"muhammad": 2.0, "ali": 2.5}.get(token, 9.0)

    partial = score_tokens(("muhammad", "ali"), ("muhammad", "ali", "zarqawi"), weight)
    rare = score_tokens(("zarqawi", "ali"), ("muhammad", "ali", "zarqawi"), weight)
    assert partial.score < 0.6 < rare.score


def test_birth_dates_from_ofac_remarks() -> None:
    dates = parse_birth_dates("DOB 12 Mar 1970; DOB circa 1955; DOB 1960 to 1962; POB X")
    assert [str(d) for d in dates] == ["1970-03-12", "~1955", "1960-1962"]


def test_evidence_raises_and_lowers() -> None:
    born = (BirthDate(1970, 3, 12),)
    entry = Entry("UN-SC", "X.1", "A B", "individual", countries=("IQ",), birth_dates=born)
    assert weigh(entry, "Iraq", parse_dob("1970-03-12")).adjustment > 0
    assert weigh(entry, "IQ", parse_dob("1970")).adjustment > 0
    assert weigh(entry, "FR", parse_dob("1985-01-01")).adjustment < 0
    assert weigh(entry, None, parse_dob(dt.date(1970, 3, 12))).reasons
    with pytest.raises(ValueError):
        parse_dob("12/03/1970")


def test_small_ofac_set_loads_and_screens(tmp_path: Path) -> None:
    sdn = write(tmp_path, "sdn.csv", SDN)
    alt = write(tmp_path, "alt.csv", ALT)
    screener = Screener.from_files([sdn, alt])
    assert screener.entry_count == 4  # 3 SDN rows + 1 orphan alias entry
    hit = screener.screen("Ivan Petrov", dob="1970-03-12", country="RU")[0]
    assert (hit.entry_id, hit.kind, hit.name) == ("7001", "individual", "PETROV, Ivan Sergeyevich")
    assert hit.programs == ("RUSSIA-EO14024",) and hit.countries == ("RU",)
    assert hit.score > hit.name_score
    company = screener.screen("Romashka LLC")[0]
    assert company.entry_id == "7002" and company.matched_name == "ROMASHKA OOO"
    assert company.programs == ("RUSSIA-EO14024", "UKRAINE-EO13662")
    orphan = screener.screen("Orphan Trading", kind="individual")  # unknown kind kept
    assert [h.entry_id for h in orphan] == ["9999"] and orphan[0].kind is None


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("sdn.csv", SDN.replace("\x1a", ""), "truncated"),
        ("sdn.csv", "", "empty"),
        ("sdn.csv", '7001,"X"\r\n' * 50 + "\x1a", "fields"),
        ("UN_consolidated.xml", "<CONSOLIDATED_LIST><INDIVIDUALS>", "XML"),
        ("UN_consolidated.xml", "<OTHER/>", "root element"),
        ("list.txt", "hello world", "unknown list format"),
    ],
)
def test_corrupt_files_are_refused_with_the_file_named(
    tmp_path: Path, name: str, content: str, reason: str
) -> None:
    good = write(tmp_path, "alt.csv", ALT)
    bad = write(tmp_path, name, content)
    with pytest.raises(SanctionsListError) as err:
        Screener.from_files([good, bad])
    assert err.value.file == str(bad)
    assert reason.lower() in err.value.reason.lower()


def test_corrupt_gzip_and_missing_file_are_refused(tmp_path: Path) -> None:
    bad = tmp_path / "sdn.csv.gz"
    bad.write_bytes(gzip.compress(SDN.encode())[:40])
    with pytest.raises(SanctionsListError, match="gzip"):
        Screener.from_files([bad])
    with pytest.raises(SanctionsListError, match="cannot read"):
        Screener.from_files([tmp_path / "missing.csv"])
    with pytest.raises(SanctionsListError):
        Screener.from_files([])


def test_screen_refuses_blank_names() -> None:
    with pytest.raises(ValueError):
        Screener.empty().screen("   ")


words = st.lists(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=9), min_size=1, max_size=5
)


@given(query=words, name=words, seed=st.randoms())
def test_score_is_bounded_and_ignores_word_order(query: list[str], name: list[str], seed) -> None:
    def weight(token: str) -> float:
        return 1.0 + len(token)

    score = score_tokens(query, name, weight).score
    shuffled = query[:]
    seed.shuffle(shuffled)
    assert 0.0 <= score <= 1.0
    assert score_tokens(shuffled, name, weight).score == pytest.approx(score, abs=0.02)
    if query == name:
        assert score == pytest.approx(1.0)

"""OFAC SDN legacy CSV files (sdn.csv, alt.csv, add.csv, sdn_comments.csv) -> entries.

The files have no header, use ``-0-`` as the null marker and end with a lone Ctrl-Z record,
which is the only sign that a download is complete; a file without it is refused.
alt/add rows may point at ent_nums missing from sdn.csv (the files come from different
dates): their alias names are kept as standalone entries so they are still screened.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from dataclasses import dataclass, field

from .countries import country_code
from .errors import SanctionsListError
from .model import BirthDate, Entry

LIST_NAME = "OFAC-SDN"
FIELDS = {"ofac-sdn": 12, "ofac-alt": 5, "ofac-add": 6, "ofac-comments": 2}
_CTRL_Z = "\x1a"
_MAX_BAD_SHARE = 0.01  # more malformed rows than this means the file is not what it claims
_TYPES = {"": "entity", "individual": "individual", "vessel": "vessel", "aircraft": "aircraft"}
_MONTHS = {
    m: i
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1
    )
}
_DOB = re.compile(r"\bDOB\s+([^;]+)")
_DATE = re.compile(r"(?:(\d{1,2})\s+)?(?:([A-Za-z]{3})[a-z]*\s+)?(\d{4})")
_NATIONALITY = re.compile(r"\b(?:nationality|citizen|Nationality of Registration)\s+([^;]+)")


def clean(value: str) -> str:
    """Field text with OFAC's ``-0-`` null marker turned into an empty string."""
    text = value.strip()
    return "" if text == "-0-" else text


@dataclass
class CsvTable:
    """Rows of one OFAC CSV with the right field count; ``skipped`` counts the others."""

    kind: str
    rows: list[list[str]] = field(default_factory=list)
    skipped: int = 0


def parse_csv(text: str, kind: str, file: str) -> CsvTable:
    """Split one OFAC CSV; refuse it when truncated (no trailer) or mostly malformed."""
    body = text.rstrip("\r\n\t ")
    if not body.endswith(_CTRL_Z):
        raise SanctionsListError(file, "no Ctrl-Z trailer record: the download is truncated")
    table = CsvTable(kind)
    width = FIELDS[kind]
    for row in csv.reader(io.StringIO(body[:-1], newline="")):
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        if len(row) != width or not row[0].strip().isdigit():
            table.skipped += 1
            continue
        table.rows.append(row)
    total = len(table.rows) + table.skipped
    if not table.rows:
        raise SanctionsListError(file, f"no {kind} rows with {width} fields")
    if table.skipped > max(2, total * _MAX_BAD_SHARE):
        raise SanctionsListError(
            file, f"{table.skipped} of {total} rows do not have {width} fields (corrupt file?)"
        )
    return table


def parse_birth_dates(remarks: str) -> tuple[BirthDate, ...]:
    """``DOB 10 Dec 1948``, ``DOB circa 1955``, ``DOB 1960 to 1962`` from SDN remarks."""
    found: list[BirthDate] = []
    for match in _DOB.finditer(remarks):
        text = match.group(1)
        dates = [_date_parts(m) for m in _DATE.finditer(text)]
        dates = [d for d in dates if d is not None]
        if not dates:
            continue
        approximate = "circa" in text.lower()
        if " to " in text and len(dates) >= 2:
            found.append(BirthDate(dates[0][0], year_to=dates[-1][0], approximate=approximate))
        else:
            year, month, day = dates[0]
            found.append(BirthDate(year, month, day, approximate=approximate))
    return tuple(found)


def _date_parts(match: re.Match[str]) -> tuple[int, int | None, int | None] | None:
    day, month, year = match.groups()
    month_no = _MONTHS.get(month.lower()) if month else None
    if month and month_no is None:  # "circa 1955": a word, not a month
        return int(year), None, None
    return int(year), month_no, int(day) if day and month_no else None


def _remark_countries(remarks: str) -> list[str]:
    codes = []
    for match in _NATIONALITY.finditer(remarks):
        code = country_code(match.group(1))
        if code:
            codes.append(code)
    return codes


def _unique(values: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if v))


def build_entries(tables: dict[str, CsvTable]) -> tuple[list[Entry], dict[str, int]]:
    """Join the OFAC tables on ent_num; returns entries and per-kind orphan row counts."""
    aliases: dict[str, list[str]] = defaultdict(list)
    for row in tables["ofac-alt"].rows if "ofac-alt" in tables else ():
        name = clean(row[3])
        if name:
            aliases[row[0].strip()].append(name)
    places: dict[str, list[str]] = defaultdict(list)
    for row in tables["ofac-add"].rows if "ofac-add" in tables else ():
        code = country_code(clean(row[4]))
        if code:
            places[row[0].strip()].append(code)
    comments: dict[str, str] = {}
    for row in tables["ofac-comments"].rows if "ofac-comments" in tables else ():
        comments[row[0].strip()] = clean(row[1])

    entries: list[Entry] = []
    seen: set[str] = set()
    for row in tables["ofac-sdn"].rows if "ofac-sdn" in tables else ():
        ent_num = row[0].strip()
        seen.add(ent_num)
        remarks = " ".join(filter(None, (clean(row[11]), comments.get(ent_num, ""))))
        kind = _TYPES.get(clean(row[2]).lower(), "entity")
        countries = _remark_countries(remarks) + places.get(ent_num, [])
        flag = country_code(clean(row[9]))
        if flag:
            countries.append(flag)
        entries.append(
            Entry(
                list_name=LIST_NAME,
                entry_id=ent_num,
                name=clean(row[1]),
                kind=kind,
                aliases=_unique(aliases.get(ent_num, [])),
                programs=_unique([p.strip(" []") for p in clean(row[3]).split("] [")]),
                countries=_unique(countries),
                birth_dates=parse_birth_dates(remarks),
                remarks=remarks,
            )
        )
    orphans = {
        "ofac-alt": sum(len(v) for k, v in aliases.items() if k not in seen),
        "ofac-add": sum(len(v) for k, v in places.items() if k not in seen),
        "ofac-comments": sum(1 for k in comments if k not in seen),
    }
    for ent_num, names in aliases.items():
        if ent_num in seen:
            continue
        unique = _unique(names)
        entries.append(
            Entry(
                list_name=LIST_NAME,
                entry_id=ent_num,
                name=unique[0],
                kind=None,
                aliases=unique[1:],
                countries=_unique(places.get(ent_num, [])),
                remarks="alias rows without an sdn.csv record (list files of different dates)",
            )
        )
    return entries, orphans

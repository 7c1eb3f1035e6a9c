"""UN Security Council consolidated list XML -> entries (aliases, original script, evidence)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from .countries import country_code
from .errors import SanctionsListError
from .model import BirthDate, Entry

LIST_NAME = "UN-SC"
ROOT = "CONSOLIDATED_LIST"


def _text(node: ET.Element | None) -> str:
    return " ".join((node.text or "").split()) if node is not None else ""


def _all(node: ET.Element, path: str) -> list[str]:
    return [t for t in (_text(n) for n in node.iterfind(path)) if t]


def parse_un(data: bytes, file: str) -> tuple[list[Entry], str | None]:
    """Parse the whole XML; returns entries and the list's ``dateGenerated``."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise SanctionsListError(file, f"not well-formed XML ({exc})") from exc
    if root.tag != ROOT:
        raise SanctionsListError(file, f"root element is <{root.tag}>, expected <{ROOT}>")
    entries = [_entry(n, "individual", file) for n in root.iterfind("INDIVIDUALS/INDIVIDUAL")]
    entries += [_entry(n, "entity", file) for n in root.iterfind("ENTITIES/ENTITY")]
    if not entries:
        raise SanctionsListError(file, "no INDIVIDUAL or ENTITY records")
    return entries, root.get("dateGenerated")


def _entry(node: ET.Element, kind: str, file: str) -> Entry:
    ref = _text(node.find("REFERENCE_NUMBER")) or _text(node.find("DATAID"))
    parts = [
        _text(node.find(t)) for t in ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")
    ]
    name = " ".join(p for p in parts if p)
    if not ref or not name:
        raise SanctionsListError(file, f"a {kind} record without reference number or name")
    tag = "INDIVIDUAL" if kind == "individual" else "ENTITY"
    aliases = _all(node, f"{tag}_ALIAS/ALIAS_NAME") + _all(node, "NAME_ORIGINAL_SCRIPT")
    places = (
        _all(node, "NATIONALITY/VALUE")
        + _all(node, f"{tag}_ADDRESS/COUNTRY")
        + _all(node, "INDIVIDUAL_PLACE_OF_BIRTH/COUNTRY")
    )
    countries = [c for c in (country_code(p) for p in places) if c]
    return Entry(
        list_name=LIST_NAME,
        entry_id=ref,
        name=name,
        kind=kind,
        aliases=tuple(dict.fromkeys(a for a in aliases if a != name)),
        programs=tuple(_all(node, "UN_LIST_TYPE")),
        countries=tuple(dict.fromkeys(countries)),
        birth_dates=tuple(
            d for d in (_birth_date(n) for n in node.iterfind("INDIVIDUAL_DATE_OF_BIRTH")) if d
        ),
        remarks=_text(node.find("COMMENTS1")),
    )


def _birth_date(node: ET.Element) -> BirthDate | None:
    approximate = _text(node.find("TYPE_OF_DATE")) == "APPROXIMATELY"
    date = _text(node.find("DATE"))
    if len(date) >= 10 and date[:4].isdigit():
        return BirthDate(int(date[:4]), int(date[5:7]), int(date[8:10]), approximate=approximate)
    year = _text(node.find("YEAR"))
    if year.isdigit():
        return BirthDate(int(year), approximate=approximate)
    start, end = _text(node.find("FROM_YEAR")), _text(node.find("TO_YEAR"))
    if start.isdigit() and end.isdigit():
        return BirthDate(int(start), year_to=int(end))
    return None

"""Reading list files: gzip, kind detection, hashing, and an all-or-nothing load."""

from __future__ import annotations

import csv
import gzip
import hashlib
import os
import zlib
from collections.abc import Iterable
from pathlib import Path

from . import ofac, un
from .errors import SanctionsListError
from .model import Entry, LoadedLists, SourceFile

StrPath = str | os.PathLike[str]

_BY_NAME = {
    "sdn.csv": "ofac-sdn",
    "alt.csv": "ofac-alt",
    "add.csv": "ofac-add",
    "sdn_comments.csv": "ofac-comments",
}
_SUFFIXES = (".csv", ".xml", ".csv.gz", ".xml.gz")


def list_files(directory: StrPath) -> list[Path]:
    """The list files in a directory (``*.csv``, ``*.xml``, also gzipped), sorted by name."""
    folder = Path(directory)
    if not folder.is_dir():
        raise SanctionsListError(str(folder), "not a directory")
    return sorted(p for p in folder.iterdir() if p.is_file() and p.name.lower().endswith(_SUFFIXES))


def read_bytes(path: Path) -> bytes:
    """File contents, gunzipped when the name ends in .gz or the gzip magic is present."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SanctionsListError(str(path), f"cannot read ({exc.strerror or exc})") from exc
    if data[:2] == b"\x1f\x8b" or path.name.lower().endswith(".gz"):
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as exc:
            raise SanctionsListError(str(path), f"corrupt gzip data ({exc})") from exc
    if not data.strip():
        raise SanctionsListError(str(path), "empty file")
    return data


def detect_kind(path: Path, data: bytes) -> str:
    """Which list a file holds: by its name first, then by its first bytes/fields."""
    name = path.name.lower().removesuffix(".gz")
    for known, kind in _BY_NAME.items():
        if name == known or name.endswith(("_" + known, "-" + known)):
            return kind
    head = data[:4096].lstrip(b"\xef\xbb\xbf \r\n\t")
    if head.startswith(b"<"):
        return "un-consolidated"
    first = decode(path, data[:4096]).splitlines()[0] if data else ""
    fields = next(csv.reader([first]), [])
    for kind, width in ofac.FIELDS.items():
        if len(fields) == width and fields[0].strip().isdigit():
            return kind
    raise SanctionsListError(str(path), "unknown list format (expected OFAC CSV or UN XML)")


def decode(path: Path, data: bytes) -> str:
    """UTF-8 text; OFAC files are UTF-8 today, older ones were Latin-1 (cp1252)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise SanctionsListError(str(path), f"not text ({exc.reason})") from exc


def expand(paths: Iterable[StrPath] | StrPath) -> list[Path]:
    """Files as given; a directory stands for every list file inside it; one path is a list."""
    items = [paths] if isinstance(paths, str | os.PathLike) else list(paths)
    files: list[Path] = []
    for item in items:
        path = Path(item)
        files.extend(list_files(path) if path.is_dir() else [path])
    return files


def load_lists(paths: Iterable[StrPath] | StrPath) -> LoadedLists:
    """Parse every file or raise on the first bad one: a partial load is never returned."""
    files = expand(paths)
    if not files:
        raise SanctionsListError("(none)", "no list files given")
    tables: dict[str, ofac.CsvTable] = {}
    entries: list[Entry] = []
    sources: list[SourceFile] = []
    ofac_sources: list[tuple[Path, str, str, int, int]] = []
    for path in files:
        data = read_bytes(path)
        digest = hashlib.sha256(data).hexdigest()
        kind = detect_kind(path, data)
        if kind == "un-consolidated":
            found, date = un.parse_un(data, str(path))
            entries += found
            sources.append(SourceFile(str(path), kind, digest, len(found), date))
            continue
        if kind in tables:
            raise SanctionsListError(str(path), f"a second {kind} file in the same load")
        table = ofac.parse_csv(decode(path, data), kind, str(path))
        tables[kind] = table
        ofac_sources.append((path, kind, digest, len(table.rows), table.skipped))
    if tables:
        built, orphans = ofac.build_entries(tables)
        entries += built
        for path, kind, digest, records, skipped in ofac_sources:
            sources.append(
                SourceFile(str(path), kind, digest, records, None, skipped, orphans.get(kind, 0))
            )
    return LoadedLists(tuple(entries), tuple(sources))

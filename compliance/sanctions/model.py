"""Plain data for list entries and list versions, shared by loaders and the matcher."""

from __future__ import annotations

from dataclasses import dataclass, field

KINDS = ("individual", "entity", "vessel", "aircraft")


@dataclass(frozen=True, slots=True)
class BirthDate:
    """A date of birth as precise as the list gives it (year only, month, or a year range)."""

    year: int
    month: int | None = None
    day: int | None = None
    year_to: int | None = None  # "1960 to 1962" or UN BETWEEN
    approximate: bool = False  # "circa" / UN APPROXIMATELY

    def __str__(self) -> str:
        if self.year_to and self.year_to != self.year:
            return f"{self.year}-{self.year_to}"
        text = f"{self.year:04d}"
        if self.month:
            text += f"-{self.month:02d}"
            if self.day:
                text += f"-{self.day:02d}"
        return ("~" + text) if self.approximate else text


@dataclass(frozen=True, slots=True)
class Entry:
    """One listed party: its list's own id, names and the evidence used to confirm a match."""

    list_name: str
    entry_id: str
    name: str
    kind: str | None  # one of KINDS, None when the list does not say (orphan alias rows)
    aliases: tuple[str, ...] = ()
    programs: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()  # ISO 3166 alpha-2 codes (nationality, addresses, flag)
    birth_dates: tuple[BirthDate, ...] = ()
    remarks: str = ""

    @property
    def names(self) -> tuple[str, ...]:
        """Primary name first, then aliases (names in original script included)."""
        return (self.name, *self.aliases)


@dataclass(frozen=True, slots=True)
class SourceFile:
    """What was loaded from one file: enough to say which list version a result used."""

    path: str
    kind: str  # ofac-sdn, ofac-alt, ofac-add, ofac-comments, un-consolidated
    sha256: str
    records: int
    list_date: str | None = None  # publication date when the file states one
    skipped: int = 0  # malformed rows left out (wrong field count)
    orphans: int = 0  # rows naming an ent_num that sdn.csv lacks (aliases kept standalone)

    def to_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "kind": self.kind,
            "sha256": self.sha256,
            "records": self.records,
            "list_date": self.list_date,
            "skipped": self.skipped,
            "orphans": self.orphans,
        }


@dataclass(frozen=True, slots=True)
class LoadedLists:
    """Entries plus the files they came from; the loaders' output, the screener's input."""

    entries: tuple[Entry, ...] = ()
    sources: tuple[SourceFile, ...] = field(default=())

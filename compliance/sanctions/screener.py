"""The screener: immutable lists + index, screening one name at a time (synchronous, fast).

The gateway replaces the active lists by swapping screener objects, so a load either
builds a whole new screener or raises and leaves the caller's current one untouched.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from .chinese import han_key, has_han, romanise, strip_han
from .evidence import MAX_LIFT, parse_dob, weigh
from .index import NameIndex
from .matcher import (
    NameScore,
    joined_similarity,
    score_tokens,
    syllable_similarity,
    token_similarity,
)
from .model import KINDS, Entry, LoadedLists, SourceFile
from .normalize import tokens
from .sources import StrPath, list_files, load_lists

DEFAULT_THRESHOLD = 0.82
EMPTY_VERSION = "empty"


@dataclass(frozen=True, slots=True)
class Hit:
    """One listed party that the screened name may be, with the reasons why."""

    entry_id: str  # the list's own id (OFAC ent_num, UN reference number)
    list_name: str  # OFAC-SDN, UN-SC
    matched_name: str  # the listed name or alias that matched, as the list writes it
    score: float  # 0..1 after evidence
    name: str  # the entry's primary name
    kind: str | None  # individual, entity, vessel, aircraft (None: the list does not say)
    programs: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    why: tuple[str, ...] = ()
    name_score: float = 0.0  # the name similarity alone, before evidence
    list_version: str = EMPTY_VERSION

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form (lists instead of tuples, score rounded to 4 places)."""
        return {
            "entry_id": self.entry_id,
            "list_name": self.list_name,
            "matched_name": self.matched_name,
            "score": round(self.score, 4),
            "name_score": round(self.name_score, 4),
            "name": self.name,
            "kind": self.kind,
            "programs": list(self.programs),
            "countries": list(self.countries),
            "why": list(self.why),
            "list_version": self.list_version,
        }


def _version(sources: Iterable[SourceFile]) -> str:
    """Content hash over every loaded file, plus the newest list date the files state."""
    items = sorted(f"{s.kind}:{s.sha256}" for s in sources)
    if not items:
        return EMPTY_VERSION
    digest = hashlib.sha256("\n".join(items).encode()).hexdigest()[:16]
    dates = sorted(s.list_date[:10] for s in sources if s.list_date)
    return f"sha256:{digest}" + (f"@{dates[-1]}" if dates else "")


def _check_threshold(threshold: float) -> float:
    if not 0.0 < threshold <= 1.0:
        raise ValueError("threshold must be in (0, 1]")
    return float(threshold)


@dataclass(frozen=True)
class Screener:
    """Screens names against the loaded lists; ``entry_count == 0`` means "not loaded"."""

    lists: LoadedLists = field(default_factory=LoadedLists, repr=False)
    threshold: float = DEFAULT_THRESHOLD
    _index: NameIndex | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "threshold", _check_threshold(self.threshold))
        if self._index is None:
            object.__setattr__(self, "_index", NameIndex(self.lists.entries))

    def __repr__(self) -> str:
        size = f"entries={self.entry_count}, threshold={self.threshold}"
        return f"Screener(version={self.version!r}, {size})"

    @classmethod
    def from_files(
        cls, paths: Iterable[StrPath] | StrPath, threshold: float = DEFAULT_THRESHOLD
    ) -> Screener:
        """Load any mix of OFAC CSV / UN XML files (.gz too; a directory means its list
        files); every file loads or SanctionsListError is raised and nothing is built."""
        return cls(load_lists(paths), threshold)

    @classmethod
    def from_directory(cls, directory: StrPath, threshold: float = DEFAULT_THRESHOLD) -> Screener:
        return cls.from_files(list_files(directory), threshold)

    @classmethod
    def from_snapshot(cls, threshold: float = DEFAULT_THRESHOLD) -> Screener:
        """The list snapshot shipped in compliance/data/sanctions (needs nothing outside)."""
        return cls.from_directory(snapshot_dir(), threshold)

    @classmethod
    def empty(cls, threshold: float = DEFAULT_THRESHOLD) -> Screener:
        return cls(LoadedLists(), threshold)

    def with_threshold(self, threshold: float) -> Screener:
        """The same lists and index with another hit threshold (no reload)."""
        return Screener(self.lists, threshold, self._index)

    @property
    def entry_count(self) -> int:
        return len(self.lists.entries)

    @property
    def name_count(self) -> int:
        """Names indexed: primary names plus distinct aliases."""
        assert self._index is not None
        return len(self._index.names)

    @property
    def sources(self) -> tuple[SourceFile, ...]:
        return self.lists.sources

    @property
    def version(self) -> str:
        return _version(self.lists.sources)

    def screen(
        self,
        name: str,
        kind: str | None = None,
        country: str | None = None,
        dob: dt.date | str | None = None,
        *,
        threshold: float | None = None,
        limit: int | None = None,
    ) -> list[Hit]:
        """Hits at or above the threshold, best first; [] when nothing matches (or no lists).

        ``kind`` keeps only entries of that kind (and entries whose kind is unknown);
        ``country`` (ISO code or name) and ``dob`` (date or YYYY[-MM[-DD]]) raise the score
        when they agree with the list and lower it when they contradict it.
        """
        if kind is not None and kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}")
        if not isinstance(name, str) or not name.strip():
            raise ValueError("name must be a non-empty string")
        cutoff = self.threshold if threshold is None else _check_threshold(threshold)
        birth = parse_dob(dob)
        index = self._index
        assert index is not None
        best: dict[int, _Best] = {}
        entries = self.lists.entries
        for query, similarity, complete in _readings(name):
            for number in index.candidates(query):
                indexed = index.names[number]
                entry = entries[indexed.entry]
                if kind is not None and entry.kind not in (kind, None):
                    continue
                scored = score_tokens(
                    query,
                    indexed.tokens,
                    index.weight,
                    similarity,
                    index.unique_weight,
                    person=indexed.person and entry.kind == "individual",
                    name_weights=indexed.weights,
                )
                score = scored.score
                if complete and scored.missing:
                    continue  # a Chinese name has no middle names to leave out
                joined = 0.97 * joined_similarity(query, indexed.tokens)
                if joined > score:
                    score, scored = joined, None
                if score > best.get(indexed.entry, _NOTHING).score:
                    best[indexed.entry] = _Best(score, indexed.text, query, indexed.tokens, scored)
        if has_han(name):  # written the same as the list's own script entry
            for position, text in index.script.get(han_key(name), ()):
                if kind is None or entries[position].kind in (kind, None):
                    best[position] = _Best(1.0, text, (), (), None, script=True)
        version = self.version
        hits = []
        floor = cutoff - MAX_LIFT  # evidence can lift a close name over the threshold
        for position, found in best.items():
            if found.score < floor:
                continue
            hit = self._hit(entries[position], found, country, birth, version)
            if hit.score >= cutoff:
                hits.append(hit)
        hits.sort(key=lambda h: (-h.score, h.list_name, h.entry_id))
        return hits[:limit] if limit else hits

    @staticmethod
    def _hit(
        entry: Entry,
        found: _Best,
        country: str | None,
        dob: tuple[int, int | None, int | None] | None,
        version: str,
    ) -> Hit:
        matched, name_score = found.text, found.score
        partial = found.partial
        evidence = weigh(entry, country, dob, partial=bool(partial))
        label = "primary name" if matched == entry.name else "alias"
        how = " as written in its script" if found.script else ""
        why = (
            f"name matches the {label} '{matched}'{how} ({name_score:.2f})",
            *((partial,) if partial else ()),
            *evidence.reasons,
        )
        return Hit(
            entry_id=entry.entry_id,
            list_name=entry.list_name,
            matched_name=matched,
            score=max(0.0, min(1.0, name_score + evidence.adjustment)),
            name=entry.name,
            kind=entry.kind,
            programs=entry.programs,
            countries=entry.countries,
            why=why,
            name_score=name_score,
            list_version=version,
        )


@dataclass(frozen=True, slots=True)
class _Best:
    """The best-scoring listed name of one entry, with what the explanation needs."""

    score: float
    text: str
    query: tuple[str, ...]
    listed: tuple[str, ...]
    scored: NameScore | None
    script: bool = False

    @property
    def partial(self) -> str:
        """ "matched AYMAN, AL, ZAWAHIRI; listed MUHAMMAD, RABI not given", or "" when the
        query covered the whole listed name."""
        if self.scored is None or not self.scored.missing:
            return ""
        given = ", ".join(self.listed[j].upper() for j in self.scored.matched)
        left = ", ".join(self.listed[j].upper() for j in self.scored.missing)
        return f"matched {given}; listed {left} not given"


_NOTHING = _Best(0.0, "", (), (), None)


Reading = tuple[tuple[str, ...], Callable[[str, str], float], bool]


def _readings(name: str) -> list[Reading]:
    """The token lists to screen, each with the word similarity that suits it and whether
    it must cover the whole listed name: Latin words are compared by spelling and sound;
    pinyin read from Chinese characters only exactly, and only against whole names (two
    common syllables inside a longer listed name are someone else)."""
    if not has_han(name):
        query = tokens(name)
        return [(query, _memo(token_similarity), False)] if query else []
    exact = _memo(syllable_similarity)
    readings: list[Reading] = [(r, exact, True) for r in romanise(name)]
    latin = tokens(strip_han(name))
    if latin:
        readings.append((latin, _memo(token_similarity), False))
    return readings


def _memo(similarity: Callable[[str, str], float]) -> Callable[[str, str], float]:
    """Per-screening cache: candidates share words, so each pair is measured once."""
    seen: dict[tuple[str, str], float] = {}

    def cached(a: str, b: str) -> float:
        pair = (a, b)
        if pair not in seen:
            seen[pair] = similarity(a, b)
        return seen[pair]

    return cached


def snapshot_dir() -> Path:
    """Where the shipped list snapshot lives inside the installed package."""
    return Path(str(resources.files("compliance") / "data" / "sanctions"))

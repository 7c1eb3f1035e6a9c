"""JSON-ready results for the ``remit sanctions`` CLI (the gateway prints them)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from .screener import DEFAULT_THRESHOLD, Screener
from .sources import StrPath, expand


def describe(screener: Screener) -> dict[str, object]:
    """What a screener holds: version, counts per list and kind, and each source file."""
    counts: dict[str, dict[str, int]] = {}
    for entry in screener.lists.entries:
        per_list = counts.setdefault(entry.list_name, {})
        kind = entry.kind or "unknown"
        per_list[kind] = per_list.get(kind, 0) + 1
    return {
        "version": screener.version,
        "entry_count": screener.entry_count,
        "name_count": screener.name_count,
        "threshold": screener.threshold,
        "entries": counts,
        "files": [s.to_dict() for s in screener.sources],
    }


def load_report(paths: Iterable[StrPath]) -> dict[str, object]:
    """``remit sanctions load FILE...``: load (raising SanctionsListError) and describe."""
    return describe(Screener.from_files(expand(paths)))


def screen_report(
    paths: Iterable[StrPath] | None,
    name: str,
    *,
    kind: str | None = None,
    country: str | None = None,
    dob: dt.date | str | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    screener: Screener | None = None,
) -> dict[str, object]:
    """``remit sanctions screen --list FILE... NAME``: hits as dicts plus the list version.

    Pass ``screener`` to reuse loaded lists; otherwise ``paths`` (or the shipped snapshot
    when None) are loaded first.
    """
    if screener is None:
        screener = (
            Screener.from_snapshot(threshold)
            if paths is None
            else Screener.from_files(expand(paths), threshold)
        )
    hits = screener.screen(name, kind=kind, country=country, dob=dob)
    return {
        "list_version": screener.version,
        "entry_count": screener.entry_count,
        "threshold": screener.threshold,
        "hits": [h.to_dict() for h in hits],
    }

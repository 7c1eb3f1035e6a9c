"""Sanctions screening: OFAC SDN and UN Security Council lists, fuzzy name matching.

``Screener.from_files(paths)`` loads lists all-or-nothing; ``screener.screen(name)`` returns
``Hit`` objects that explain themselves. Pure Python plus rapidfuzz; no I/O while screening.
"""

from .errors import SanctionsListError
from .model import KINDS, BirthDate, Entry, SourceFile
from .report import load_report, screen_report
from .screener import DEFAULT_THRESHOLD, Hit, Screener, snapshot_dir
from .sources import list_files

__all__ = [
    "DEFAULT_THRESHOLD",
    "KINDS",
    "BirthDate",
    "Entry",
    "Hit",
    "SanctionsListError",
    "Screener",
    "SourceFile",
    "list_files",
    "load_report",
    "screen_report",
    "snapshot_dir",
]

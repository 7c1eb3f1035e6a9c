"""Errors raised while loading sanctions lists."""

from __future__ import annotations


class SanctionsListError(Exception):
    """A list file could not be used; nothing from the load is kept.

    It names the file and the reason so an operator can fix the download, while the
    gateway keeps screening with the lists it had before.
    """

    def __init__(self, file: str, reason: str) -> None:
        super().__init__(f"{file}: {reason}")
        self.file = file
        self.reason = reason

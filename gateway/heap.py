"""Keeping the garbage collector off the heap a gateway process keeps for its whole life.

A serving process holds a great many objects that live as long as it does (the sanctions
index above all). A full collection walks every one of them, and no request moves meanwhile, so
it set the tail of accept latency (the figures are in docs/design.md).
Frozen objects are left out of collections; they are still freed by reference counting once
dropped (an old sanctions index is), so a full collection walks only what requests allocate.
"""

from __future__ import annotations

import gc


def freeze_long_lived(*, collect: bool = True) -> None:
    """Freeze what is alive now; call once the process has loaded what it keeps. `collect`
    first, so that garbage is not frozen with it (a full collection's one pause)."""
    if collect:
        gc.collect()
    gc.freeze()


def is_frozen() -> bool:
    """Whether this process keeps its long-lived heap frozen (then freeze what it loads later)."""
    return gc.get_freeze_count() > 0

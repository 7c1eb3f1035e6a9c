"""Identifiers: a readable prefix and 128 random bits."""

from __future__ import annotations

import os
import threading

# One getrandom() call per 256 ids instead of one per id: the syscall costs more than the rest
# of a quote request's id handling, and the bytes are just as random.
_BATCH = 256
_lock = threading.Lock()
_pool = b""
_next = 0


def _forget_pool() -> None:
    """A forked child must not hand out the ids its parent is about to use."""
    global _pool, _next
    _pool, _next = b"", 0


os.register_at_fork(after_in_child=_forget_pool)


def _random16() -> bytes:
    global _pool, _next
    with _lock:
        if _next >= len(_pool):
            _pool, _next = os.urandom(16 * _BATCH), 0
        start = _next
        _next += 16
        return _pool[start : start + 16]


def new_id(prefix: str) -> str:
    return f"{prefix}_{_random16().hex()}"

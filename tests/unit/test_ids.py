"""Ids stay unique across the random pool's refills and across fork."""

from __future__ import annotations

import os
import re

from gateway.ids import new_id


def test_ids_have_prefix_and_128_bits() -> None:
    assert re.fullmatch(r"qt_[0-9a-f]{32}", new_id("qt"))


def test_ids_are_unique_across_pool_refills() -> None:
    ids = [new_id("x") for _ in range(5000)]
    assert len(set(ids)) == len(ids)


def test_forked_child_does_not_repeat_the_parents_next_ids() -> None:
    new_id("warm")  # the pool now holds bytes a child could copy
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        os.close(read)
        os.write(write, " ".join(new_id("c") for _ in range(10)).encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        child = {i.removeprefix("c_") for i in pipe.read().split()}
    os.waitpid(pid, 0)
    parent = {new_id("p").removeprefix("p_") for _ in range(10)}
    assert len(child) == 10
    assert not child & parent

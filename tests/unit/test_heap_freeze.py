"""A serving process leaves what it keeps for life out of garbage collections (gateway.heap):
a full collection over the sanctions index paused every request for over 100 ms. Here the
freezing itself; a serving app: tests/integration/test_heap.py."""

from __future__ import annotations

import gc

from gateway.heap import freeze_long_lived, is_frozen


def test_frozen_objects_leave_the_collected_generations(unfrozen) -> None:
    kept = [[i] for i in range(50_000)]  # containers the collector would walk
    gc.collect()
    walked = len(gc.get_objects(generation=2))
    assert not is_frozen()
    freeze_long_lived()
    assert is_frozen()
    assert gc.get_freeze_count() >= len(kept)
    assert len(gc.get_objects(generation=2)) < walked - len(kept)

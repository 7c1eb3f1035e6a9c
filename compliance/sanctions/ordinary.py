"""How ordinary a name word is: in how many locales' lists of common names it appears.

A listed word that ordinary people also carry ("Maria", "Garcia", "Kim") says less about
who someone is than the same count on the lists alone suggests, so the index caps its
weight. The table is built by bench/build_common_names.py from Faker's per-locale name
lists and shipped in compliance/data/names.
"""

from __future__ import annotations

import gzip
import math
from functools import lru_cache
from importlib import resources

ORDINARY_CAP = 8.0  # weight of a word found in one locale's common names
PER_LOCALE = 1.0  # the cap falls with the log of the number of locales
FLOOR = 3.0


@lru_cache(maxsize=1)
def ordinary_names() -> dict[str, int]:
    """word -> number of locales whose common names contain it."""
    path = resources.files("compliance") / "data" / "names" / "common_names.txt.gz"
    table: dict[str, int] = {}
    for line in gzip.decompress(path.read_bytes()).decode().splitlines():
        word, _, count = line.partition("\t")
        if word:
            table[word] = int(count)
    return table


def ordinary_cap(word: str) -> float | None:
    """The most weight the word may carry, or None when it is not an ordinary name."""
    locales = ordinary_names().get(word)
    if not locales:
        return None
    return max(FLOOR, ORDINARY_CAP - PER_LOCALE * math.log(locales))

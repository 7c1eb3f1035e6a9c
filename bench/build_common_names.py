"""Build compliance/data/names/common_names.txt.gz: the words of ordinary people's names.

Faker's person providers hold each locale's common given names and surnames (drawn from
census and registry lists). Every word is folded the way the screener folds names and
counted by the number of locales whose lists contain it. The screener weighs a listed word
that is also an ordinary name as less telling ("Maria Garcia" within a longer listed name).

    python bench/build_common_names.py
"""

from __future__ import annotations

import gzip
import importlib
import pkgutil
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from compliance.sanctions.chinese import has_han, romanise  # noqa: E402
from compliance.sanctions.normalize import tokens  # noqa: E402

OUT = ROOT / "compliance" / "data" / "names" / "common_names.txt.gz"
FIELDS = ("first_names", "first_names_male", "first_names_female", "last_names")


def words_of(name: str) -> set[str]:
    if has_han(name):
        return {w for reading in romanise(name)[:1] for w in reading}
    return set(tokens(name))


def main() -> None:
    import faker.providers.person as person

    counts: Counter[str] = Counter()
    for module in pkgutil.iter_modules(person.__path__):
        provider = importlib.import_module(f"{person.__name__}.{module.name}").Provider
        found: set[str] = set()
        for field in FIELDS:
            names = getattr(provider, field, None)
            if isinstance(names, dict | list | tuple):
                found |= {w for name in names for w in words_of(str(name))}
        counts.update(w for w in found if len(w) >= 2 and w.isalpha())
    lines = [f"{word}\t{n}" for word, n in sorted(counts.items())]
    OUT.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode(), mtime=0))
    print(f"{len(lines)} words from {len(list(pkgutil.iter_modules(person.__path__)))} locales")


if __name__ == "__main__":
    main()

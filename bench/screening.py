"""Sanctions screening benchmark: recall on altered listed names, false hits on ordinary
names, latency per screened name and index memory, against a plain rapidfuzz scan of all
names (the baseline), measured in the same run.

    /work/venv/bin/python bench/screening.py [--lists DIR] [--recall N] [--ordinary N]

Ordinary names come from Faker (many locales) when it is installed, else from a small
built-in list. Nothing here is a test: it prints figures.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import re
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rapidfuzz import fuzz, process  # noqa: E402

from compliance.sanctions import Screener, list_files  # noqa: E402
from compliance.sanctions.model import Entry  # noqa: E402
from compliance.sanctions.normalize import fold  # noqa: E402

LOCALES = [
    "en_US",
    "en_GB",
    "en_IN",
    "es_ES",
    "es_MX",
    "pt_BR",
    "fr_FR",
    "de_DE",
    "it_IT",
    "pl_PL",
    "nl_NL",
    "sv_SE",
    "tr_TR",
    "ru_RU",
    "uk_UA",
    "ar_AA",
    "ar_EG",
    "ar_SA",
    "fa_IR",
    "hi_IN",
    "bn_BD",
    "zh_CN",
    "zh_TW",
    "ja_JP",
    "ko_KR",
    "vi_VN",
    "id_ID",
    "fil_PH",
    "th_TH",
    "he_IL",
    "el_GR",
    "ro_RO",
    "hu_HU",
    "cs_CZ",
    "ka_GE",
    "hy_AM",
    "az_AZ",
    "ne_NP",
    "ta_IN",
]
FALLBACK = [
    "John Smith",
    "Maria Garcia",
    "Wei Zhang",
    "Priya Sharma",
    "Olga Ivanova",
    "Fatima Zahra",
    "Juan Perez",
    "Nguyen Van An",
    "Anna Kowalska",
    "Ahmed Hassan Mahmoud",
    "Kenji Tanaka",
    "Ama Mensah",
]
ACCENTS = str.maketrans("aeiounc", "áéíöúñç")
# Romanisation rules written from how Arabic, Cyrillic and Chinese names are transcribed
# (not from the screener's own variant table): (pattern, replacement) on one folded word.
ARABIC = (
    (r"ou", "u"),
    (r"u", "ou"),
    (r"oo", "u"),
    (r"ee", "i"),
    (r"(?<=[^aeiou])i(?=[^aeiou])", "ee"),
    (r"(?<=\w)e(?=\w)", "i"),
    (r"(?<=\w)i(?=\w)", "e"),
    (r"(?<=\w)o(?=\w)", "u"),
    (r"(?<=\w)u(?=\w)", "o"),
    (r"(?<=\w)a(?=\w)", "e"),
    (r"kh", "h"),
    (r"q", "k"),
    (r"k", "q"),
    (r"dh", "z"),
    (r"j", "dj"),
    (r"y", "i"),
    (r"(?<=[aeiou])s(?=[aeiou])", "ss"),
    (r"mm", "m"),
    (r"dd", "d"),
    (r"ss", "s"),
    (r"a$", "ah"),
    (r"ah$", "a"),
    (r"^el$", "al"),
    (r"^al$", "el"),
    (r"^abd$", "abdul"),
    (r"^abdul$", "abd al"),
    (r"^abdel", "abd al "),
    (r"sh", "ch"),
    (r"^mu", "mo"),
    (r"^mo", "mu"),
    (r"ie", "iy"),
    (r"th", "t"),
)
CYRILLIC = (
    (r"iy$", "y"),
    (r"y$", "iy"),
    (r"ii$", "iy"),
    (r"iy$", "ii"),
    (r"^ye", "e"),
    (r"^e", "ye"),
    (r"kh", "h"),
    (r"ts", "tz"),
    (r"ya", "ia"),
    (r"yu", "iu"),
    (r"zh", "j"),
    (r"ov$", "off"),
    (r"ev$", "eff"),
    (r"ks", "x"),
    (r"x", "ks"),
    (r"sh", "sch"),
    (r"ch", "tch"),
    (r"v", "w"),
    (r"ei$", "ey"),
    (r"ey$", "ei"),
    (r"ina$", "yna"),
)
CHINESE = (
    (r"^zh", "ch"),
    (r"^x", "hs"),
    (r"^q", "ch"),
    (r"^z", "ts"),
    (r"^c", "ts"),
    (r"^r", "j"),
    (r"ong", "ung"),
    (r"ian", "ien"),
    (r"^b", "p"),
    (r"^d", "t"),
    (r"^g", "k"),
    (r"-", ""),
    (r"ui$", "uei"),
    (r"ou$", "ow"),
)
PINYIN_COUNTRIES = {"CN", "HK", "TW", "MO"}
RUSSIAN_COUNTRIES = {"RU", "UA", "BY", "KZ", "KG", "TJ", "UZ", "AM", "AZ", "GE", "MD"}


def person_order(entry: Entry) -> list[str]:
    """Name words in speaking order: OFAC writes individuals as "LAST, First Middle"."""
    name = entry.name
    if entry.list_name == "OFAC-SDN" and entry.kind == "individual" and "," in name:
        last, first = name.split(",", 1)
        name = f"{first} {last}"
    return name.split()


def typo(words: list[str], rng: random.Random) -> str:
    long = [i for i, w in enumerate(words) if len(w) >= 5] or list(range(len(words)))
    i = rng.choice(long)
    w = words[i]
    p = rng.randrange(1, max(len(w) - 1, 2))
    op = rng.choice(("sub", "del", "ins", "swap"))
    letter = rng.choice("abcdefghijklmnopqrstuvwxyz")
    if op == "sub":
        w = w[:p] + letter + w[p + 1 :]
    elif op == "del":
        w = w[:p] + w[p + 1 :]
    elif op == "ins":
        w = w[:p] + letter + w[p:]
    elif len(w) > p + 1:
        w = w[:p] + w[p + 1] + w[p] + w[p + 2 :]
    return " ".join([*words[:i], w, *words[i + 1 :]])


def rules_for(entry: Entry) -> tuple[tuple[str, str], ...]:
    if PINYIN_COUNTRIES & set(entry.countries):
        return CHINESE
    if RUSSIAN_COUNTRIES & set(entry.countries):
        return CYRILLIC
    return ARABIC


def variant(entry: Entry, words: list[str], rng: random.Random) -> str | None:
    """One or two words respelled the way another transcription would write them."""
    folded = [w for w in fold(" ".join(words)).split()]
    rules = rules_for(entry)
    changed = 0
    for i in rng.sample(range(len(folded)), len(folded)):
        if len(folded[i]) < 3:
            continue
        for pattern, repl in rng.sample(rules, len(rules)):
            new = re.sub(pattern, repl, folded[i], count=1)
            if new != folded[i]:
                folded[i] = new
                changed += 1
                break
        if changed == 2 or (changed and rng.random() < 0.5):
            break
    return " ".join(folded) if changed else None


def dropped(words: list[str], rng: random.Random) -> str:
    """First and last word kept, one or two of the words between left out."""
    middle = list(range(1, len(words) - 1))
    drop = set(rng.sample(middle, 2 if len(middle) >= 3 and rng.random() < 0.5 else 1))
    return " ".join(w for i, w in enumerate(words) if i not in drop)


_SYLLABLE_CHARS: dict[str, str] = {}


def _syllable_chars() -> dict[str, str]:
    """pinyin syllable -> a character with that one reading (to write a name in Han)."""
    if not _SYLLABLE_CHARS:
        import unicodedata

        from pypinyin.pinyin_dict import pinyin_dict

        for code, readings in sorted(pinyin_dict.items()):
            if "," in readings or not 0x4E00 <= code <= 0x9FFF:
                continue
            plain = "".join(
                c for c in unicodedata.normalize("NFD", readings) if not unicodedata.combining(c)
            )
            _SYLLABLE_CHARS.setdefault(plain, chr(code))
    return _SYLLABLE_CHARS


def _segment(word: str, chars: dict[str, str]) -> list[str] | None:
    if not word:
        return []
    for k in range(min(6, len(word)), 0, -1):
        if word[:k] in chars:
            rest = _segment(word[k:], chars)
            if rest is not None:
                return [word[:k], *rest]
    return None


def in_han(entry: Entry) -> str | None:
    """A listed Chinese name written in characters, family name first, no spaces."""
    if entry.kind != "individual" or not PINYIN_COUNTRIES & set(entry.countries):
        return None
    chars = _syllable_chars()
    if entry.list_name == "OFAC-SDN" and "," in entry.name:
        last, first = entry.name.split(",", 1)
        ordered = f"{last} {first}"
    else:
        ordered = entry.name
    out = []
    for word in fold(ordered).split():
        parts = _segment(word, chars)
        if not parts:
            return None
        out.extend(chars[p] for p in parts)
    return "".join(out)


def script_cases(entry: Entry, rng: random.Random) -> list[str]:
    """Names in Chinese script: the list's own script entries and Han spellings of pinyin."""
    found = [n for n in entry.names if any("\u4e00" <= c <= "\u9fff" for c in n)]
    cases = [re.sub(r"[^\u4e00-\u9fff]", "", n) for n in found]
    han = in_han(entry)
    if han:
        cases.append(han)
        if len(han) >= 2 and rng.random() < 0.3:  # given name first, a space between
            cases.append(f"{han[1:]} {han[0]}")
    return cases


def alterations(entries: list[Entry], count: int, seed: int) -> list[tuple[str, str, int]]:
    """(kind of alteration, altered name, index of the entry it should find)."""
    rng = random.Random(seed)
    picks = rng.sample(range(len(entries)), min(count, len(entries)))
    # every entry with a Chinese reading is used: there are few of them
    chinese = [n for n, e in enumerate(entries) if script_cases(e, random.Random(0))]
    cases: list[tuple[str, str, int]] = []
    for n in chinese:
        cases.extend(("chinese script", q, n) for q in script_cases(entries[n], rng))
    for n in picks:
        entry = entries[n]
        words = person_order(entry)
        if len(fold(entry.name).replace(" ", "")) < 4:
            continue
        cases.append(("typo", typo(words, rng), n))
        if entry.kind == "individual" and len(words) > 1:
            shuffled = words[:]
            while shuffled == words:
                rng.shuffle(shuffled)
            cases.append(("word order", " ".join(shuffled), n))
        elif len(words) > 1 and "," not in entry.name:  # companies: swap two words
            i = rng.randrange(len(words) - 1)
            swapped = [*words[:i], words[i + 1], words[i], *words[i + 2 :]]
            cases.append(("word order", " ".join(swapped), n))
        if entry.kind == "individual" and len(words) >= 3:
            cases.append(("dropped name", dropped(words, rng), n))
        alt = variant(entry, words, rng)
        if alt:
            cases.append(("transliteration", alt, n))
        cases.append(("case/diacritics", " ".join(words).lower().translate(ACCENTS), n))
    rng.shuffle(cases)  # so a prefix (the baseline's sample) has every kind
    return cases


def ordinary_names(count: int, seed: int) -> tuple[list[str], str]:
    try:
        from faker import Faker
    except ImportError:
        return [FALLBACK[i % len(FALLBACK)] for i in range(count)], "built-in list"
    names = []
    usable = []
    for loc in LOCALES:
        try:
            fake = Faker(loc)
        except AttributeError:
            continue
        fake.seed_instance(seed)
        usable.append(fake)
    per = count // (2 * len(usable)) + 1
    for fake in usable:
        for _ in range(per):
            names.append(f"{fake.first_name()} {fake.last_name()}")
            names.append(fake.name())
    random.Random(seed).shuffle(names)
    return names[:count], f"Faker ({len(usable)} locales)"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def timed(
    fn: Callable[[str], list[str]], names: Iterable[str]
) -> tuple[list[list[str]], list[float], list[float]]:
    """Results, wall-clock ms and CPU ms (this thread) per name; CPU time is what the
    screener costs even when other processes share the machine."""
    results, wall, cpu = [], [], []
    for name in names:
        start, start_cpu = time.perf_counter(), time.thread_time()
        results.append(fn(name))
        cpu.append((time.thread_time() - start_cpu) * 1000)
        wall.append((time.perf_counter() - start) * 1000)
    return results, wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lists", default=str(ROOT.parent / "shared" / "data" / "sanctions"))
    parser.add_argument("--recall", type=int, default=1500, help="listed entries to alter")
    parser.add_argument("--ordinary", type=int, default=4000, help="ordinary names")
    parser.add_argument("--baseline", type=int, default=1000, help="queries for the baseline")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("-v", action="store_true", help="print misses and false hits")
    args = parser.parse_args()

    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start")
    gc.collect()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    screener = Screener.from_files(list_files(args.lists))
    load_s = time.perf_counter() - start
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    traced = Screener.from_files(list_files(args.lists))
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del traced
    print(f"lists: {screener.entry_count} entries, {screener.name_count} names, {screener.version}")
    print(
        f"load+index: {load_s:.2f} s; memory held {current / 2**20:.0f} MiB "
        f"(peak {peak / 2**20:.0f} MiB, tracemalloc); max RSS grew by "
        f"{(rss_after - rss_before) / 1024:.0f} MiB"
    )

    entries = list(screener.lists.entries)
    cases = alterations(entries, args.recall, args.seed)
    ordinary, source = ordinary_names(args.ordinary, args.seed)
    print(
        f"threshold {screener.threshold}; {len(cases)} altered listed names; "
        f"{len(ordinary)} ordinary names from {source}"
    )

    def ours(name: str) -> list[str]:
        return [f"{h.list_name}:{h.entry_id}" for h in screener.screen(name)]

    all_names = [(fold(n), i) for i, e in enumerate(entries) for n in e.names]
    choices = [n for n, _ in all_names]
    owner = [i for _, i in all_names]

    def baseline(name: str, cutoff: float = 85.0) -> list[str]:
        found = process.extract(
            fold(name), choices, scorer=fuzz.token_sort_ratio, score_cutoff=cutoff, limit=50
        )
        ids = dict.fromkeys(
            f"{entries[owner[k]].list_name}:{entries[owner[k]].entry_id}" for _, _, k in found
        )
        return list(ids)

    def expected(n: int) -> str:
        return f"{entries[n].list_name}:{entries[n].entry_id}"

    def report(label: str, fn: Callable[[str], list[str]], limit: int | None) -> None:
        rcases = cases[:limit] if limit else cases
        onames = ordinary[:limit] if limit else ordinary
        got, t_recall, c_recall = timed(fn, [c[1] for c in rcases])
        flagged, t_ord, c_ord = timed(fn, onames)
        times, cpu = t_recall + t_ord, c_recall + c_ord
        by_kind: dict[str, list[int]] = {}
        for (kind, _, n), ids in zip(rcases, got, strict=True):
            by_kind.setdefault(kind, []).append(expected(n) in ids)
        total = sum(sum(v) for v in by_kind.values()) / len(rcases)
        parts = ", ".join(f"{k} {sum(v) / len(v):.3f}" for k, v in by_kind.items())
        false = sum(1 for ids in flagged if ids) / len(onames)
        print(f"\n[{label}] {len(rcases)} altered + {len(onames)} ordinary names")
        print(f"  recall {total:.4f} ({parts})")
        print(f"  ordinary names with a hit: {false * 100:.2f} %")
        print(
            f"  latency per name (wall): p50 {statistics.median(times):.2f} ms, "
            f"p99 {percentile(times, 0.99):.2f} ms, max {max(times):.2f} ms"
        )
        print(
            f"  CPU time per name: p50 {statistics.median(cpu):.2f} ms, "
            f"p99 {percentile(cpu, 0.99):.2f} ms, max {max(cpu):.2f} ms"
        )
        return None

    report("screener (blocking index + rapidfuzz)", ours, None)
    report("baseline: rapidfuzz token_sort_ratio >= 85 over all names", baseline, args.baseline)
    if "-v" in sys.argv:
        missed = [
            (k, q, entries[n].name)
            for (k, q, n), ids in zip(cases, timed(ours, [c[1] for c in cases])[0], strict=True)
            if expected(n) not in ids
        ]
        for m in missed[:40]:
            print("MISS", m)
        hit = [(n, ours(n)[:2]) for n in ordinary if ours(n)]
        for h in hit[:40]:
            print(
                "FALSE", h, [(x.matched_name, round(x.score, 3)) for x in screener.screen(h[0])[:2]]
            )


if __name__ == "__main__":
    main()

"""A blocking index over every listed name: sound keys (and their one-letter deletions)
-> names, so a screened name is scored against a few hundred candidates, not all names."""

from __future__ import annotations

import math
from array import array
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from .chinese import han_key, has_han, romanisation_key, romanise
from .model import Entry
from .normalize import canonical, person_order, phonetic, tokens
from .ordinary import ordinary_cap

COMMON_POSTINGS = 2500  # a word in more names than this only weighs, it does not find
NEAR_POSTINGS = 600  # a one-letter-off key shared by more names than this is noise
CANDIDATES = 100  # names scored per screened name, the best blocked first
SHORT_WORD = 1.5  # weight cap per letter
WEIGHT_CACHE = 200_000  # words whose weight is remembered (list words and screened words)
MIN_SHARE = 0.45  # of the query's blocking weight a candidate must share to be scored


@dataclass(frozen=True, slots=True)
class IndexedName:
    entry: int  # position in the screener's entries
    text: str  # the name as the list writes it
    tokens: tuple[str, ...]
    person: bool  # tokens are in person order (given names first, surname last)
    weights: tuple[float, ...] = ()  # each token's weight, filled in once the index is built


def _deletions(text: str, prefix: str) -> set[str]:
    return (
        {prefix + text[:i] + text[i + 1 :] for i in range(len(text))} if len(text) >= 4 else set()
    )


def _keys(token: str) -> set[str]:
    """Blocking keys: the sound key, and the sound key and spelling less one letter each."""
    key = phonetic(token)
    return {key} | _deletions(key, "") | _deletions(token, "~") | {"~" + token}


class NameIndex:
    """Immutable after construction; shared by screeners that differ only in threshold."""

    def __init__(self, entries: Sequence[Entry]) -> None:
        names: list[IndexedName] = []
        self.script: dict[str, list[tuple[int, str]]] = {}  # Han -> (entry, name)
        for number, entry in enumerate(entries):
            seen: set[tuple[str, ...]] = set()
            person = entry.kind in ("individual", None)
            for text in entry.names:
                toks = tokens(person_order(text) if person else text)
                if toks and toks not in seen:
                    seen.add(toks)
                    names.append(IndexedName(number, text, toks, person))
                if has_han(text):  # the script entry's pinyin is a listed name too
                    self.script.setdefault(han_key(text), []).append((number, text))
                    for reading in romanise(text)[:2] if person else ():
                        if reading not in seen:
                            seen.add(reading)
                            names.append(IndexedName(number, text, reading, person))
        self.names: tuple[IndexedName, ...] = tuple(names)
        df: Counter[str] = Counter()
        by_token: defaultdict[str, list[int]] = defaultdict(list)
        postings: defaultdict[str, list[int]] = defaultdict(list)
        for number, name in enumerate(self.names):
            df.update({canonical(t) for t in name.tokens})
            for tok in set(name.tokens):
                by_token[tok].append(number)
            if len(name.tokens) > 1:
                postings["#" + phonetic("".join(name.tokens))].append(number)
        for tok, numbers in by_token.items():  # keys once per distinct word, not per name
            postings["=" + tok] = numbers
            for key in _keys(tok):
                postings[key].extend(numbers)
            if len(tok) <= 6:  # Wade-Giles and pinyin spellings of a syllable meet here
                postings["@" + romanisation_key(tok)].extend(numbers)
        total = max(len(self.names), 1)
        # short words are common somewhere even when rare on the lists ("Li", "Yu", "Wang")
        self._idf = {
            tok: min(math.log(total / n) + 1.0, SHORT_WORD * len(tok)) for tok, n in df.items()
        }
        self._unknown = math.log(total) + 1.0
        self._weights: dict[str, float] = {}
        self.unique_weight = self._unknown  # the weight of a word found in one name only
        self.names = tuple(
            IndexedName(n.entry, n.text, n.tokens, n.person, tuple(map(self.weight, n.tokens)))
            for n in self.names
        )
        # int arrays: a quarter of the memory of tuples, and nothing for the GC to walk
        self._postings = {k: array("i", v) for k, v in postings.items()}

    def weight(self, token: str) -> float:
        """How much a token says about identity: rare on the lists and among ordinary
        people's names -> high."""
        found = self._weights.get(token)
        if found is None:
            key = canonical(token)
            found = self._idf.get(key) or min(self._unknown, SHORT_WORD * len(key))
            cap = ordinary_cap(token)
            if cap is None and key != token:
                cap = ordinary_cap(key)
            if cap is not None:
                found = min(found, cap)
            if len(self._weights) < WEIGHT_CACHE:
                self._weights[token] = found
        return found

    def candidates(self, query: Sequence[str], limit: int | None = None) -> list[int]:
        """Names sharing (nearly) a word with the query, most shared rarity first.

        Common words (huge postings) only add weight to names found through rarer words,
        so "Muhammad" alone never drags in thousands of names.
        """
        per_token: list[tuple[float, dict[int, float]]] = []
        for tok in dict.fromkeys(query):
            key = phonetic(tok)
            found: dict[int, float] = {}
            for variant in _keys(tok) - {key}:
                near = self._postings.get(variant, ())
                if len(near) <= NEAR_POSTINGS:
                    found.update(dict.fromkeys(near, 0.5))
            # exact spelling beats same sound beats one letter away
            found.update(dict.fromkeys(self._postings.get(key, ()), 0.8))
            if len(tok) <= 6:
                found.update(
                    dict.fromkeys(self._postings.get("@" + romanisation_key(tok), ()), 0.8)
                )
            found.update(dict.fromkeys(self._postings.get("=" + tok, ()), 1.0))
            if found:
                per_token.append((self.weight(tok), found))
        if len(query) > 1:
            joined = self._postings.get("#" + phonetic("".join(query)), ())
            if joined:
                per_token.append((self._unknown, dict.fromkeys(joined, 1.0)))
        if not per_token:
            return []
        selective = [p for p in per_token if len(p[1]) <= COMMON_POSTINGS]
        common = [p for p in per_token if len(p[1]) > COMMON_POSTINGS]
        if not selective:  # only common words: the rarest one finds the candidates
            common.sort(key=lambda p: len(p[1]))
            selective = common[:1]
            common = common[1:]
        scores: defaultdict[int, float] = defaultdict(float)
        for weight, found in selective:
            for number, share in found.items():
                scores[number] += weight * share
        for weight, found in common:
            for number in scores:
                share = found.get(number)
                if share:
                    scores[number] += weight * share
        # a name sharing little of the query's rarity cannot reach a hit score
        total = sum(w for w, _ in per_token)
        floor = MIN_SHARE * max(total, max(scores.values()))
        kept = [n for n, v in scores.items() if v >= floor]
        if limit is None:  # a one-word query is cheap to score: look at more names
            limit = CANDIDATES * 2 if len(query) == 1 else CANDIDATES
        if len(kept) <= limit:
            return kept
        return sorted(kept, key=scores.__getitem__, reverse=True)[:limit]

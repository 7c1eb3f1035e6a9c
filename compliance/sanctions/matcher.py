"""Scoring one screened name against one listed name. Pure: tokens and weights in, score out.

Tokens are aligned one-to-one (word order does not matter), each pair scored by edit
similarity of the spelling or of the sound key (typos, transliteration). Coverage is
weighted by how rare a token is on the lists, so a dropped middle name costs little while
sharing only "Muhammad Ali" with a longer listed name is not enough for a hit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rapidfuzz.distance import OSA, Indel, Levenshtein

from .chinese import is_syllable, romanisation_key
from .normalize import canonical, phonetic, spelling

PAIR_MIN = 0.78  # below this two tokens are not the same word
VARIANT_EQUAL = 0.97  # known transliteration variants (Mohammed/Muhammad)
KEY_EQUAL = 0.93  # same sound or spelling key (Qaida/Qaeda, Xyng/Xing)
ROMANISATION_EQUAL = 0.93  # one Chinese syllable in pinyin and in Wade-Giles (Zhang/Chang)
TRANSPOSED = 0.88  # "Sloan" for "Solan"
SHORT_SLIP = 0.85  # "Aug" for "Aung"
SHORT_VOWEL = 0.86  # "Aug" for "Aung"
QUERY_SHARE = 0.55  # weight of "the screened name is explained" vs "the listed name is covered"
MIN_EVIDENCE = 0.95  # share of a unique word's weight a partial match must reach in full
SURNAME_MISSING = 0.9  # factor when a person's last listed word (in person order) is unmatched
ENDS_AGREE = 0.9  # first and last name must agree this well for middle names to count less
MIDDLE_DISCOUNT = 0.35  # weight left to a listed middle name the screened name leaves out


def token_similarity(a: str, b: str) -> float:
    """0..1 similarity of two folded words: variants, sound key, then spelling."""
    if a == b:
        return 1.0
    spelled = Indel.normalized_similarity(a, b)
    if canonical(a) == canonical(b):
        return VARIANT_EQUAL
    if (
        len(a) <= 6
        and len(b) <= 6
        and romanisation_key(a) == romanisation_key(b)
        and is_syllable(a)
        and is_syllable(b)
    ):
        return ROMANISATION_EQUAL
    if spelled < 0.5:  # most pairs: too far apart for any rule below to matter
        return 0.0
    if spelling(a) == spelling(b):
        return KEY_EQUAL
    if (
        spelled < TRANSPOSED
        and len(a) == len(b) >= 3
        and a[0] == b[0]
        and OSA.distance(a, b) == 1
        and Levenshtein.distance(a, b) == 2
    ):
        return TRANSPOSED  # two neighbouring letters swapped: a typing slip
    if min(len(a), len(b)) <= 4:
        # short words: one letter changes the name (Ali/Wali/Mali), so demand near-equality;
        # a letter left out after the first ("Aug" for "Aung") is a slip, not another name
        if abs(len(a) - len(b)) == 1 and min(len(a), len(b)) >= 3 and a[0] == b[0]:
            return max(spelled, SHORT_SLIP) if Levenshtein.distance(a, b) == 1 else 0.0
        if (
            len(a) == len(b) >= 3
            and a[0] == b[0]
            and phonetic(a) == phonetic(b)
            and not (is_syllable(a) and is_syllable(b))  # Kun/Ken are two Chinese names
        ):
            # an inner vowel written another way (Badr/Bedr, Chol/Chul, Reda/Rida)
            return SHORT_VOWEL
        return spelled if spelled >= 0.88 else 0.0
    if spelled >= 0.6 and phonetic(a) == phonetic(b):  # not "junyu"/"zhenyu"
        return max(spelled, KEY_EQUAL)
    return spelled


@dataclass(frozen=True, slots=True)
class NameScore:
    score: float
    query_coverage: float
    name_coverage: float
    matched: tuple[int, ...] = ()  # positions of the listed tokens the query matched
    missing: tuple[int, ...] = ()  # positions of the listed tokens the query left out


def score_tokens(
    query: Sequence[str],
    name: Sequence[str],
    weight: Callable[[str], float],
    similarity: Callable[[str, str], float] = token_similarity,
    unique_weight: float = 11.5,
    person: bool = False,
    name_weights: Sequence[float] | None = None,
) -> NameScore:
    """Align the two token lists greedily by similarity and combine weighted coverages."""
    if not query or not name:
        return NameScore(0.0, 0.0, 0.0)
    pairs = []
    for i, q in enumerate(query):
        for j, n in enumerate(name):
            sim = similarity(q, n)
            if sim >= PAIR_MIN:
                pairs.append((sim, q, n, i, j))
    pairs.sort(reverse=True)  # ties broken by the words, so word order cannot matter
    used_q: dict[int, tuple[int, float]] = {}
    used_n: set[int] = set()
    for sim, _, _, i, j in pairs:
        if i not in used_q and j not in used_n:
            used_q[i] = (j, sim)
            used_n.add(j)
    name_w = list(name_weights) if name_weights is not None else [weight(n) for n in name]
    for i, (j, _) in used_q.items():
        # a pair is as telling as its commoner side: a rare spelling of a common name
        # ("Mahamood") does not make the match rare
        name_w[j] = min(name_w[j], weight(query[i]))
    ends = [sim for j, sim in used_q.values() if j in (0, len(name) - 1)]
    if len(name) >= 3 and len(used_q) == len(query) and len(ends) == 2 and min(ends) >= ENDS_AGREE:
        # first and last name agree and middle names (in person order) are left out
        name_w = [w if j in used_n else w * MIDDLE_DISCOUNT for j, w in enumerate(name_w)]
    query_w = [name_w[used_q[i][0]] if i in used_q else weight(q) for i, q in enumerate(query)]
    got_q = sum(query_w[i] * sim for i, (_, sim) in used_q.items())
    got_n = sum(name_w[j] * sim for _, (j, sim) in used_q.items())
    cq = got_q / sum(query_w)
    cn = got_n / sum(name_w)
    score = QUERY_SHARE * cq + (1 - QUERY_SHARE) * cn
    needed = MIN_EVIDENCE * unique_weight
    if len(used_n) < len(name) and got_n < needed:
        # a partial match on common tokens only ("Muhammad Ali" within a longer name)
        score *= got_n / needed
    if person and len(name) > 1 and len(name) - 1 not in used_n:
        score *= SURNAME_MISSING  # given names alone ("Jean Francis") rarely mean the same person
    matched = tuple(sorted(used_n))
    missing = tuple(j for j in range(len(name)) if j not in used_n)
    return NameScore(min(score, 1.0), cq, cn, matched, missing)


def joined_similarity(query: Sequence[str], name: Sequence[str]) -> float:
    """Similarity of the names without spaces, for split or merged words ("xijinping")."""
    if len(query) == len(name):
        return 0.0  # same word count: the token alignment already decides
    a, b = "".join(query), "".join(name)
    if len(a) < 6 or abs(len(a) - len(b)) > 2:
        return 0.0
    return Indel.normalized_similarity(a, b)


def syllable_similarity(a: str, b: str) -> float:
    """Pinyin read from Chinese characters against a listed word: exact, or the same
    syllable in another romanisation (Zhang/Chang); never a near spelling, since "chen"
    (陈) and "cheng" (程) are different names, not a typo of each other."""
    if a == b:
        return 1.0
    if romanisation_key(a) == romanisation_key(b):
        return ROMANISATION_EQUAL
    return 0.0

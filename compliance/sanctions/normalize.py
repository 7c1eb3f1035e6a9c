"""Name normalisation: one folded, tokenised form for list names and screened names alike.

Both sides go through the same steps, so a name written in Arabic or Cyrillic script, with
diacritics, in another case or word order, or with a company's legal form, compares equal
to its listed form. Pure functions, no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from anyascii import anyascii
from rapidfuzz.distance import Indel

# Legal forms carry no identity: "ACME LLC" and "Acme Ltd." are the same name to a screener.
LEGAL_FORMS = frozenset(
    [
        "llc",
        "ltd",
        "limited",
        "inc",
        "incorporated",
        "corp",
        "corporation",
        "co",
        "company",
        "plc",
        "gmbh",
        "ag",
        "kg",
        "mbh",
        "sa",
        "sas",
        "sarl",
        "srl",
        "spa",
        "bv",
        "nv",
        "ab",
        "as",
        "oy",
        "oyj",
        "aps",
        "llp",
        "lp",
        "pte",
        "pty",
        "bhd",
        "sdn",
        "jsc",
        "ojsc",
        "cjsc",
        "pjsc",
        "oao",
        "zao",
        "ooo",
        "ao",
        "pao",
        "tov",
        "joint",
        "stock",
        "liability",
        "cv",
        "rl",
        "fze",
        "fzc",
        "fzco",
        "fzllc",
        "dmcc",
        "sal",
        "saog",
        "wll",
        "jlt",
        "kft",
        "zrt",
        "doo",
        "ad",
        "eood",
        "tic",
        "sti",
        "ltda",
        "cia",
    ]
)
# Transliteration variants a phonetic key does not join on its own (name -> canonical form).
_VARIANT_GROUPS = {
    "muhammad": "mohammed mohammad mohamed mohamad muhammed muhamad mohd mhd mouhamed "
    "mohammod mohamud muhamed mohmmad mohammadi mokhammed",
    "yevgeny": "evgeny evgeni evgenii evgeniy yevgeni yevgeniy yevgenii eugene jewgeni",
    "aleksandr": "alexander aleksander oleksandr alexandr aleksandar alexandre",
    "sergey": "sergei serguei sergiy serhiy serhii sergej",
    "yury": "yuri yuriy iouri yurii jurij juri",
    "dmitry": "dmitri dmitriy dmitrii dmytro",
    "yusuf": "yousef yousuf youssef yosef yusef jusuf youssouf",
    "usama": "osama",
    "abdul": "abd abdel abdal abdoul abdol abdu",
    "husayn": "hussein husein hussain husain hossein hosein houssein",
    "hasan": "hassan hasson",
    "ahmad": "ahmed ahmet akhmed achmed",
    "mahmud": "mahmoud mahmood",
    "qasim": "qassem kassem kasim qasem qassim",
    "khalid": "khaled",
    "abu": "abou",
    "ibrahim": "ebrahim ibragim",
    "sulayman": "suleiman sulaiman suleyman soleiman",
    "vyacheslav": "viacheslav",
    "nikolay": "nikolai mykola",
}
VARIANTS = {v: k for k, vs in _VARIANT_GROUPS.items() for v in vs.split()}
_NON_WORD = re.compile(r"[^a-z0-9]+")
_VOWELS = re.compile(r"[aeiou]+")
_DOUBLE = re.compile(r"(.)\1+")
_KEY_RULES = (
    ("sch", "sh"),
    ("tch", "ch"),
    ("dzh", "j"),
    ("dj", "j"),
    ("zh", "j"),
    ("ph", "f"),
    ("kh", "h"),
    ("gh", "g"),
    ("th", "t"),
    ("dh", "d"),
    ("ck", "k"),
    ("q", "k"),
    ("x", "ks"),
    ("w", "v"),
)


def fold(text: str) -> str:
    """Lower-case ASCII with punctuation as spaces (any script is transliterated first)."""
    text = unicodedata.normalize("NFKC", text)
    text = anyascii(text).lower().replace("'", "").replace("`", "")
    return " ".join(_NON_WORD.sub(" ", text).split())


@lru_cache(maxsize=200_000)
def canonical(token: str) -> str:
    """The token's canonical spelling (transliteration variants joined)."""
    return VARIANTS.get(token, token)


# "S.A. de C.V.", "S. de R.L. de C.V.": Mexican legal forms spelled as initials with "de".
_SPANISH_FORMS = re.compile(r"\b(?:s ?a|s de r ?l)(?: de c ?v)?$")
_LONG_LEGAL_FORMS = ("company", "limited", "corporation", "incorporated", "liability")
_LONG_LEGAL_FORMS += ("joint", "stock")


@lru_cache(maxsize=200_000)
def is_legal_form(token: str) -> bool:
    """A legal form, also when misspelled ("compani", "limted", "coporation")."""
    if token in LEGAL_FORMS:
        return True
    if len(token) < 5:
        return False
    if len(token) == 5:  # "joynt", "jiont"; but "point" or "stick" are words of a name
        return any(_same_letters(token, form) for form in _LONG_LEGAL_FORMS if len(form) == 5)
    return any(Indel.normalized_similarity(token, form) >= 0.85 for form in _LONG_LEGAL_FORMS)


def _same_letters(a: str, b: str) -> bool:
    return a.replace("y", "i") == b or (sorted(a) == sorted(b) and a[0] == b[0])


def tokens(text: str) -> tuple[str, ...]:
    """Folded words without legal forms; a name made only of legal forms keeps them.

    Spellings are kept as written (a typo is measured against the listed spelling);
    transliteration variants meet through ``canonical`` and ``phonetic``.
    """
    folded = _join_initials(_SPANISH_FORMS.sub(" ", fold(text)).split())
    kept = [t for t in folded if not is_legal_form(t)]
    return tuple(kept or folded)


def _join_initials(words: list[str]) -> list[str]:
    """Runs of single letters become one word: "s a" -> "sa", "l l c" -> "llc", "j p" -> "jp"."""
    joined: list[str] = []
    run = ""
    for word in words:
        if len(word) == 1 and word.isalpha():
            run += word
            continue
        if run:
            joined.append(run)
            run = ""
        joined.append(word)
    if run:
        joined.append(run)
    return joined


def person_order(name: str) -> str:
    """OFAC writes people as "LAST, First Middle": give "First Middle LAST" instead."""
    last, sep, first = name.partition(",")
    return f"{first} {last}" if sep and first.strip() else name


@lru_cache(maxsize=200_000)
def phonetic(token: str) -> str:
    """A coarse sound key of the canonical spelling: inner vowel runs -> 'a', digraphs folded.

    "yevgeny"/"evgeniy" and "qaida"/"qaeda" share a key, while "mahmud" and "muhammad"
    do not, since vowel positions are kept.
    """
    if token.isdigit():
        return token
    key = canonical(token)
    if len(key) > 2 and key[0] == "y" and key[1] in "aeiou":
        key = key[1:]  # Yevgeny/Evgeny, Yasir/Iasir
    for old, new in _KEY_RULES:
        key = key.replace(old, new)
    key = re.sub(r"c(?=[eiy])", "s", key).replace("c", "k")
    key = key[0] + key[1:].replace("y", "i") if key else key
    if len(key) > 2 and key[-1] == "h" and key[-2] in "aeiou":
        key = key[:-1]  # Hamzah/Hamza, Abdullah/Abdulla
    stem = key.rstrip("aeiou")
    ending = key[-1] if len(stem) < len(key) else ""  # Maria/Mario stay apart
    key = _VOWELS.sub("a", stem) + ending
    return _DOUBLE.sub(r"\1", key)


_SPELLING_RULES = (("ee", "i"), ("oo", "u"), ("ou", "u"), ("ie", "i"), ("y", "i"), ("kh", "h"))
_SPELLING_RULES += (("ph", "f"), ("q", "k"), ("c", "k"), ("w", "v"), ("j", "dj"), ("ddj", "dj"))


@lru_cache(maxsize=200_000)
def spelling(token: str) -> str:
    """A finer key than ``phonetic``: only spelling conventions folded (y/i, ee/i, ou/u,
    kh/h), vowels kept, so "Xyng"/"Xing" meet but "Kun"/"Ken" do not."""
    key = canonical(token)
    for old, new in _SPELLING_RULES:
        key = key.replace(old, new)
    return _DOUBLE.sub(r"\1", key)

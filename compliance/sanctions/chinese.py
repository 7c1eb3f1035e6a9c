"""Names written in Chinese characters: their pinyin, and the keys that join romanisations.

pypinyin is used rather than anyascii because it reads characters in context from a phrase
dictionary (polyphonic characters), gives syllables one by one (anyascii runs them together
as "ChenYun"), and knows every reading of a character; a family name such as 单 (Shan) or
曾 (Zeng) is read differently from running text, so its surname reading is tried first.
A syllable read from a character is exact: "chen" from 陈 is never a typo of "cheng",
which is how a two-character name stays off unrelated listed entries. Pure functions, no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from itertools import product

from pypinyin import Style, pinyin
from pypinyin.pinyin_dict import pinyin_dict

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_NOT_HAN = re.compile(r"[^\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\s]+")
# Two-character family names (the common ones): their second character is not a given name.
COMPOUND_SURNAMES = frozenset(
    (
        "欧阳",
        "司马",
        "上官",
        "诸葛",
        "东方",
        "皇甫",
        "尉迟",
        "公孙",
        "慕容",
        "长孙",
        "宇文",
        "司徒",
        "夏侯",
        "轩辕",
        "令狐",
        "独孤",
        "南宫",
        "歐陽",
        "司馬",
        "諸葛",
        "長孫",
        "宇文",
        "司徒",
        "夏侯",
        "軒轅",
        "令狐",
        "獨孤",
        "南宮",
        "端木",
        "西门",
        "西門",
    )
)
MAX_READINGS = 3


def has_han(text: str) -> bool:
    """True when the text contains Chinese characters."""
    return bool(_HAN.search(text))


def han_key(text: str) -> str:
    """The characters alone (spaces, punctuation and Latin letters dropped), for comparing
    a screened name with the list's own script entries."""
    return "".join(_HAN.findall(unicodedata.normalize("NFKC", text)))


def strip_han(text: str) -> str:
    """The text without its Chinese characters (the Latin words written beside them)."""
    return _HAN.sub(" ", text)


def _plain(syllable: str) -> str:
    return syllable.replace("ü", "v").replace("u:", "v").lower()


# Characters read differently as a family name than in running text.
SURNAME_READINGS = {
    "单": "shan",
    "曾": "zeng",
    "解": "xie",
    "仇": "qiu",
    "朴": "piao",
    "区": "ou",
    "查": "zha",
    "盖": "ge",
    "乐": "yue",
    "覃": "qin",
    "种": "chong",
    "召": "shao",
    "秘": "bi",
    "繁": "po",
    "员": "yun",
    "能": "nai",
    "任": "ren",
    "华": "hua",
    "纪": "ji",
    "缪": "miao",
    "翟": "zhai",
    "祭": "zhai",
    "居": "ju",
    "宓": "fu",
    "燕": "yan",
    "谌": "chen",
    "黑": "he",
    "沈": "shen",
    "長": "zhang",
    "长": "zhang",
    "重": "chong",
    "尉": "yu",
    "洗": "xian",
    "冼": "xian",
}


@lru_cache(maxsize=20_000)
def _readings(char: str) -> tuple[str, ...]:
    """A family name's readings: its surname reading (when it has one), then its usual one."""
    found = pinyin(char, style=Style.NORMAL, errors="ignore")
    usual = _plain(found[0][0]) if found and found[0] else ""
    readings = (SURNAME_READINGS.get(char, usual), usual)
    return tuple(dict.fromkeys(r for r in readings if r))


def _group(chars: str, family_first: bool) -> list[list[tuple[str, ...]]]:
    """One written group (no spaces) -> alternative token lists, each a list of options."""
    if not chars:
        return []
    if not family_first or len(chars) == 1:
        text = [_plain(s[0]) for s in pinyin(chars, style=Style.NORMAL, errors="ignore") if s]
        return [[("".join(text),)]] if text else []
    cut = 2 if chars[:2] in COMPOUND_SURNAMES and len(chars) > 2 else 1
    family = [_readings(c) for c in chars[:cut]]
    given = [_plain(s[0]) for s in pinyin(chars[cut:], style=Style.NORMAL, errors="ignore") if s]
    families = tuple("".join(p) for p in product(*family)) if all(family) else ()
    options: list[list[tuple[str, ...]]] = []
    if families and given:
        options.append([families, ("".join(given),)])  # "Li Fangwei"
        if len(given) > 1:
            options.append([families, *[(g,) for g in given]])  # "Li Fang Wei"
    return options


def romanise(text: str) -> list[tuple[str, ...]]:
    """Pinyin token lists for a name in Chinese characters, best reading first.

    Written without spaces (陈云, 李方伟) the first character is the family name and the rest
    one given name; written with spaces (云 陈) each group is one word. Latin words beside the
    characters are kept as they are.
    """
    text = unicodedata.normalize("NFKC", text)
    groups = _NOT_HAN.sub(" ", text).split()
    if not groups:
        return []
    single = len(groups) == 1
    per_group = [_group(g, family_first=single) for g in groups]
    if not all(per_group):
        return []
    results: list[tuple[str, ...]] = []
    for choice in product(*per_group):
        slots = [slot for alternative in choice for slot in alternative]
        for words in product(*slots):
            if words not in results:
                results.append(words)
    return results[: MAX_READINGS * 2]


# Wade-Giles (and postal) spellings folded onto pinyin, longest first: Chang/Zhang,
# Hsi/Xi, Tsai/Cai, Chou/Zhou, Kuo/Guo.
_WADE = (
    ("hs", "x"),
    ("tz", "z"),
    ("ts", "z"),
    ("ch", "j"),
    ("zh", "j"),
    ("q", "j"),
    ("x", "x"),
    ("c", "z"),
    ("k", "g"),
    ("p", "b"),
    ("t", "d"),
)
_FINALS = (("ung", "ong"), ("ien", "ian"), ("ih", "i"), ("ou", "o"), ("ueh", "ue"), ("eh", "e"))


@lru_cache(maxsize=100_000)
def romanisation_key(syllable: str) -> str:
    """A key shared by the pinyin and Wade-Giles spellings of one Chinese syllable."""
    key = syllable
    for old, new in _WADE:
        if key.startswith(old):
            key = new + key[len(old) :]
            break
    for old, new in _FINALS:
        if key.endswith(old):
            key = key[: -len(old)] + new
            break
    return key


def _syllables() -> frozenset[str]:
    found = set()
    for readings in pinyin_dict.values():
        for reading in readings.split(","):
            plain = unicodedata.normalize("NFD", reading)
            found.add(_plain("".join(c for c in plain if not unicodedata.combining(c))))
    return frozenset(found)


SYLLABLES = _syllables()
_KEYS = frozenset(romanisation_key(s) for s in SYLLABLES)


def is_syllable(word: str) -> bool:
    """A single Chinese syllable in pinyin or Wade-Giles ("zhang", "chang", "hsi")."""
    return word in SYLLABLES or romanisation_key(word) in _KEYS

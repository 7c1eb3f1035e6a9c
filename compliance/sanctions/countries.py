"""Country names as the lists write them -> ISO 3166 alpha-2, so evidence compares codes."""

from __future__ import annotations

from functools import lru_cache

import pycountry

# Spellings used by OFAC and the UN that pycountry does not resolve on its own.
_ALIASES = {
    "russia": "RU",
    "iran": "IR",
    "syria": "SY",
    "burma": "MM",
    "north korea": "KP",
    "korea, north": "KP",
    "democratic people's republic of korea": "KP",
    "south korea": "KR",
    "korea, south": "KR",
    "republic of korea": "KR",
    "venezuela": "VE",
    "bolivia": "BO",
    "tanzania": "TZ",
    "vietnam": "VN",
    "viet nam": "VN",
    "laos": "LA",
    "moldova": "MD",
    "turkey": "TR",
    "turkiye": "TR",
    "türkiye": "TR",
    "taiwan": "TW",
    "palestinian": "PS",
    "west bank": "PS",
    "gaza": "PS",
    "palestine": "PS",
    "state of palestine": "PS",
    "congo, democratic republic of the": "CD",
    "democratic republic of the congo": "CD",
    "congo, republic of the": "CG",
    "republic of the congo": "CG",
    "congo": "CG",
    "kosovo": "XK",
    "macau": "MO",
    "cape verde": "CV",
    "ivory coast": "CI",
    "cote d ivoire": "CI",
    "czech republic": "CZ",
    "swaziland": "SZ",
    "the bahamas": "BS",
    "bahamas, the": "BS",
    "gambia, the": "GM",
    "the gambia": "GM",
    "brunei": "BN",
    "micronesia, federated states of": "FM",
    "united kingdom": "GB",
    "uk": "GB",
    "united states": "US",
    "usa": "US",
    "iraqi": "IQ",
    "yemeni": "YE",
    "saudi": "SA",
    "afghan": "AF",
    "egyptian": "EG",
    "syrian": "SY",
    "libyan": "LY",
    "pakistani": "PK",
    "somali": "SO",
    "sudanese": "SD",
    "jordanian": "JO",
    "kuwaiti": "KW",
    "lebanese": "LB",
    "tunisian": "TN",
    "algerian": "DZ",
    "moroccan": "MA",
    "russian": "RU",
    "iranian": "IR",
    "chinese": "CN",
    "north macedonia, the republic of": "MK",
    "man, isle of": "IM",
    "iran (islamic republic of)": "IR",
    "china, hong kong special administrative region": "HK",
    "hong kong": "HK",
    "crimea": "UA",
    "northern gaza": "PS",
    "north gaza": "PS",
    "northern mali": "ML",
}


@lru_cache(maxsize=4096)
def country_code(value: str | None) -> str | None:
    """ISO alpha-2 for a code (alpha-2/alpha-3) or a name; None when it is not a country."""
    if not value:
        return None
    text = value.strip().strip(".").strip()
    if not text or text == "-0-":
        return None
    key = text.lower()
    for prefix in ("region:", "possibly"):
        if key.startswith(prefix):
            key = key[len(prefix) :].strip()
            text = text[len(prefix) :].strip()
    if key in _ALIASES:
        return _ALIASES[key]
    try:
        found = pycountry.countries.lookup(text)
    except LookupError:
        return None
    return str(found.alpha_2)

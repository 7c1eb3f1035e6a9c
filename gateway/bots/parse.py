"""Understanding what a sender typed, in English or Chinese: commands, "send 100 USD to PH" in
one line, amounts, currencies and countries. Pure functions, no I/O."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import pycountry
from babel import Locale

from fx.money import is_currency

# Words (either language) that name a command; slash commands map to the same names.
COMMAND_WORDS: dict[str, str] = {
    "/start": "start",
    "/help": "help",
    "help": "help",
    "帮助": "help",
    "/status": "status",
    "status": "status",
    "状态": "status",
    "/history": "history",
    "history": "history",
    "记录": "history",
    "/cancel": "cancel",
    "cancel": "cancel",
    "取消": "cancel",
    "/verify": "verify",
    "verify": "verify",
    "验证": "verify",
    "/report": "report",
    "report": "report",
    "报告差错": "report",
    "差错": "report",
    "/language": "language",
    "language": "language",
    "语言": "language",
    "english": "lang:en",
    "中文": "lang:zh-Hans",
}
SEND_WORDS = ("send", "transfer", "remit", "汇款", "汇", "转账", "发送", "寄")
CURRENCY_WORDS: dict[str, str] = {
    "$": "USD",
    "美元": "USD",
    "美金": "USD",
    "dollars": "USD",
    "dollar": "USD",
    "€": "EUR",
    "欧元": "EUR",
    "euros": "EUR",
    "euro": "EUR",
    "£": "GBP",
    "英镑": "GBP",
    "pounds": "GBP",
    "迪拉姆": "AED",
    "dirhams": "AED",
}
_NUMBER = re.compile(r"(?<![\w.])([-−+]?)(\d[\d,]*(?:\.\d+)?)(?![\d])")
_WORD = re.compile(r"[A-Za-z]+|[^\x00-\x7f]+")
_TARGET = re.compile(r"\b(?:to|in)\s+([A-Za-z][A-Za-z .'-]*)$|(?:到|给|去|往)\s*(\S+)$")
_MAX_DIGITS = 15


@dataclass(frozen=True)
class SendIntent:
    """What a one-line send request named; any part may be missing."""

    amount: str | None = None
    amount_error: str | None = None  # "bad_amount" | "amount_not_positive"
    currency: str | None = None
    country: str | None = None
    unknown_place: str | None = None  # a destination we could not read as a country


def command_of(text: str) -> str | None:
    word = text.strip().split("@")[0].lower()
    return COMMAND_WORDS.get(word)


@cache
def _country_names() -> dict[str, str]:
    """Lower-case English, official and Chinese names -> ISO code, plus EU for the euro zone."""
    names: dict[str, str] = {}
    for country in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            value = getattr(country, attr, None)
            if value:
                names[value.lower()] = country.alpha_2
    for locale in ("en", "zh_Hans"):
        for code, name in Locale.parse(locale).territories.items():
            if len(code) == 2 and code.isalpha():
                names.setdefault(name.lower(), code)
    names.update({"europe": "EU", "欧洲": "EU", "欧盟": "EU", "uk": "GB", "uae": "AE"})
    return names


def country_of(text: str) -> str | None:
    """An ISO 3166 alpha-2 code from a code or a name in either language."""
    value = " ".join(text.strip().split()).strip(".!?。！")
    if not value:
        return None
    if len(value) == 2 and value.isascii() and value.isalpha():
        code = value.upper()
        return code if code == "EU" or pycountry.countries.get(alpha_2=code) else None
    if len(value) == 3 and value.isascii() and value.isalpha():
        found = pycountry.countries.get(alpha_3=value.upper())
        if found is not None:
            return found.alpha_2
    return _country_names().get(value.lower())


def _find_country(text: str) -> tuple[str | None, str | None]:
    """(code, None) when the text names a country; (None, word) when 'to X' names none."""
    target = _TARGET.search(text.strip())
    if target:
        place = (target.group(1) or target.group(2) or "").strip()
        code = country_of(place)
        return (code, None) if code else (None, place)
    for token in _WORD.findall(text):
        if token.isascii() and len(token) == 2 and token.isupper():
            code = country_of(token)
            if code:
                return code, None
    lowered = text.lower()
    for name, code in sorted(_country_names().items(), key=lambda kv: -len(kv[0])):
        if len(name) > 3 and name in lowered:
            return code, None
    return None, None


def currency_of(text: str) -> str | None:
    for word, code in CURRENCY_WORDS.items():
        if word in text.lower():
            return code
    for token in _WORD.findall(text):
        # Lower-case three-letter words are only currencies when they are common ones.
        common = token.isupper() or token.upper() in {"USD", "EUR", "GBP", "AED"}
        if token.isascii() and len(token) == 3 and common and is_currency(token.upper()):
            return token.upper()
    return None


def amount_of(text: str) -> tuple[str | None, str | None]:
    """(amount, None), (None, error key) or (None, None) when no number is there."""
    match = _NUMBER.search(text)
    if match is None:
        return None, None
    sign, digits = match.groups()
    digits = digits.replace(",", "")
    if sign in ("-", "−"):
        return None, "amount_not_positive"
    whole = digits.split(".")[0]
    if len(whole) > _MAX_DIGITS:
        return digits[: _MAX_DIGITS + 1], None  # clearly over any limit; the range check says so
    return digits, None


def is_send_request(text: str) -> bool:
    lowered = text.lower()
    return any(word in lowered for word in SEND_WORDS)


def send_intent(text: str) -> SendIntent:
    amount, error = amount_of(text)
    without_number = _NUMBER.sub(" ", text)
    country, unknown = _find_country(without_number)
    return SendIntent(
        amount=amount,
        amount_error=error,
        currency=currency_of(without_number),
        country=country,
        unknown_place=unknown,
    )

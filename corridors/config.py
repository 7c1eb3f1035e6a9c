"""Corridors: which money goes where, through whom, at what price, read from TOML.

A corridor is plain data; the gateway prices quotes from it (fees, spread, lifetimes) and picks the
payout partner and recipient validators by it. Bad files fail loudly at load time, never at the
first remittance.
"""

from __future__ import annotations

import tomllib
from collections.abc import Collection, Mapping
from dataclasses import dataclass, fields
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

import pycountry

from fx.coinmath import settlement_coin_for
from fx.money import AmountError, is_currency, non_negative

DEFAULT_QUOTE_TTL_S = 60
DEFAULT_BANK_FUNDING_TTL_S = 2 * 24 * 3600
# A new quote for a transfer back from review is pushed to a sender who is not at the screen.
DEFAULT_HELD_QUOTE_TTL_S = 15 * 60
REGION_EU = "EU"
"""Pseudo-country for "any euro-area / SEPA member state" (ISO 3166 reserves EU)."""

PAYOUT_METHODS = frozenset({"mobile_wallet", "bank_account", "upi", "sepa", "cash_pickup"})
ACCOUNT_SCHEMES = frozenset(
    {
        "ph_mobile_wallet",
        "ke_mobile_wallet",
        "gh_mobile_wallet",
        "mx_clabe",
        "in_ifsc",
        "in_upi",
        "ng_nuban",
        "sepa_iban",
        "pk_iban",
    }
)
"""Recipient account schemes; each has a validator row in corridors.recipients."""
PARTNER_PROTOCOLS = frozenset({"remit", "iso20022", "mojaloop"})
"""How the gateway speaks to a corridor's payout partner: our JSON API ("remit"), ISO 20022
pacs messages ("iso20022") or a Mojaloop switch (FSPIOP v2.0, "mojaloop"). One partner speaks
one protocol in every corridor it serves."""

_SEPA = (
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IS IE IT LV LI LT LU MT MC NL NO PL PT RO SM SK SI ES"
    " SE CH GB AD VA"
)
SEPA_COUNTRIES = frozenset(_SEPA.split())


class CorridorConfigError(ValueError):
    """The corridors file is unreadable or a corridor in it is invalid."""


class CorridorNotFound(LookupError):
    """No corridor serves the requested currencies / country / payout method."""


@dataclass(frozen=True, slots=True)
class Corridor:
    """One send → receive route with its partner, limits and pricing (send-currency amounts)."""

    id: str
    send_country: str
    send_currency: str
    receive_country: str
    receive_currency: str
    payout_method: str
    partner_id: str
    min_send: Decimal
    max_send: Decimal
    spread_bps: int
    fee_fixed: Decimal
    fee_percent: Decimal
    fee_minimum: Decimal
    fee_maximum: Decimal | None
    settlement_asset: str = "USDC"
    quote_ttl_s: int = DEFAULT_QUOTE_TTL_S
    bank_funding_ttl_s: int = DEFAULT_BANK_FUNDING_TTL_S
    # Lifetime of the new quote a remittance in `requote` is offered (after a hold, or a
    # lapsed funding window): long enough to answer a push message.
    held_quote_ttl_s: int = DEFAULT_HELD_QUOTE_TTL_S
    # Days after payment by which the recipient can have the money (disclosed on the receipt).
    funds_available_days: int = 1
    account_scheme: str = "ph_mobile_wallet"
    partner_protocol: str = "remit"
    # The pay-in partner's collection account a sender pays a bank transfer into: an IBAN or
    # a local account number (with `collection_routing`, e.g. an ABA routing number).
    collection_bank: str | None = None
    collection_account: str | None = None
    collection_routing: str | None = None
    collection_beneficiary: str | None = None

    def collection(self) -> dict[str, str] | None:
        """The account to pay into, as pay-in instructions show it (None: not configured)."""
        if self.collection_account is None:
            return None
        view = {
            "bank_name": self.collection_bank or "",
            "beneficiary": self.collection_beneficiary or "",
            "iban" if _is_iban(self.collection_account) else "account_number": (
                self.collection_account
            ),
        }
        if self.collection_routing:
            view["routing_number"] = self.collection_routing
        return view

    def serves_country(self, country: str) -> bool:
        """True when recipients in `country` can be paid (the EU region covers SEPA members)."""
        return _side_covers(self.receive_country, country)

    def sends_from(self, country: str) -> bool:
        """True when a sender living in `country` may use this corridor: a licence covers the
        sending side's customers only (the EU region covers SEPA members)."""
        return _side_covers(self.send_country, country)

    def to_json(self) -> dict[str, Any]:
        """JSON-ready public view (amounts as decimal strings), e.g. for GET /v1/corridors."""
        return {
            f.name: (str(v) if isinstance(v, Decimal) else v)
            for f in fields(self)
            if (v := getattr(self, f.name)) is not None or f.name == "fee_maximum"
        }


_COLLECTION = (
    "collection_bank",
    "collection_account",
    "collection_routing",
    "collection_beneficiary",
)


def _side_covers(side: str, country: str) -> bool:
    country = country.upper()
    if side == REGION_EU:
        return country == REGION_EU or country in SEPA_COUNTRIES
    return country == side


def _is_iban(text: str) -> bool:
    compact = text.replace(" ", "")
    return len(compact) > 4 and compact[:2].isalpha() and compact[2:4].isdigit()


def _collection_problems(c: Corridor) -> list[str]:
    given = [k for k in _COLLECTION if getattr(c, k) is not None]
    if not given:
        return []
    needed = {"collection_bank", "collection_account", "collection_beneficiary"}
    problems = [f"{k} is required with {given[0]}" for k in sorted(needed - set(given))]
    account = c.collection_account
    if account is not None and _is_iban(account):
        from schwifty import IBAN
        from schwifty.exceptions import SchwiftyException

        try:
            IBAN(account)
        except SchwiftyException as exc:
            problems.append(f"collection_account is not a valid IBAN: {exc}")
    elif account is not None and not account.replace(" ", "").replace("-", "").isdigit():
        problems.append("collection_account must be an IBAN or an account number (digits)")
    return problems


_DECIMALS = ("min_send", "max_send", "fee_fixed", "fee_percent", "fee_minimum", "fee_maximum")
_INTS = (
    "spread_bps",
    "quote_ttl_s",
    "bank_funding_ttl_s",
    "held_quote_ttl_s",
    "funds_available_days",
)
_REQUIRED = (
    "send_country",
    "send_currency",
    "receive_country",
    "receive_currency",
    "payout_method",
    "account_scheme",
    "partner_id",
    "min_send",
    "max_send",
    "spread_bps",
    "fee_fixed",
    "fee_percent",
    "fee_minimum",
)
_KNOWN = {f.name for f in fields(Corridor)}


def _decimal(cid: str, key: str, value: Any) -> Decimal:
    # TOML floats are refused: 0.1 is not exactly representable and money must be exact.
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise CorridorConfigError(f"{cid}.{key}: write money as a string or integer, not {value!r}")
    try:
        return non_negative(value)
    except AmountError as exc:
        raise CorridorConfigError(
            f"{cid}.{key}: must be a finite, non-negative amount ({exc})"
        ) from exc


def _country(cid: str, key: str, value: Any) -> str:
    code = str(value).upper()
    if code != REGION_EU and pycountry.countries.get(alpha_2=code) is None:
        raise CorridorConfigError(f"{cid}.{key}: unknown ISO 3166 country {value!r}")
    return code


def _currency(cid: str, key: str, value: Any) -> str:
    code = str(value).upper()
    if not is_currency(code):
        raise CorridorConfigError(f"{cid}.{key}: unknown ISO 4217 currency {value!r}")
    return code


def build_corridor(cid: str, table: Mapping[str, Any], defaults: Mapping[str, Any]) -> Corridor:
    """Validate one `[corridors.ID]` table (merged over `[defaults]`) into a Corridor."""
    raw = {**defaults, **table}
    unknown = set(raw) - _KNOWN
    if unknown:
        raise CorridorConfigError(f"{cid}: unknown keys {sorted(unknown)}")
    missing = [k for k in _REQUIRED if k not in raw]
    if missing:
        raise CorridorConfigError(f"{cid}: missing keys {missing}")
    values: dict[str, Any] = {"id": cid}
    for key in _DECIMALS:
        if raw.get(key) is not None:
            values[key] = _decimal(cid, key, raw[key])
    values.setdefault("fee_maximum", None)
    for key in _INTS:
        if key in raw:
            if isinstance(raw[key], bool) or not isinstance(raw[key], int) or raw[key] < 0:
                raise CorridorConfigError(f"{cid}.{key}: must be a non-negative integer")
            values[key] = raw[key]
    values["send_country"] = _country(cid, "send_country", raw["send_country"])
    values["receive_country"] = _country(cid, "receive_country", raw["receive_country"])
    values["send_currency"] = _currency(cid, "send_currency", raw["send_currency"])
    values["receive_currency"] = _currency(cid, "receive_currency", raw["receive_currency"])
    values["payout_method"] = str(raw["payout_method"])
    values["account_scheme"] = str(raw["account_scheme"])
    values["partner_id"] = str(raw["partner_id"]).strip()
    values["partner_protocol"] = str(raw.get("partner_protocol", "remit"))
    for key in _COLLECTION:
        if raw.get(key) is not None:
            values[key] = str(raw[key]).strip()
    default_asset = settlement_coin_for(values["send_currency"]).code
    values["settlement_asset"] = str(raw.get("settlement_asset", default_asset)).upper()
    corridor = Corridor(**values)
    _check(corridor)
    return corridor


def _check(c: Corridor) -> None:
    problems = []
    if c.payout_method not in PAYOUT_METHODS:
        problems.append(f"payout_method {c.payout_method!r} not in {sorted(PAYOUT_METHODS)}")
    if c.account_scheme not in ACCOUNT_SCHEMES:
        problems.append(f"account_scheme {c.account_scheme!r} not in {sorted(ACCOUNT_SCHEMES)}")
    if not c.partner_id:
        problems.append("partner_id is empty")
    if c.partner_protocol not in PARTNER_PROTOCOLS:
        problems.append(
            f"partner_protocol {c.partner_protocol!r} not in {sorted(PARTNER_PROTOCOLS)}"
        )
    if c.min_send <= 0 or c.min_send > c.max_send:
        problems.append("need 0 < min_send <= max_send")
    if c.fee_maximum is not None and c.fee_maximum < c.fee_minimum:
        problems.append("fee_maximum is below fee_minimum")
    if c.fee_percent >= 100:
        problems.append("fee_percent must be below 100")
    if c.spread_bps >= 10_000:
        problems.append("spread_bps must be below 10000")
    if c.quote_ttl_s <= 0:
        problems.append("quote_ttl_s must be positive")
    if c.bank_funding_ttl_s < c.quote_ttl_s:
        problems.append("bank_funding_ttl_s is shorter than quote_ttl_s")
    if c.held_quote_ttl_s <= 0:
        problems.append("held_quote_ttl_s must be positive")
    problems += _collection_problems(c)
    if not c.settlement_asset.isalnum():
        problems.append(f"settlement_asset {c.settlement_asset!r} is not an asset code")
    if problems:
        raise CorridorConfigError(f"{c.id}: " + "; ".join(problems))


def parse_corridors(document: Mapping[str, Any]) -> dict[str, Corridor]:
    """Build corridors from an already-parsed TOML document."""
    defaults = document.get("defaults", {})
    tables = document.get("corridors")
    if not isinstance(tables, Mapping) or not tables:
        raise CorridorConfigError("no [corridors.ID] tables")
    corridors = {cid: build_corridor(cid, table, defaults) for cid, table in tables.items()}
    partner_protocols(corridors)  # refuses a partner given two protocols
    return corridors


def partner_protocols(corridors: Mapping[str, Corridor]) -> dict[str, Corridor]:
    """partner id -> its first corridor (which names the partner's protocol and payout method);
    raises CorridorConfigError when one partner is given two protocols."""
    first: dict[str, Corridor] = {}
    for c in corridors.values():
        known = first.setdefault(c.partner_id, c)
        if known.partner_protocol != c.partner_protocol:
            raise CorridorConfigError(
                f"{c.id}: partner {c.partner_id} speaks {known.partner_protocol} in {known.id}, "
                f"not {c.partner_protocol}"
            )
    return first


def check_settleable(corridors: Mapping[str, Corridor], settleable: Collection[str]) -> None:
    """Refuse, at load, a corridor whose settlement coin the ledger cannot settle: otherwise
    every remittance would be funded (money taken) and then stop at conversion."""
    bad = [c for c in corridors.values() if c.settlement_asset not in settleable]
    if bad:
        raise CorridorConfigError(
            "; ".join(
                f"{c.id}: settlement_asset {c.settlement_asset} cannot be settled by the ledger"
                for c in bad
            )
            + f" (settleable coins: {', '.join(sorted(settleable))}); change settlement_asset "
            "or remove the corridor"
        )


def load_corridors(
    path: str | None = None, settleable: Collection[str] | None = None
) -> dict[str, Corridor]:
    """Read corridors from `path`, or the file shipped in corridors/data/corridors.toml;
    with `settleable`, refuse a corridor whose settlement coin is not in it."""
    try:
        if path is None:
            text = resources.files("corridors").joinpath("data/corridors.toml").read_text("utf-8")
        else:
            text = Path(path).read_text("utf-8")
        document = tomllib.loads(text)
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CorridorConfigError(
            f"cannot read corridors file {path or '(shipped)'}: {exc}"
        ) from exc
    corridors = parse_corridors(document)
    if settleable is not None:
        check_settleable(corridors, settleable)
    return corridors


def find_corridor(
    corridors: Mapping[str, Corridor],
    send_currency: str,
    receive_currency: str,
    receive_country: str | None = None,
    payout_method: str | None = None,
) -> Corridor:
    """The first corridor (in file order) matching the request; raise CorridorNotFound."""
    for corridor in corridors.values():
        if corridor.send_currency != send_currency.upper():
            continue
        if corridor.receive_currency != receive_currency.upper():
            continue
        if receive_country is not None and not corridor.serves_country(receive_country):
            continue
        if payout_method is not None and corridor.payout_method != payout_method:
            continue
        return corridor
    wanted = f"{send_currency}->{receive_currency}"
    if receive_country:
        wanted += f" in {receive_country}"
    if payout_method:
        wanted += f" by {payout_method}"
    raise CorridorNotFound(f"no corridor for {wanted}")

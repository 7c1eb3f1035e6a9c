"""Invariants over account balances, shared by every engine's `check()`.

Pure: given accounts and balances, list what is wrong. Engines add their own storage checks
(hash chain, balances recomputed from the journal).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from fx.coinmath import basket_reserve, creation_unit
from fx.stablecoins import Stablecoin

from .chart import BASKETS, PEGS, issuance, reserve, reserve_component, scale_to_coin
from .port import Account, AccountFlags, Balance


def balance_findings(
    rows: Iterable[tuple[Account, Balance]],
    pairs: Mapping[str, str] = PEGS,
    baskets: Mapping[str, Stablecoin] = BASKETS,
) -> list[str]:
    """Debits equal credits per asset, no forbidden negative balance, supply equals reserve
    (a pegged coin's one reserve, a basket coin's reserve per component currency)."""
    findings: list[str] = []
    sums: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    by_id: dict[str, Balance] = {}
    for acc, b in rows:
        by_id[acc.id] = b
        s = sums[acc.asset]
        s[0] += b.debits_posted
        s[1] += b.credits_posted
        s[2] += b.debits_pending
        s[3] += b.credits_pending
        if min(b.debits_posted, b.credits_posted, b.debits_pending, b.credits_pending) < 0:
            findings.append(f"{acc.id}: negative running total {b}")
        if (
            acc.flags & AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS
            and b.debits_posted + b.debits_pending > b.credits_posted
        ):
            findings.append(f"{acc.id}: debits exceed credits ({b})")
        if (
            acc.flags & AccountFlags.CREDITS_MUST_NOT_EXCEED_DEBITS
            and b.credits_posted + b.credits_pending > b.debits_posted
        ):
            findings.append(f"{acc.id}: credits exceed debits ({b})")
    for asset, (dp, cp, dpend, cpend) in sorted(sums.items()):
        if dp != cp:
            findings.append(f"{asset}: posted debits {dp} != posted credits {cp}")
        if dpend != cpend:
            findings.append(f"{asset}: pending debits {dpend} != pending credits {cpend}")
    zero = Balance()
    for coin, fiat in sorted(pairs.items()):
        supply = by_id.get(issuance(coin), zero)
        backing = by_id.get(reserve(fiat), zero)
        posted = scale_to_coin(backing.credit_balance, fiat, coin)
        if supply.debit_balance != posted:
            findings.append(
                f"{coin}: supply {supply.debit_balance} != reserve {backing.credit_balance} {fiat}"
                f" ({posted} {coin} units)"
            )
        pend_supply = supply.debits_pending - supply.credits_pending
        pend_reserve = backing.credits_pending - backing.debits_pending
        if pend_supply != scale_to_coin(pend_reserve, fiat, coin):
            findings.append(
                f"{coin}: pending supply {pend_supply} != pending reserve {pend_reserve}"
            )
    for coin in sorted(baskets):
        findings += _basket_findings(baskets[coin], by_id)
    return findings


def _basket_findings(coin: Stablecoin, by_id: Mapping[str, Balance]) -> list[str]:
    """Supply is whole creation units, and each component's reserve holds exactly that many
    units' amount of it: exact integers, no tolerance, so one minor unit off is a finding."""
    findings: list[str] = []
    zero = Balance()
    supply = by_id.get(issuance(coin.code), zero)
    cu = creation_unit(coin)
    per_cu = basket_reserve(coin, cu)
    posted = supply.debit_balance
    pending = supply.debits_pending - supply.credits_pending
    for label, units, pending_side in (
        ("supply", posted, False),
        ("pending supply", pending, True),
    ):
        if units % cu:
            findings.append(f"{coin.code}: {label} {units} is not whole creation units of {cu}")
            continue
        for currency, amount in per_cu.items():
            account = reserve_component(coin.code, currency)
            b = by_id.get(account, zero)
            held = b.credits_pending - b.debits_pending if pending_side else b.credit_balance
            if held != units // cu * amount:
                findings.append(
                    f"{coin.code}: {label} {units} needs {units // cu * amount} {currency} "
                    f"in reserve, {account} holds {held}"
                )
    return findings

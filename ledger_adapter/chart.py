"""Chart of accounts and the transfer builders the gateway's pipeline uses.

Accounts (ids are `kind:...:asset`, one asset each):

| id                     | asset | normal | flags | what it is                                 |
| ---------------------- | ----- | ------ | ----- | ------------------------------------------ |
| `cash:USD`             | fiat  | debit  |       | the gateway's bank money (money enters)    |
| `wallet:{customer}:USD`| fiat  | credit | DMNEC | what we owe a customer                     |
| `clearing:USD`         | fiat  | credit | DMNEC | a sender's funds while a remittance runs   |
| `fees:USD`             | fiat  | credit | DMNEC | fee revenue                                |
| `reserve:USD`          | fiat  | credit | DMNEC | fiat that backs the coin in circulation    |
| `fx_pnl:USD`           | fiat  | either |       | FX gains and losses                        |
| `fx_position:GBP`      | fiat  | either |       | currency the gateway exchanged (GBP->USD)  |
| `remedies:USD`         | fiat  | either |       | error remedies the provider bears (refund  |
|                        |       |        |       | or resend at no cost to the sender)        |
| `issuance:USDC`        | coin  | debit  | CMNED | coin supply (contra: debit balance)        |
| `treasury:USDC`        | coin  | credit | DMNEC | coin the gateway holds                     |
| `partner:{id}:{asset}` | any   | credit | DMNEC | owed to / held for a partner (coins only)  |
| `reserve:BSKT:GBP`     | fiat  | credit | DMNEC | one component of the basket coin's reserve |
| `change:BSKT`          | coin  | credit | DMNEC | basket coin minted to round up to whole    |
|                        |       |        |       | creation units, burnt with its remittance  |

DMNEC = DEBITS_MUST_NOT_EXCEED_CREDITS, CREDITS_MUST_NOT_EXCEED_DEBITS = CMNED.

Invariant: `issuance:USDC` debit balance == `reserve:USD` credit balance x 10**(6-2) (and
EURC/EUR), posted and pending, because coin is only ever minted or burnt in a linked pair.
The basket coin (BSKT) is backed by one reserve account per component currency
(`reserve:BSKT:USD`, `...:EUR`, `...:JPY`, `...:GBP`, `...:SGD`), and is minted and burnt only in
whole creation units (fx.stablecoins.creation_unit: 5 BSKT), so its invariant is exact too:
every `reserve:BSKT:{C}` credit balance == supply / creation unit x the unit's C amount. The
fiat side of a basket mint or burn is the gateway's `fx_position:{C}` (it buys or sells the
components); coin minted beyond what a remittance bought sits in `change:BSKT`, never lost.

One remittance, 100.00 USD sent with a 2.00 USD fee, paid out by partner `p1`:
1. fund: `wallet:c:USD -> clearing:USD` 100.00 (`fund`), then fee `clearing -> fees:USD` 2.00.
2. mint (`mint`, linked): `clearing:USD -> reserve:USD` 98.00 and
   `issuance:USDC -> treasury:USDC` 98_000_000 units.
3. in transit: pending `treasury:USDC -> partner:p1:USDC` (`to_partner`).
4. paid_out: post the pending, then `burn` (linked): `partner:p1:USDC -> issuance:USDC` and
   `reserve:USD -> partner:p1:USD` (what we now owe the partner in fiat settlement).
   failed: void the pending (coin returns to treasury), `burn` from treasury back into
   `clearing:USD`, then refund `clearing:USD -> wallet:c:USD` (fee too, by the gateway's policy).
"""

from __future__ import annotations

from collections.abc import Mapping

from fx.money import exponent, is_coin
from fx.stablecoins import BSKT, Stablecoin, basket_reserve

from .port import Account, AccountFlags, TransferSpec

DMNEC = AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS
CMNED = AccountFlags.CREDITS_MUST_NOT_EXCEED_DEBITS

#: Coin -> the fiat currency its reserve is held in (check() verifies supply == reserve).
SUPPLY_PAIRS: dict[str, str] = {"USDC": "USD", "EURC": "EUR"}

#: Basket coins the ledger settles: reserve per component currency (check() verifies it too).
BASKETS: Mapping[str, Stablecoin] = {BSKT.code: BSKT}

#: Every coin a corridor may settle in.
SETTLEABLE: frozenset[str] = frozenset(SUPPLY_PAIRS) | frozenset(BASKETS)


def wallet(customer_id: str, currency: str) -> str:
    return f"wallet:{customer_id}:{currency}"


def cash(currency: str) -> str:
    return f"cash:{currency}"


def clearing(currency: str) -> str:
    return f"clearing:{currency}"


def fees(currency: str) -> str:
    return f"fees:{currency}"


def reserve(currency: str) -> str:
    return f"reserve:{currency}"


def reserve_component(coin: str, currency: str) -> str:
    """One component currency of a basket coin's reserve (`reserve:BSKT:GBP`)."""
    return f"reserve:{coin}:{currency}"


def change(coin: str) -> str:
    """Basket coin minted beyond what a remittance bought (whole creation units only)."""
    return f"change:{coin}"


def fx_pnl(currency: str) -> str:
    return f"fx_pnl:{currency}"


def remedies(currency: str) -> str:
    """What the provider pays out of its own pocket to resolve a sender's error (12 CFR
    1005.33(c)): a refund to the wallet or the funding of a resend at no cost."""
    return f"remedies:{currency}"


def fx_position(currency: str) -> str:
    """The gateway's position in a currency it exchanges (sends in GBP settled through USD)."""
    return f"fx_position:{currency}"


def issuance(coin: str) -> str:
    return f"issuance:{coin}"


def treasury(coin: str) -> str:
    return f"treasury:{coin}"


def partner(partner_id: str, asset: str) -> str:
    return f"partner:{partner_id}:{asset}"


def wallet_account(customer_id: str, currency: str) -> Account:
    """A customer's wallet: it can never be overdrawn."""
    return Account(wallet(customer_id, currency), currency, DMNEC)


def partner_account(partner_id: str, asset: str) -> Account:
    """A partner's account: coin held for a partner cannot go negative; fiat may (settlement)."""
    return Account(
        partner(partner_id, asset), asset, DMNEC if is_coin(asset) else AccountFlags.NONE
    )


def standard_accounts(currency: str, coin: str) -> list[Account]:
    """The gateway's own accounts for one fiat currency and one coin."""
    return [
        Account(cash(currency), currency),
        Account(clearing(currency), currency, DMNEC),
        Account(fees(currency), currency, DMNEC),
        Account(reserve(currency), currency, DMNEC),
        Account(fx_pnl(currency), currency),
        Account(fx_position(currency), currency),
        Account(remedies(currency), currency),
        Account(issuance(coin), coin, CMNED),
        Account(treasury(coin), coin, DMNEC),
    ]


def basket_accounts(coin: str) -> list[Account]:
    """A basket coin's supply, treasury and change, its reserve per component currency, and
    the FX positions the components are bought from."""
    accounts = [
        Account(issuance(coin), coin, CMNED),
        Account(treasury(coin), coin, DMNEC),
        Account(change(coin), coin, DMNEC),
    ]
    for currency in BASKETS[coin].basket or {}:
        accounts.append(Account(reserve_component(coin, currency), currency, DMNEC))
        accounts.append(Account(fx_position(currency), currency))
    return accounts


def scale_to_coin(fiat_minor: int, fiat_currency: str, coin: str) -> int:
    """Fiat minor units -> coin units at par (1.00 USD = 1_000_000 USDC units); exact or error."""
    diff = exponent(coin) - exponent(fiat_currency)
    if diff >= 0:
        return fiat_minor * 10**diff
    q, r = divmod(fiat_minor, 10**-diff)
    if r:
        raise ValueError(f"{fiat_minor} {fiat_currency} minor units are not whole {coin} units")
    return q


def _peg(fiat_currency: str, coin: str) -> None:
    if SUPPLY_PAIRS.get(coin) != fiat_currency:
        raise ValueError(f"{coin} is not backed by {fiat_currency}")


def fund(id: str, customer_id: str, currency: str, amount: int) -> TransferSpec:
    """Take a sender's funds from the wallet into clearing."""
    return TransferSpec(
        id, wallet(customer_id, currency), clearing(currency), amount, currency, code="fund"
    )


def fee(id: str, currency: str, amount: int) -> TransferSpec:
    return TransferSpec(id, clearing(currency), fees(currency), amount, currency, code="fee")


def mint(
    id: str, fiat_amount_minor: int, fiat_currency: str, coin: str, from_account: str
) -> list[TransferSpec]:
    """Fiat from `from_account` into the reserve, and the same value of coin issued to treasury."""
    _peg(fiat_currency, coin)
    units = scale_to_coin(fiat_amount_minor, fiat_currency, coin)
    return [
        TransferSpec(
            f"{id}:fiat",
            from_account,
            reserve(fiat_currency),
            fiat_amount_minor,
            fiat_currency,
            code="mint",
        ),
        TransferSpec(f"{id}:coin", issuance(coin), treasury(coin), units, coin, code="mint"),
    ]


def burn(
    id: str,
    fiat_amount_minor: int,
    fiat_currency: str,
    coin: str,
    to_account: str,
    coin_from: str | None = None,
) -> list[TransferSpec]:
    """Coin from `coin_from` (default treasury) retired, and the fiat it backed released."""
    _peg(fiat_currency, coin)
    units = scale_to_coin(fiat_amount_minor, fiat_currency, coin)
    return [
        TransferSpec(
            f"{id}:coin", coin_from or treasury(coin), issuance(coin), units, coin, code="burn"
        ),
        TransferSpec(
            f"{id}:fiat",
            reserve(fiat_currency),
            to_account,
            fiat_amount_minor,
            fiat_currency,
            code="burn",
        ),
    ]


def to_partner(
    id: str, coin: str, partner_id: str, units: int, timeout_s: int | None = None
) -> TransferSpec:
    """The in-transit leg: a pending coin transfer that posts at paid_out or voids on failure."""
    return TransferSpec(
        id,
        treasury(coin),
        partner(partner_id, coin),
        units,
        coin,
        pending=True,
        timeout_s=timeout_s,
        code="payout",
    )


def basket_mint(id: str, coin: str, units: int, issued: int) -> list[TransferSpec]:
    """Issue `issued` units (whole creation units) of a basket coin: each component bought
    from the gateway's FX position into its reserve, `units` to treasury, the rest to change.
    Ids: `{id}:{C}` per component, `{id}:coin`, `{id}:change`."""
    if not 0 < units <= issued:
        raise ValueError(f"{coin}: cannot deliver {units} units from {issued} issued")
    specs = [
        TransferSpec(
            f"{id}:{cur}", fx_position(cur), reserve_component(coin, cur), amount, cur, code="mint"
        )
        for cur, amount in basket_reserve(BASKETS[coin], issued).items()
    ]
    specs.append(
        TransferSpec(f"{id}:coin", issuance(coin), treasury(coin), units, coin, code="mint")
    )
    if issued > units:
        specs.append(
            TransferSpec(
                f"{id}:change", issuance(coin), change(coin), issued - units, coin, code="mint"
            )
        )
    return specs


def basket_burn(
    id: str, coin: str, units: int, issued: int, coin_from: str | None = None
) -> list[TransferSpec]:
    """Retire what basket_mint issued: `units` from `coin_from` (default treasury) and the
    change, and sell each component's reserve back to the FX position, at the same amounts."""
    if not 0 < units <= issued:
        raise ValueError(f"{coin}: cannot retire {units} units of {issued} issued")
    specs = [
        TransferSpec(
            f"{id}:coin", coin_from or treasury(coin), issuance(coin), units, coin, code="burn"
        )
    ]
    if issued > units:
        specs.append(
            TransferSpec(
                f"{id}:change", change(coin), issuance(coin), issued - units, coin, code="burn"
            )
        )
    specs += [
        TransferSpec(
            f"{id}:{cur}", reserve_component(coin, cur), fx_position(cur), amount, cur, code="burn"
        )
        for cur, amount in basket_reserve(BASKETS[coin], issued).items()
    ]
    return specs

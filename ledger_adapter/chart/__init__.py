"""The chart of accounts: every account family (`accounts`), the coins the ledger settles
(`coins`, derived from fx.stablecoins) and every transfer between the accounts (`transfers`).
One place: no caller names an account or builds a transfer of its own.

Invariant: `issuance:USDC` debit balance == `reserve:USD` credit balance x 10**(6-2) (and
EURC/EUR), posted and pending, because coin is only ever minted or burnt in a linked pair.
The basket coin (BSKT) is backed by one reserve account per component currency
(`reserve:BSKT:USD`, `...:EUR`, `...:JPY`, `...:GBP`, `...:SGD`), and is minted and burnt only in
whole creation units (fx.coinmath.creation_unit: 5 BSKT), so its invariant is exact too:
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

A pay-in: `payin:{partner}:{C} -> wallet:{customer}:{C}` (`payin_credit`), or into
`suspense:{C}` when it cannot be attributed, until an operator releases or returns it.
"""

from .accounts import (
    CMNED,
    DMNEC,
    FAMILIES,
    Family,
    Owned,
    Pooled,
    basket_accounts,
    cash,
    change,
    clearing,
    fees,
    fx_pnl,
    fx_position,
    issuance,
    partner,
    partner_account,
    payin,
    payin_accounts,
    remedies,
    reserve,
    reserve_component,
    standard_accounts,
    suspense,
    topup_accounts,
    treasury,
    wallet,
    wallet_account,
)
from .coins import BASKETS, PEGS, SETTLEABLE, require_peg, scale_to_coin
from .transfers import (
    basket_burn,
    basket_mint,
    burn,
    buy_from_position,
    fee,
    fund,
    fx_result,
    mint,
    payin_credit,
    payin_give_back,
    payin_release,
    refund,
    remedy_refund,
    remedy_resend,
    sell_to_position,
    spread,
    to_partner,
    top_up,
)

__all__ = [
    "BASKETS",
    "CMNED",
    "DMNEC",
    "FAMILIES",
    "PEGS",
    "SETTLEABLE",
    "Family",
    "Owned",
    "Pooled",
    "basket_accounts",
    "basket_burn",
    "basket_mint",
    "burn",
    "buy_from_position",
    "cash",
    "change",
    "clearing",
    "fee",
    "fees",
    "fund",
    "fx_pnl",
    "fx_position",
    "fx_result",
    "issuance",
    "mint",
    "partner",
    "partner_account",
    "payin",
    "payin_accounts",
    "payin_credit",
    "payin_give_back",
    "payin_release",
    "refund",
    "remedies",
    "remedy_refund",
    "remedy_resend",
    "require_peg",
    "reserve",
    "reserve_component",
    "scale_to_coin",
    "sell_to_position",
    "spread",
    "standard_accounts",
    "suspense",
    "to_partner",
    "top_up",
    "topup_accounts",
    "treasury",
    "wallet",
    "wallet_account",
]

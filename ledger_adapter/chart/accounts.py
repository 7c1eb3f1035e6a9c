"""Every account family the ledger books to: the one list of account names and their flags.

An id is `{prefix}:{asset}` for a pooled account (one per asset: `clearing:USD`) or
`{prefix}:{owner}:{asset}` for an owned one (one per owner and asset: `wallet:c1:USD`,
`partner:p1:USDC`, `reserve:BSKT:GBP`). Each family states its balance constraint once, so an
account created anywhere (bootstrap, a top-up, a pay-in) carries the same flags.

The gateway's own families (pay-ins' `payin:` and `suspense:`) are listed here too although the
ledger never reads them: one chart, so that no caller coins an account name of its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from fx.money import is_coin

from ..port import Account, AccountFlags
from .coins import BASKETS

DMNEC = AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS
CMNED = AccountFlags.CREDITS_MUST_NOT_EXCEED_DEBITS


@dataclass(frozen=True, slots=True)
class Family:
    """A kind of account: its id prefix, normal side, constraint and what it holds.

    `fiat_flags`, where given, replaces `flags` for a fiat account of the family (a partner's
    coin cannot go negative; its fiat settlement balance may)."""

    prefix: str
    normal: str
    what: str
    flags: AccountFlags = AccountFlags.NONE
    fiat_flags: AccountFlags | None = None

    def flags_for(self, asset: str) -> AccountFlags:
        if self.fiat_flags is not None and not is_coin(asset):
            return self.fiat_flags
        return self.flags


@dataclass(frozen=True, slots=True)
class Pooled(Family):
    """One account per asset: `{prefix}:{asset}`."""

    def __call__(self, asset: str) -> str:
        return f"{self.prefix}:{asset}"

    def account(self, asset: str) -> Account:
        return Account(self(asset), asset, self.flags_for(asset))


@dataclass(frozen=True, slots=True)
class Owned(Family):
    """One account per owner (customer, partner, basket coin) and asset:
    `{prefix}:{owner}:{asset}`."""

    def __call__(self, owner: str, asset: str) -> str:
        return f"{self.prefix}:{owner}:{asset}"

    def account(self, owner: str, asset: str) -> Account:
        return Account(self(owner, asset), asset, self.flags_for(asset))


# The chart. DMNEC: debits must not exceed credits; CMNED: credits must not exceed debits.
cash = Pooled("cash", "debit", "the gateway's bank money (money enters)")
wallet = Owned("wallet", "credit", "what we owe a customer", DMNEC)
clearing = Pooled("clearing", "credit", "a sender's funds while a remittance runs", DMNEC)
fees = Pooled("fees", "credit", "fee revenue (and the spread kept)", DMNEC)
reserve = Pooled("reserve", "credit", "fiat that backs a pegged coin in circulation", DMNEC)
reserve_component = Owned("reserve", "credit", "a basket coin's reserve in one currency", DMNEC)
#: Basket coin minted to round up to whole creation units, burnt with its remittance.
change = Pooled("change", "credit", "basket coin minted beyond what was bought", DMNEC)
fx_pnl = Pooled("fx_pnl", "either", "FX gains and losses")
fx_position = Pooled("fx_position", "either", "a currency the gateway exchanged (GBP -> USD)")
#: What the provider pays out of its own pocket to resolve a sender's error (12 CFR
#: 1005.33(c)): a refund to the wallet or the funding of a resend at no cost.
remedies = Pooled("remedies", "either", "error remedies the provider bears")
issuance = Pooled("issuance", "debit", "coin supply (contra: debit balance)", CMNED)
treasury = Pooled("treasury", "credit", "coin the gateway holds", DMNEC)
#: A partner's coin cannot go negative; its fiat (what we owe at settlement) may.
partner = Owned("partner", "credit", "owed to / held for a partner", DMNEC, AccountFlags.NONE)
payin = Owned("payin", "debit", "what a pay-in partner collected for us and owes at settlement")
#: Unknown reference, wrong currency: parked until an operator releases or returns it.
suspense = Pooled("suspense", "credit", "money we hold but cannot attribute yet", DMNEC)

#: The whole chart: every family an account id may belong to.
FAMILIES: tuple[Family, ...] = (
    cash,
    wallet,
    clearing,
    fees,
    reserve,
    reserve_component,
    change,
    fx_pnl,
    fx_position,
    remedies,
    issuance,
    treasury,
    partner,
    payin,
    suspense,
)


def wallet_account(customer_id: str, currency: str) -> Account:
    """A customer's wallet: it can never be overdrawn."""
    return wallet.account(customer_id, currency)


def topup_accounts(customer_id: str, currency: str) -> list[Account]:
    """What an operator's top-up needs: the customer's wallet and the gateway's cash."""
    return [wallet_account(customer_id, currency), cash.account(currency)]


def partner_account(partner_id: str, asset: str) -> Account:
    """A partner's account: coin held for a partner cannot go negative; fiat may (settlement)."""
    return partner.account(partner_id, asset)


def standard_accounts(currency: str, coin: str) -> list[Account]:
    """The gateway's own accounts for one fiat currency and one coin."""
    fiat = (cash, clearing, fees, reserve, fx_pnl, fx_position, remedies)
    return [f.account(currency) for f in fiat] + [f.account(coin) for f in (issuance, treasury)]


def basket_accounts(coin: str) -> list[Account]:
    """A basket coin's supply, treasury and change, its reserve per component currency, and
    the FX positions the components are bought from."""
    accounts = [f.account(coin) for f in (issuance, treasury, change)]
    for currency in BASKETS[coin].basket or {}:
        accounts += [reserve_component.account(coin, currency), fx_position.account(currency)]
    return accounts


def payin_accounts(partner_id: str, currency: str, customer_id: str | None) -> list[Account]:
    """What a pay-in needs: the partner's receivable, suspense, and the customer's wallet."""
    accounts = [payin.account(partner_id, currency), suspense.account(currency)]
    if customer_id is not None:
        accounts.append(wallet_account(customer_id, currency))
    return accounts

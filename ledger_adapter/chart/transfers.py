"""Every transfer between the chart's accounts, one builder per kind of money movement.

Pure: the caller names the transfer id (derived from its remittance or pay-in, so a retry
repeats it and the ledger ignores the repeat), the builder names the accounts and the code.
Which movements a remittance makes, step by step, is the gateway's (gateway.domain.postings),
as is where a pay-in goes (gateway.domain.payins).
"""

from __future__ import annotations

from fx.coinmath import basket_reserve

from ..port import TransferSpec
from . import accounts as acc
from .coins import BASKETS, require_peg, scale_to_coin

#: A transfer's (debit account, credit account).
Leg = tuple[str, str]

# ---- a sender's fiat ------------------------------------------------------------------------


def fund(id: str, customer_id: str, currency: str, amount: int) -> TransferSpec:
    """Take a sender's funds from the wallet into clearing."""
    return TransferSpec(
        id, acc.wallet(customer_id, currency), acc.clearing(currency), amount, currency, code="fund"
    )


def fee(id: str, currency: str, amount: int) -> TransferSpec:
    return TransferSpec(
        id, acc.clearing(currency), acc.fees(currency), amount, currency, code="fee"
    )


def refund(
    id: str, customer_id: str, currency: str, principal: int, fee: int
) -> list[TransferSpec]:
    """The funding undone: the principal from clearing and the fee (if any, id `{id}-fee`)
    from fee revenue, back to the sender's wallet."""
    to = acc.wallet(customer_id, currency)
    specs = [TransferSpec(id, acc.clearing(currency), to, principal, currency, code="refund")]
    if fee:
        specs.append(
            TransferSpec(f"{id}-fee", acc.fees(currency), to, fee, currency, code="refund-fee")
        )
    return specs


def top_up(id: str, customer_id: str, currency: str, amount: int) -> TransferSpec:
    """Cash an operator received for a sender, into the sender's wallet."""
    return TransferSpec(
        id, acc.cash(currency), acc.wallet(customer_id, currency), amount, currency, code="topup"
    )


# ---- error remedies the provider bears ------------------------------------------------------


def remedy_refund(id: str, customer_id: str, currency: str, amount: int) -> TransferSpec:
    """A refund to the sender's wallet, paid from the provider's remedies."""
    to = acc.wallet(customer_id, currency)
    return TransferSpec(id, acc.remedies(currency), to, amount, currency, code="remedy-refund")


def remedy_resend(id: str, currency: str, amount: int) -> TransferSpec:
    """The funding of a resend at no cost: the provider's remedies into clearing."""
    to = acc.clearing(currency)
    return TransferSpec(id, acc.remedies(currency), to, amount, currency, code="remedy-resend")


# ---- the gateway's FX positions -------------------------------------------------------------


def sell_to_position(id: str, currency: str, amount: int) -> TransferSpec:
    """Fiat sold from clearing to the gateway's position in that currency."""
    return TransferSpec(
        id, acc.clearing(currency), acc.fx_position(currency), amount, currency, code="fx-sell"
    )


def buy_from_position(id: str, currency: str, amount: int, to_account: str) -> TransferSpec:
    """Fiat bought from the gateway's position in that currency into `to_account`."""
    return TransferSpec(id, acc.fx_position(currency), to_account, amount, currency, code="fx-buy")


def spread(id: str, from_account: str, currency: str, amount: int) -> TransferSpec:
    """The spread margin kept on a locked quote, into fee revenue."""
    return TransferSpec(id, from_account, acc.fees(currency), amount, currency, code="spread")


def fx_result(id: str, account: str, currency: str, result: int) -> TransferSpec:
    """The market move on a locked quote between `account` and FX P&L: a gain (`result` > 0)
    out of the account, a loss into it."""
    gain = result > 0
    return TransferSpec(
        id,
        account if gain else acc.fx_pnl(currency),
        acc.fx_pnl(currency) if gain else account,
        abs(result),
        currency,
        code="fx-gain" if gain else "fx-loss",
    )


# ---- pegged coins ---------------------------------------------------------------------------


def _par_legs(
    id: str, code: str, amount: int, currency: str, coin: str, fiat: Leg, coins: Leg
) -> tuple[TransferSpec, TransferSpec]:
    """The two linked legs of a mint or burn at par: `amount` of the peg currency between the
    `fiat` accounts (`{id}:fiat`) and the same value of coin between the `coins` ones
    (`{id}:coin`)."""
    require_peg(currency, coin)
    units = scale_to_coin(amount, currency, coin)
    return (
        TransferSpec(f"{id}:fiat", *fiat, amount, currency, code=code),
        TransferSpec(f"{id}:coin", *coins, units, coin, code=code),
    )


def mint(
    id: str, fiat_amount_minor: int, fiat_currency: str, coin: str, from_account: str
) -> list[TransferSpec]:
    """Fiat from `from_account` into the reserve, and the same value of coin issued to treasury."""
    fiat = (from_account, acc.reserve(fiat_currency))
    coins = (acc.issuance(coin), acc.treasury(coin))
    return list(_par_legs(id, "mint", fiat_amount_minor, fiat_currency, coin, fiat, coins))


def burn(
    id: str,
    fiat_amount_minor: int,
    fiat_currency: str,
    coin: str,
    to_account: str,
    coin_from: str | None = None,
) -> list[TransferSpec]:
    """Coin from `coin_from` (default treasury) retired, and the fiat it backed released."""
    fiat = (acc.reserve(fiat_currency), to_account)
    coins = (coin_from or acc.treasury(coin), acc.issuance(coin))
    fiat_leg, coin_leg = _par_legs(id, "burn", fiat_amount_minor, fiat_currency, coin, fiat, coins)
    return [coin_leg, fiat_leg]


def to_partner(
    id: str, coin: str, partner_id: str, units: int, timeout_s: int | None = None
) -> TransferSpec:
    """The in-transit leg: a pending coin transfer that posts at paid_out or voids on failure."""
    return TransferSpec(
        id,
        acc.treasury(coin),
        acc.partner(partner_id, coin),
        units,
        coin,
        pending=True,
        timeout_s=timeout_s,
        code="payout",
    )


# ---- basket coins ---------------------------------------------------------------------------


def basket_mint(id: str, coin: str, units: int, issued: int) -> list[TransferSpec]:
    """Issue `issued` units (whole creation units) of a basket coin: each component bought
    from the gateway's FX position into its reserve, `units` to treasury, the rest to change.
    Ids: `{id}:{C}` per component, `{id}:coin`, `{id}:change`."""
    if not 0 < units <= issued:
        raise ValueError(f"{coin}: cannot deliver {units} units from {issued} issued")
    specs = [
        TransferSpec(
            f"{id}:{cur}",
            acc.fx_position(cur),
            acc.reserve_component(coin, cur),
            amount,
            cur,
            code="mint",
        )
        for cur, amount in basket_reserve(BASKETS[coin], issued).items()
    ]
    specs.append(
        TransferSpec(f"{id}:coin", acc.issuance(coin), acc.treasury(coin), units, coin, code="mint")
    )
    if issued > units:
        specs.append(
            TransferSpec(
                f"{id}:change",
                acc.issuance(coin),
                acc.change(coin),
                issued - units,
                coin,
                code="mint",
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
            f"{id}:coin",
            coin_from or acc.treasury(coin),
            acc.issuance(coin),
            units,
            coin,
            code="burn",
        )
    ]
    if issued > units:
        specs.append(
            TransferSpec(
                f"{id}:change",
                acc.change(coin),
                acc.issuance(coin),
                issued - units,
                coin,
                code="burn",
            )
        )
    specs += [
        TransferSpec(
            f"{id}:{cur}",
            acc.reserve_component(coin, cur),
            acc.fx_position(cur),
            amount,
            cur,
            code="burn",
        )
        for cur, amount in basket_reserve(BASKETS[coin], issued).items()
    ]
    return specs


# ---- pay-ins --------------------------------------------------------------------------------


def _wallet_or_suspense(customer_id: str | None, currency: str) -> str:
    return acc.wallet(customer_id, currency) if customer_id else acc.suspense(currency)


def payin_credit(
    id: str, partner_id: str, amount: int, currency: str, customer_id: str | None
) -> TransferSpec:
    """Money a pay-in partner collected: into the customer's wallet, or suspense without one."""
    return TransferSpec(
        id,
        acc.payin(partner_id, currency),
        _wallet_or_suspense(customer_id, currency),
        amount,
        currency,
        code="payin",
    )


def payin_release(id: str, amount: int, currency: str, customer_id: str) -> TransferSpec:
    """A suspense pay-in attributed to a customer."""
    debit, credit = acc.suspense(currency), acc.wallet(customer_id, currency)
    return TransferSpec(id, debit, credit, amount, currency, code="payin-resolve")


def payin_give_back(
    id: str, partner_id: str, amount: int, currency: str, customer_id: str | None, code: str
) -> TransferSpec:
    """Money returned through the pay-in partner it came from: from the customer's wallet, or
    from suspense without one."""
    return TransferSpec(
        id,
        _wallet_or_suspense(customer_id, currency),
        acc.payin(partner_id, currency),
        amount,
        currency,
        code=code,
    )

"""Every transfer between the chart's accounts, one builder per kind of money movement.

Pure: the caller names the transfer id (derived from its remittance or pay-in, so a retry
repeats it and the ledger ignores the repeat), the builder names the accounts and the code.
Which movements a remittance makes, step by step, is the gateway's (gateway.domain.postings),
as is where a pay-in goes (gateway.domain.payins).
"""

from __future__ import annotations

from fx.coinmath import basket_reserve

from ..port import TransferSpec
from .accounts import (
    change,
    clearing,
    fees,
    fx_pnl,
    fx_position,
    issuance,
    partner,
    payin,
    reserve,
    reserve_component,
    suspense,
    treasury,
    wallet,
)
from .coins import BASKETS, require_peg, scale_to_coin

# ---- a sender's fiat ------------------------------------------------------------------------


def fund(id: str, customer_id: str, currency: str, amount: int) -> TransferSpec:
    """Take a sender's funds from the wallet into clearing."""
    return TransferSpec(
        id, wallet(customer_id, currency), clearing(currency), amount, currency, code="fund"
    )


def fee(id: str, currency: str, amount: int) -> TransferSpec:
    return TransferSpec(id, clearing(currency), fees(currency), amount, currency, code="fee")


def refund(id: str, customer_id: str, currency: str, amount: int) -> TransferSpec:
    """Principal back from clearing to the sender's wallet (the undoing of `fund`)."""
    return TransferSpec(
        id, clearing(currency), wallet(customer_id, currency), amount, currency, code="refund"
    )


def refund_fee(id: str, customer_id: str, currency: str, amount: int) -> TransferSpec:
    """The fee back from fee revenue to the sender's wallet (the undoing of `fee`)."""
    return TransferSpec(
        id, fees(currency), wallet(customer_id, currency), amount, currency, code="refund-fee"
    )


# ---- the gateway's FX positions -------------------------------------------------------------


def sell_to_position(id: str, currency: str, amount: int) -> TransferSpec:
    """Fiat sold from clearing to the gateway's position in that currency."""
    return TransferSpec(
        id, clearing(currency), fx_position(currency), amount, currency, code="fx-sell"
    )


def buy_from_position(id: str, currency: str, amount: int, to_account: str) -> TransferSpec:
    """Fiat bought from the gateway's position in that currency into `to_account`."""
    return TransferSpec(id, fx_position(currency), to_account, amount, currency, code="fx-buy")


def spread(id: str, from_account: str, currency: str, amount: int) -> TransferSpec:
    """The spread margin kept on a locked quote, into fee revenue."""
    return TransferSpec(id, from_account, fees(currency), amount, currency, code="spread")


def fx_result(id: str, account: str, currency: str, result: int) -> TransferSpec:
    """The market move on a locked quote between `account` and FX P&L: a gain (`result` > 0)
    out of the account, a loss into it."""
    gain = result > 0
    return TransferSpec(
        id,
        account if gain else fx_pnl(currency),
        fx_pnl(currency) if gain else account,
        abs(result),
        currency,
        code="fx-gain" if gain else "fx-loss",
    )


# ---- pegged coins ---------------------------------------------------------------------------


def mint(
    id: str, fiat_amount_minor: int, fiat_currency: str, coin: str, from_account: str
) -> list[TransferSpec]:
    """Fiat from `from_account` into the reserve, and the same value of coin issued to treasury."""
    require_peg(fiat_currency, coin)
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
    require_peg(fiat_currency, coin)
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


# ---- basket coins ---------------------------------------------------------------------------


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


# ---- pay-ins --------------------------------------------------------------------------------


def _wallet_or_suspense(customer_id: str | None, currency: str) -> str:
    return wallet(customer_id, currency) if customer_id else suspense(currency)


def payin_credit(
    id: str, partner_id: str, amount: int, currency: str, customer_id: str | None
) -> TransferSpec:
    """Money a pay-in partner collected: into the customer's wallet, or suspense without one."""
    return TransferSpec(
        id,
        payin(partner_id, currency),
        _wallet_or_suspense(customer_id, currency),
        amount,
        currency,
        code="payin",
    )


def payin_release(id: str, amount: int, currency: str, customer_id: str) -> TransferSpec:
    """A suspense pay-in attributed to a customer."""
    debit, credit = suspense(currency), wallet(customer_id, currency)
    return TransferSpec(id, debit, credit, amount, currency, code="payin-resolve")


def payin_give_back(
    id: str, partner_id: str, amount: int, currency: str, customer_id: str | None, code: str
) -> TransferSpec:
    """Money returned through the pay-in partner it came from: from the customer's wallet, or
    from suspense without one."""
    return TransferSpec(
        id,
        _wallet_or_suspense(customer_id, currency),
        payin(partner_id, currency),
        amount,
        currency,
        code=code,
    )

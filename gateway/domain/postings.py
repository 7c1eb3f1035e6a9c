"""The ledger transfers of one remittance, step by step. Pure: ids derive from the remittance
id, so a step that runs again after a crash repeats the same transfer ids and the ledger ignores
them.

Which movements each step makes, under which ids; the movements themselves (accounts, codes)
are the chart's builders (ledger_adapter.chart), so no account id is spelled out here.

A basket-coin (BSKT) remittance sells its principal to the gateway's FX position
(`clearing:{S} -> fx_position:{S}`), which buys the components into the basket's reserve for
the whole creation units that cover the coin bought (`chart.basket_mint`); the coin bought goes
to treasury and on to the partner, the rest of the last creation unit to `change:BSKT`. Paid
out or refunded, the same creation units are burnt and the components sold back at the same
amounts, and the FX position pays the principal to the partner (paid out) or back into clearing
(refund): the sender's money comes back to the minor unit whatever the basket did meanwhile;
the gateway's FX positions carry the basket's market move."""

from __future__ import annotations

from dataclasses import dataclass

from fx.coinmath import units_to_issue
from fx.money import Money
from ledger_adapter import chart
from ledger_adapter.port import TransferSpec


@dataclass(frozen=True)
class MoneyPath:
    remittance_id: str
    sender_id: str
    partner_id: str
    send_currency: str
    send_amount_minor: int
    fee_minor: int
    coin: str
    # Fixed once at conversion. For a send currency that is not the coin's peg (GBP, AED into
    # USDC): the principal exchanged into the peg currency. For a basket coin: the coin units
    # the principal bought at the basket's rate then.
    settlement_minor: int | None = None

    @property
    def is_basket(self) -> bool:
        return self.coin in chart.BASKETS

    @property
    def principal_minor(self) -> int:
        """What is converted: the send amount less the fee."""
        return self.send_amount_minor - self.fee_minor

    @property
    def peg(self) -> str:
        return chart.PEGS[self.coin]

    @property
    def needs_exchange(self) -> bool:
        """A pegged coin whose peg is not the send currency (a basket is bought, not pegged)."""
        return not self.is_basket and self.peg != self.send_currency

    @property
    def backing_minor(self) -> int:
        """The fiat, in the peg currency, that backs the coin minted for this remittance."""
        if not self.needs_exchange:
            return self.principal_minor
        if self.settlement_minor is None:
            raise ValueError(f"{self.remittance_id}: exchange into {self.peg} not fixed yet")
        return self.settlement_minor

    @property
    def coin_minor(self) -> int:
        if self.is_basket:
            return self._basket_units()
        return chart.scale_to_coin(self.backing_minor, self.peg, self.coin)

    @property
    def issued_minor(self) -> int:
        """Basket coin minted for this remittance: whole creation units covering coin_minor."""
        return units_to_issue(chart.BASKETS[self.coin], self._basket_units())

    def _basket_units(self) -> int:
        if self.settlement_minor is None:
            raise ValueError(f"{self.remittance_id}: {self.coin} bought not fixed yet")
        return self.settlement_minor

    @property
    def mint_coin_id(self) -> str:
        """The conversion's coin leg (pegged or basket): booked means converted; for a basket
        its amount is the record of the coin bought."""
        return self._id("mint:coin")

    def conversion(self) -> list[TransferSpec]:
        """The whole `converted` step as one linked batch."""
        if self.is_basket:
            sell = chart.sell_to_position(
                self._id("bsell"), self.send_currency, self.principal_minor
            )
            return [
                sell,
                *chart.basket_mint(self._id("mint"), self.coin, self.coin_minor, self.issued_minor),
            ]
        if self.needs_exchange:
            return self.exchange_into_peg(self.backing_minor) + self.mint()
        return self.mint()

    def _basket_burn(self, step: str, coin_from: str | None = None) -> list[TransferSpec]:
        return chart.basket_burn(
            self._id(step), self.coin, self.coin_minor, self.issued_minor, coin_from
        )

    def _principal_from_position(self, step: str, to_account: str) -> TransferSpec:
        return chart.buy_from_position(
            self._id(step), self.send_currency, self.principal_minor, to_account
        )

    @property
    def exchange_id(self) -> str:
        return self._id("fxsell")

    def exchange_into_peg(self, peg_minor: int) -> list[TransferSpec]:
        """Sell the principal for the peg currency through the gateway's FX positions: one
        transfer per asset, so each asset's ledger balances on its own."""
        cur, peg = self.send_currency, self.peg
        return [
            chart.sell_to_position(self._id("fxsell"), cur, self.principal_minor),
            chart.buy_from_position(self._id("fxbuy"), peg, peg_minor, chart.clearing(peg)),
        ]

    def exchange_back(self) -> list[TransferSpec]:
        """The reverse of exchange_into_peg, at the same amounts, for a refund."""
        cur, peg = self.send_currency, self.peg
        return [
            chart.sell_to_position(self._id("fxunbuy"), peg, self.backing_minor),
            chart.buy_from_position(
                self._id("fxunsell"), cur, self.principal_minor, chart.clearing(cur)
            ),
        ]

    def _id(self, step: str) -> str:
        return f"{self.remittance_id}:{step}"

    def fund_from_wallet(self, attempt: int = 0) -> list[TransferSpec]:
        """A refused transfer id stays refused in the ledger, so each funding attempt after an
        insufficient balance gets its own ids; a crash repeats the same attempt's ids."""
        cur = self.send_currency
        specs = [
            chart.fund(self._id(f"fund{attempt}"), self.sender_id, cur, self.send_amount_minor)
        ]
        if self.fee_minor:
            specs.append(chart.fee(self._id(f"fee{attempt}"), cur, self.fee_minor))
        return specs

    def mint(self) -> list[TransferSpec]:
        return chart.mint(
            self._id("mint"), self.backing_minor, self.peg, self.coin, chart.clearing(self.peg)
        )

    def reserve_for_partner(self) -> TransferSpec:
        return chart.to_partner(self._id("payout"), self.coin, self.partner_id, self.coin_minor)

    @property
    def payout_transfer_id(self) -> str:
        return self._id("payout")

    @property
    def post_id(self) -> str:
        return self._id("payout-post")

    @property
    def void_id(self) -> str:
        return self._id("payout-void")

    def settle_partner(self) -> list[TransferSpec]:
        """At paid_out the partner redeems the coin: burnt, and the fiat it backed is owed to
        the partner as settlement (a basket: the principal, from the FX position that sold the
        components back)."""
        if self.is_basket:
            owed = chart.partner(self.partner_id, self.send_currency)
            return [
                *self._basket_burn("burn", chart.partner(self.partner_id, self.coin)),
                self._principal_from_position("bbuy", owed),
            ]
        return chart.burn(
            self._id("burn"),
            self.backing_minor,
            self.peg,
            self.coin,
            to_account=chart.partner(self.partner_id, self.peg),
            coin_from=chart.partner(self.partner_id, self.coin),
        )

    def settlement_result(self, spread: Money, fx_result: Money) -> list[TransferSpec]:
        """After the burn the partner's fiat account holds the principal; what the gateway keeps
        moves out of it: the spread margin to fee revenue, and the market move on the locked
        quote to FX gain (positive) or from FX loss (negative). What remains is what delivering
        the promised amount costs at today's rate, owed to the partner."""
        cur = self.send_currency
        owed = chart.partner(self.partner_id, cur)
        specs = []
        if spread.is_positive():
            specs.append(chart.spread(self._id("spread"), owed, cur, spread.to_minor()))
        if not fx_result.is_zero():
            specs.append(chart.fx_result(self._id("fx"), owed, cur, fx_result.to_minor()))
        return specs

    def refund_to_wallet(self) -> list[TransferSpec]:
        """After a void the coin is back in treasury: burn it and return the fiat and the fee."""
        cur = self.send_currency
        if self.is_basket:
            specs = [
                *self._basket_burn("unmint"),
                self._principal_from_position("bunsell", chart.clearing(cur)),
            ]
        else:
            specs = chart.burn(
                self._id("unmint"),
                self.backing_minor,
                self.peg,
                self.coin,
                to_account=chart.clearing(self.peg),
            )
        if self.needs_exchange:
            specs += self.exchange_back()
        return specs + self.refund_funds()

    def refund_funds(self) -> list[TransferSpec]:
        """The funding undone: principal and fee from clearing and fees back to the wallet. On
        its own for a remittance whose conversion never happened."""
        return chart.refund(
            self._id("refund"),
            self.sender_id,
            self.send_currency,
            self.principal_minor,
            self.fee_minor,
        )

"""funded -> converted -> in_transit -> payout_pending | payout_unknown -> paid_out | failed,
and failed -> refunded.

Push partners get the instruction (idempotency key = remittance id) and may call back; pull
partners collect it from GET /v1/partner/payouts. Either way a signed status recorded on the row
(payout_status) settles the payout; otherwise a status inquiry does, never a blind resend."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import timedelta

from corridors.payout import (
    NOT_FOUND,
    PartnerUnavailable,
    PayoutAdapter,
    PayoutInstruction,
    PayoutResult,
)
from fx.coinmath import coin_units_for
from fx.money import Money
from fx.pricing import fx_gain_loss, spread_margin
from fx.rates import RateUnavailable
from fx.stablecoins import stablecoin
from gateway.chain import enabled as chain_enabled
from gateway.domain.outcomes import Advance, Outcome, Retry
from gateway.domain.postings import MoneyPath
from gateway.domain.quotes import locked_quote
from gateway.domain.states import Status
from gateway.pipeline.common import Row, backoff, money_path, quote_of
from gateway.services import Services
from gateway.storage.partners import PartnerInfo
from gateway.usecases.travel_rule import record_view as travel_record_view
from ledger_adapter.evm.items import drop as chain_drop
from ledger_adapter.evm.items import item as chain_item_row
from ledger_adapter.evm.items import queue as chain_queue
from ledger_adapter.evm.items import settlement_view

S = Status

PULL_RECHECK = timedelta(seconds=30)
"""A pull partner's status call wakes the step at once; this only bounds a missed wake-up."""


async def convert(svc: Services, rem: Row) -> Outcome:
    path = money_path(rem)
    fields: dict = {}
    if path.is_basket or path.needs_exchange:
        try:
            fixed = await (
                _basket_units(svc, path) if path.is_basket else _exchange_amount(svc, path)
            )
        except RateUnavailable as exc:  # nothing converted: refunded in full from `failed`
            reason = f"conversion into {path.coin} impossible: {exc}"
            return Advance(S.FAILED, reason, {"failure_reason": "conversion_rate_unavailable"})
        path = replace(path, settlement_minor=fixed)
        fields["settlement_minor"] = fixed
    await svc.ledger.transfer(path.conversion())
    coin = Money.from_minor(path.coin_minor, path.coin)
    effects: tuple = ()
    on_chain = ""
    partner = await svc.partners.info(rem.partner_id, svc.now())
    if chain_enabled(svc.settings) and partner is not None and partner.chain_address:
        effects = (_queue_on_chain(rem.id, path, partner.chain_address),)
        on_chain = "; on chain in the next settlement window"
    if path.is_basket:  # say what the reserve moved by: whole creation units, and the change
        issued = Money.from_minor(path.issued_minor, path.coin)
        return Advance(
            S.CONVERTED,
            f"{coin} {coin.currency} bought at the basket's value; {issued} {coin.currency} "
            f"minted in whole creation units, {issued - coin} {coin.currency} kept as change"
            + on_chain,
            fields,
            effects,
        )
    return Advance(S.CONVERTED, f"{coin} {coin.currency} minted{on_chain}", fields, effects)


def _queue_on_chain(remittance_id: str, path: MoneyPath, address: str):
    """Queued with the `converted` transition, in its transaction: minted and paid to the
    partner's address by the settler's next window."""

    async def effect(conn) -> None:
        await chain_queue(conn, remittance_id, path.coin, path.partner_id, address, path.coin_minor)

    return effect


async def _exchange_amount(svc: Services, path: MoneyPath) -> int:
    """The principal in the peg currency at today's mid, rounded down. A retry after a crash
    finds the exchange already booked and reuses its amount, so the ids never conflict."""
    booked = await svc.reads.transfer(path.exchange_into_peg(0)[1].id)
    if booked is not None:
        return booked.amount
    rate = await svc.rates.rate(path.send_currency, path.peg)
    principal = Money.from_minor(path.principal_minor, path.send_currency)
    return Money(principal.amount * rate.value, path.peg).round_down().to_minor()


async def _basket_units(svc: Services, path: MoneyPath) -> int:
    """Basket coin the principal buys at the basket's value in the send currency now (the sum
    of its components at today's rates), rounded down; fixed once: a retry after a crash reads
    the booked mint leg, so the ids never conflict."""
    booked = await svc.reads.transfer(path.mint_coin_id)
    if booked is not None:
        return booked.amount
    rate = await svc.rates.rate(path.coin, path.send_currency)
    principal = Money.from_minor(path.principal_minor, path.send_currency)
    return coin_units_for(principal.amount, rate.value, stablecoin(path.coin))


async def send_to_partner_ledger(svc: Services, rem: Row) -> Outcome:
    await svc.ledger.transfer([money_path(rem).reserve_for_partner()])
    reason = f"pending transfer to partner {rem.partner_id}"
    item = await svc.reads.chain_item.first(rem.id)
    if item is not None and item.status in ("queued", "batched"):
        # The coin goes first: the settler wakes it once its event is final (the wait only
        # bounds a missed wake-up), so no worker runs the instruction step before.
        return Advance(S.IN_TRANSIT, reason, wait=_chain_wait(svc))
    return Advance(S.IN_TRANSIT, reason)


def _chain_wait(svc: Services) -> timedelta:
    return timedelta(seconds=max(svc.settings.chain_window_s, 1.0) * 2)


def callback_url(svc: Services, partner: PartnerInfo | None) -> str | None:
    """Where the partner reports back: its registered URL, else ours if we know it."""
    if partner is not None and partner.callback_url:
        return partner.callback_url
    base = svc.settings.public_base_url
    if base and partner is not None:
        if svc.partners.protocol(partner.id) == "mojaloop":  # the switch's callback base
            return f"{base.rstrip('/')}/v1/fspiop/{partner.id}"
        return f"{base.rstrip('/')}/v1/partner/callbacks/{partner.id}"
    return None


def instruction_for(
    rem: Row,
    callback: str | None = None,
    travel_rule: dict | None = None,
    chain: dict | None = None,
) -> PayoutInstruction:
    """The same remittance always yields the same instruction (and so the same signed body)."""
    amount = Money.from_minor(rem.receive_amount_minor, rem.receive_currency)
    return PayoutInstruction(
        payout_id=rem.id,
        remittance_id=rem.id,
        amount=str(amount),
        currency=rem.receive_currency,
        recipient=dict(rem.recipient),
        corridor_id=rem.corridor_id,
        callback_url=callback,
        travel_rule=travel_rule,
        chain_settlement=chain,
    )


async def instruct_partner(svc: Services, rem: Row) -> Outcome:
    item = await svc.reads.chain_item.first(rem.id)
    if item is not None and item.status in ("queued", "batched"):
        # The coin goes first; the settler wakes this remittance once its event is final.
        return Retry(_chain_wait(svc), "waiting for the on-chain settlement")
    settlement = settlement_view(item)
    partner = await svc.partners.info(rem.partner_id, svc.now())
    if partner is not None and partner.pull:
        return Advance(S.PAYOUT_PENDING, f"waiting for partner {rem.partner_id} to collect (pull)")
    record = await svc.reads.travel_record.first(rem.id)
    travel = None if record is None else travel_record_view(record)
    instruction = instruction_for(rem, callback_url(svc, partner), travel, settlement)
    result = await _ask_partner(svc, rem, lambda adapter: adapter.send(instruction))
    if isinstance(result, Retry):
        return result
    outcome = _after_partner_answer(rem, result, S.IN_TRANSIT)
    if settlement is not None and isinstance(outcome, Advance):
        paid = f" (coin paid on chain: tx {settlement['tx_hash']}, log {settlement['log_index']})"
        outcome = replace(outcome, reason=outcome.reason + paid)
    return outcome


async def _ask_partner(
    svc: Services, rem: Row, ask: Callable[[PayoutAdapter], Awaitable[PayoutResult]]
) -> PayoutResult | Retry:
    """One call to the remittance's push partner (send, inquire or cancel): a partner that
    cannot be reached is asked again later, with backoff, whatever the call was."""
    try:
        return await ask(await svc.partners.payout(rem.partner_id))
    except PartnerUnavailable as exc:
        return Retry(backoff(rem.attempts), f"partner unavailable: {exc}")


def _after_partner_answer(rem: Row, result: PayoutResult, current: Status) -> Outcome:
    fields = {"payout_status": result.status}
    if result.partner_reference:
        fields["partner_reference"] = result.partner_reference
    if result.status in ("accepted", "paid"):
        if current == S.PAYOUT_PENDING:
            return Retry(backoff(rem.attempts), "payout accepted, not yet paid", fields)
        return Advance(S.PAYOUT_PENDING, f"partner {result.status} the instruction", fields)
    if result.reason == NOT_FOUND and current == S.PAYOUT_UNKNOWN:
        # Proven never received: the same instruction, under the same key, goes again.
        return Advance(S.IN_TRANSIT, "inquiry: the partner never received it; send again")
    if result.status == "failed":
        fields["failure_reason"] = result.reason or "failed"
        return Advance(S.FAILED, f"partner failed the payout: {result.reason}", fields)
    if current == S.PAYOUT_UNKNOWN:
        return Retry(backoff(rem.attempts), "payout status still unknown")
    return Advance(S.PAYOUT_UNKNOWN, "partner did not answer in time; inquiry follows", fields)


async def _settlement_result(svc: Services, rem: Row) -> tuple[Money, Money]:
    """Spread earned and the market move since the quote was locked, in the send currency.
    The locked rate is honoured whatever the market did; the difference is ours to book."""
    quote = locked_quote(await quote_of(svc, rem.quote_id))
    try:
        current = await svc.rates.rate(rem.send_currency, rem.receive_currency)
    except RateUnavailable:
        return spread_margin(quote), Money.zero(rem.send_currency)
    return spread_margin(quote), fx_gain_loss(quote, current)


async def complete_payout(svc: Services, rem: Row, reason: str, fields: dict) -> Outcome:
    path = money_path(rem)
    await svc.ledger.post_pending(path.post_id, path.payout_transfer_id)
    item = await svc.reads.chain_item.first(rem.id)
    if item is not None and item.status in ("settled", "returned"):
        # Paid in coin on chain: the partner holds it (partner:{id}:{coin} == balanceOf), the
        # reserve keeps backing it until the partner redeems; nothing is burnt here.
        return Advance(S.PAID_OUT, reason, fields)
    if await svc.reads.transfer(path.settle_partner()[0].id) is None:
        # One linked batch: a crash before it repeats it whole (with that moment's rate);
        # once it is in, the check above skips it, so a later rate never conflicts.
        result: list = []
        if not path.needs_exchange:  # cross-peg corridors book no P&L split yet (a basket does)
            result = path.settlement_result(*await _settlement_result(svc, rem))
        await svc.ledger.transfer(path.settle_partner() + result)
    return Advance(S.PAID_OUT, reason, fields)


async def settle_payout(svc: Services, rem: Row) -> Outcome:
    """payout_pending and payout_unknown: a recorded final status (a signed callback or a pull
    partner's status call) settles it; a pull partner is waited for; a push partner is asked."""
    current = Status(rem.status)
    if rem.payout_status == "paid":
        return await complete_payout(svc, rem, "partner confirmed the payout", {})
    if rem.payout_status == "failed":
        reason = rem.failure_reason or "failed"
        return Advance(S.FAILED, f"partner failed the payout: {reason}")
    partner = await svc.partners.info(rem.partner_id, svc.now())
    if partner is not None and partner.pull:
        return Retry(PULL_RECHECK, "waiting for the partner's status")
    result = await _ask_partner(svc, rem, lambda adapter: adapter.inquire(rem.id))
    if isinstance(result, Retry):
        return result
    if result.status == "paid":
        fields = {"payout_status": "paid", "partner_reference": result.partner_reference}
        return await complete_payout(svc, rem, "status inquiry: paid", fields)
    return _after_partner_answer(rem, result, current)


async def refund(svc: Services, rem: Row) -> Outcome:
    """Undo what was booked: a conversion that never happened leaves only the funding."""
    waiting = await _coin_left(svc, rem)
    if waiting is not None:
        return waiting
    path = money_path(rem)
    if await svc.reads.transfer(path.mint_coin_id) is None:
        await svc.ledger.transfer(path.refund_funds())
    else:
        # Held after conversion (a re-screening hit) nothing was reserved to the partner yet.
        if await svc.reads.transfer(path.payout_transfer_id) is not None:
            await svc.ledger.void_pending(path.void_id, path.payout_transfer_id)
        await svc.ledger.transfer(path.refund_to_wallet())
    amount = Money.from_minor(rem.send_amount_minor, rem.send_currency)
    return Advance(S.REFUNDED, f"{amount} {amount.currency} returned to the wallet")


CANCELLED = "cancelled"
NOT_INSTRUCTED = "not_instructed"


async def _take_back(svc: Services, rem: Row) -> Outcome | PayoutResult | str:
    """Ask the partner to withdraw the instruction: CANCELLED (a push partner confirmed),
    NOT_INSTRUCTED (a push partner never had it; a pull partner no longer lists it, its list
    shows payout_pending only), a Retry (not confirmed yet), or the partner's answer when it
    had already paid."""
    partner = await svc.partners.info(rem.partner_id, svc.now())
    if partner is not None and partner.pull:
        return NOT_INSTRUCTED
    result = await _ask_partner(svc, rem, lambda adapter: adapter.cancel(rem.id))
    if isinstance(result, Retry):
        return result
    if result.status == "paid":
        return result
    if result.status == "accepted":
        return Retry(backoff(rem.attempts), "partner has not confirmed the cancel")
    if result.status == "unknown":
        if result.reason == NOT_FOUND:
            return NOT_INSTRUCTED
        return Retry(backoff(rem.attempts), f"cancel not confirmed: {result.reason}")
    return CANCELLED


async def _withdrawn(svc: Services, rem: Row) -> Outcome | dict | str:
    """CANCELLED or NOT_INSTRUCTED once the partner gave the instruction back (or never had
    it) and no coin is away on chain; the fields to record when the partner had paid;
    otherwise the Retry to wait with."""
    taken = await _take_back(svc, rem)
    if isinstance(taken, PayoutResult):
        return {"payout_status": "paid", "partner_reference": taken.partner_reference}
    if not isinstance(taken, str):
        return taken
    waiting = await _coin_left(svc, rem)
    return waiting if waiting is not None else taken


async def withdraw(svc: Services, rem: Row) -> Outcome:
    """The sender cancelled within the window: take the instruction back, then refund all of it
    (fee included). A push partner is asked to cancel; a pull partner that has not accepted no
    longer sees it (the pull list shows payout_pending only); one that has is asked by the
    cancel request being refused. Too late (paid): the inquiry settles it as paid out."""
    pending = await _withdrawn(svc, rem)
    if isinstance(pending, dict):
        return Advance(S.PAYOUT_UNKNOWN, "cancel refused: the partner had paid", pending)
    if not isinstance(pending, str):
        return pending
    path = money_path(rem)
    await svc.ledger.void_pending(path.void_id, path.payout_transfer_id)
    await svc.ledger.transfer(path.refund_to_wallet())
    amount = Money.from_minor(rem.send_amount_minor, rem.send_currency)
    fee = Money.from_minor(rem.fee_minor, rem.send_currency)
    return Advance(
        S.CANCELLED,
        f"cancelled by sender: {amount} {amount.currency} returned to the wallet, "
        f"fee {fee} {fee.currency} included",
        {"payout_status": "cancelled"},
    )


async def withdraw_for_hold(svc: Services, rem: Row) -> Outcome:
    """A re-screening hit after the partner had the instruction: withdraw it (the same partner
    call as a sender's cancel), then hold the transfer for the officers with its case. The
    coin stays reserved to the partner (pending) while on hold, so the officers' rejection
    refunds it like any failed payout. Coin already sent on chain: the hold waits, like a
    refund, for the partner's coins to come back. The partner had paid: too late to hold,
    recorded as paid (the inquiry settles it) and reported on the run and the case."""
    from gateway.usecases.rescreening import report_too_late

    partner = await svc.partners.info(rem.partner_id, svc.now())
    if partner is not None and partner.pull and rem.payout_status == "accepted":
        # It took the payout on between the hit and the withdrawal: it may be paying now.
        reason = "a pull partner took the payout on before the withdrawal (too late)"
        return Advance(S.PAYOUT_PENDING, reason, {}, (report_too_late(rem.id),))
    pending = await _withdrawn(svc, rem)
    if isinstance(pending, dict):
        reason = "withdrawal for compliance review refused: the partner had paid (too late)"
        return Advance(S.PAYOUT_UNKNOWN, reason, pending, (report_too_late(rem.id),))
    if not isinstance(pending, str):
        return pending
    if pending == CANCELLED:
        said = f"withdrawn from partner {rem.partner_id}"
    else:
        said = f"kept from partner {rem.partner_id} (it did not have the instruction)"
    return Advance(
        S.ON_HOLD,
        f"{said} for compliance review; the coin stays reserved until the officers decide",
        {"payout_status": CANCELLED if pending == CANCELLED else None},
    )


RETURN_RECHECK = timedelta(minutes=5)
"""The settler wakes a remittance as soon as its coin is back; this only bounds a missed wake."""


async def _coin_left(svc: Services, rem: Row) -> Retry | None:
    """A remittance whose coin never left is dropped from its batch (then refunded as usual);
    one whose coin is signed away or at the partner's address waits: it is refunded only when
    the partner's coins come back (the settler applies a matching Returned event: the chain
    item becomes `returned`, and the refund below voids the pending transfer and burns it)."""
    async with svc.engine.begin() as conn:
        if await chain_drop(conn, rem.id):
            return None
        item = await chain_item_row(conn, rem.id)
    if item is None or item.status in ("dropped", "returned"):
        return None
    return Retry(RETURN_RECHECK, "waiting for the partner's coins to come back on chain")

"""Journey: through Telegram, a transfer the travel rule covers (a regime file with a USD 100
threshold) from a sender with no address on file is held; the bot asks for exactly the
address, in the sender's language, and the sender's reply lets it go on to screening and
payout, carrying the address to the partner. Bot webhooks only, plus what the simulated partner
received."""

from __future__ import annotations

import pytest

from corridors.simulator import STATE
from tests.integration.bots.conftest import world  # noqa: F401
from tests.journeys.test_journey_travel_rule import _regimes_with_us_threshold


@pytest.mark.parametrize(
    ("lang", "asked", "thanks"),
    [("en", "home address", "goes on"), ("zh", "住址", "将继续处理")],
)
async def test_bot_asks_for_the_missing_address_and_goes_on(
    world,  # noqa: F811
    sim_client,
    tmp_path,
    lang,
    asked,
    thanks,
) -> None:
    world.svc.regimes = _regimes_with_us_threshold(tmp_path, "100.00")
    say = lambda text: world.telegram(world.tg_message(text, lang=lang))  # noqa: E731
    _, created = await world.tg_confirmed_transfer(lang, amount="200")
    assert created
    await world.drain()
    before = len(world.tg.calls)
    await world.bots.notifier.run_once()
    pushed = [m["text"] for m in world.tg.messages(before)]
    ask = next(m for m in pushed if asked in m)
    assert "31 CFR 1010.410(f)" in ask

    reply = await say("1 Main St, Springfield, IL 62701")
    assert thanks in reply[0]["text"]
    await world.drain()
    payouts = sim_client.server.app[STATE].payouts
    (sent,) = [p.instruction for p in payouts.values()]
    assert sent["travel_rule"]["originator"]["address"] == "1 Main St, Springfield, IL 62701"

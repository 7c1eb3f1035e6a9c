"""A transfer held by re-screening after it was paid, then approved, goes `approved ->
funded` again: the sender had the receipt when it was paid and gets no second one. The first
`funded` (payment) is pushed; other pushed states are unchanged."""

from types import SimpleNamespace

from gateway.bots.notifier import _pushed


def _row(frm: str | None, to: str, event: str | None = None):
    return SimpleNamespace(from_status=frm, to_status=to, event=event)


def test_the_receipt_goes_once_per_payment() -> None:
    assert _pushed(_row("awaiting_funds", "funded"))
    assert not _pushed(_row("approved", "funded"))
    assert _pushed(_row("funded", "on_hold"))
    assert _pushed(_row("failed", "refunded"))
    assert not _pushed(_row("approved", "converted"))

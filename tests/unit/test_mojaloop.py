"""FSPIOP as data: ids that lead back to the payout, amounts as the API writes them, the
ILP-style condition and fulfilment, and the JWS over body and FSPIOP headers (tampering with
any signed part is refused)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from corridors import fspiop
from corridors.signing import SignatureError

NOW = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
PID = "rem_" + "0a" * 16
ULID = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")
SECRET = b"switch-secret"


def test_transfer_id_is_a_ulid_that_leads_back_to_the_payout() -> None:
    transfer = fspiop.transfer_id(PID)
    assert ULID.match(transfer) and fspiop.payout_id_of(transfer) == PID
    assert fspiop.transfer_id("rem_" + "f" * 32)[0] == "7"  # 128 bits fit 26 characters
    assert fspiop.payout_id_of("not-a-ulid") is None
    assert fspiop.payout_id_of("Z" * 26) is None  # above 128 bits: not one of ours
    assert fspiop.derived_id("quote", PID) == fspiop.derived_id("quote", PID)
    assert fspiop.derived_id("quote", PID) != fspiop.derived_id("transaction", PID)


@pytest.mark.parametrize(
    ("given", "written"), [("118.50", "118.5"), ("100.00", "100"), ("0.05", "0.05"), ("7", "7")]
)
def test_amounts_have_no_trailing_zeros(given, written) -> None:
    assert fspiop.amount(given) == written
    assert re.match(r"^([0]|([1-9][0-9]{0,17}))([.][0-9]{0,3}[1-9])?$", written)


def test_only_the_payee_fulfilment_meets_the_condition() -> None:
    fulfilment = fspiop.fulfilment_for(b"payee-secret", "tx-1")
    condition = fspiop.condition_of(fulfilment)
    assert len(condition) == len(fulfilment) == 43
    assert fspiop.fulfils(fulfilment, condition)
    assert not fspiop.fulfils(fspiop.fulfilment_for(b"someone-else", "tx-1"), condition)
    assert not fspiop.fulfils("not base64 !", condition)


def signed(body: bytes = b'{"transferState":"COMMITTED"}', **kw) -> dict[str, str]:
    values = {
        "resource": "transfers",
        "method": "PUT",
        "uri": "/transfers/X",
        "source": "payeefsp",
        "destination": "remitgateway",
        "body": body,
        "secret": SECRET,
        "now": NOW,
        "request": False,
        **kw,
    }
    return fspiop.headers(**values)


def test_jws_covers_body_uri_method_and_participants() -> None:
    body = b'{"transferState":"COMMITTED"}'
    headers = signed(body)
    check = {"method": "PUT", "uri": "/transfers/X", "now": NOW}
    assert fspiop.verify([b"old", SECRET], headers, body, **check) == "payeefsp"
    cases = {
        "signature_mismatch": (headers, body.replace(b"COMMITTED", b"ABORTED"), check),
        "signed_headers_mismatch": (headers, body, {**check, "uri": "/transfers/Y"}),
        "stale_date": (headers, body, {**check, "now": NOW + timedelta(minutes=6)}),
        "missing_signature": (
            {k: v for k, v in headers.items() if k != fspiop.SIGNATURE_HEADER},
            body,
            check,
        ),
    }
    for reason, (h, b, c) in cases.items():
        with pytest.raises(SignatureError) as caught:
            fspiop.verify([SECRET], h, b, **c)
        assert caught.value.reason == reason
    with pytest.raises(SignatureError, match="signed_headers_mismatch"):
        fspiop.verify([SECRET], {**headers, "FSPIOP-Source": "evil"}, body, **check)
    with pytest.raises(SignatureError, match="signature_mismatch"):
        fspiop.verify([b"wrong"], headers, body, **check)


def test_hub_delivers_to_the_waiting_request() -> None:
    import asyncio

    async def scenario():
        hub = fspiop.CallbackHub()
        future = hub.expect("transfers/X")
        assert not hub.deliver(fspiop.Callback("transfers/Y", {}))
        assert hub.deliver(fspiop.Callback("transfers/X", {"transferState": "COMMITTED"}))
        return await future

    assert asyncio.run(scenario()).body == {"transferState": "COMMITTED"}

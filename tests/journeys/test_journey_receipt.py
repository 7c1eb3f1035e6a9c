"""Journey: a sender pays and gets a receipt with every item, as JSON and as a printable page in
both languages; before paying there is none (a problem, nothing written). The bot pushes the
receipt when the transfer is paid. Public interfaces only: HTTP and bot webhooks."""

from __future__ import annotations

import pytest

from tests.integration.bots.conftest import world  # noqa: F401


async def test_receipt_has_every_item(gateway) -> None:
    rem = await gateway.paid()
    resp = await gateway.client.get(f"/v1/remittances/{rem['id']}/receipt", headers=gateway.auth())
    assert resp.status == 200, await resp.text()
    r = await resp.json()
    d = r["disclosure"]
    assert d["total"] == "100.00" and d["fees"] == rem["fee"] and d["taxes"] == "0.00"
    assert d["amount_received"] == rem["receive_amount"] and d["exchange_rate"]
    assert d["covered_third_party_fees"] == "0.00" and d["statement"]["en"]
    assert r["funds_available_on"] > r["paid_at"][:10]
    assert r["recipient"] == {"name": "Maria Dela Cruz", "phone": "+639171234567"}
    assert r["rights"]["cancellation"]["window_minutes"] == 30
    assert r["rights"]["error_resolution"]["report_within_days"] == 180
    assert r["provider"]["phone"] and r["regulators"][0]["website"].startswith("https://")
    for lang, words in (("en", "Your rights"), ("zh-Hans", "您的权利")):
        page = await gateway.client.get(
            f"/v1/remittances/{rem['id']}/receipt?lang={lang}",
            headers={**gateway.auth(), "Accept": "text/html"},
        )
        assert page.status == 200 and page.content_type == "text/html"
        text = await page.text()
        for part in (
            words,
            d["fees"],
            d["amount_received"],
            "Maria Dela Cruz",
            r["funds_available_on"],
        ):
            assert part in text, (lang, part)
        assert r["regulators"][0]["name"] in text and r["provider"]["website"] in text
        printed = await gateway.client.get(
            f"/v1/remittances/{rem['id']}/receipt?lang={lang}&format=pdf", headers=gateway.auth()
        )
        assert printed.status == 200 and printed.content_type == "application/pdf"
        pdf = await printed.read()
        assert pdf.startswith(b"%PDF-")
        import io

        from pypdf import PdfReader

        squeezed = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
        squeezed = squeezed.replace(" ", "").replace("\n", "")
        for part in (words, d["amount_received"], "MariaDelaCruz", r["funds_available_on"]):
            assert part.replace(" ", "") in squeezed, (lang, part)


async def test_no_receipt_before_payment(gateway) -> None:
    rem = await gateway.send("100.00")  # an empty wallet: the remittance waits for funds
    await gateway.drain()
    assert (await gateway.get(rem["id"]))["status"] != "funded"
    resp = await gateway.client.get(f"/v1/remittances/{rem['id']}/receipt", headers=gateway.auth())
    assert resp.status == 409
    problem = await resp.json()
    assert problem["type"].endswith("not-paid") and rem["id"] in problem["detail"]


@pytest.mark.parametrize(("lang", "words"), [("en", "Cancel by"), ("zh", "取消截止")])
async def test_bot_pushes_the_receipt_when_paid(world, lang, words) -> None:  # noqa: F811
    await world.tg_confirmed_transfer(lang)
    await world.drain()
    before = len(world.tg.calls)
    await world.bots.notifier.run_once()
    receipt = world.tg.messages(before)[0]["text"]
    for part in (words, "Maria Dela Cruz (+639171234567)", "100.00 USD", "Consumer Financial"):
        assert part in receipt, part

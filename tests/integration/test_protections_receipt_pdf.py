"""The printable receipt as PDF, laid out by WeasyPrint: every item is in it, in each language (the
golden page and message: tests/unit/test_protections_receipt.py)."""

from __future__ import annotations

import pytest

from tests.unit.test_protections_receipt import fixed_receipt, html


def pdf_text(receipt: dict, lang: str) -> tuple[str, set[str]]:
    """The receipt printed to PDF: its text, and the fonts embedded in it."""
    import io

    from pypdf import PdfReader

    from gateway.api.receipt_page import _pdf_bytes

    data = _pdf_bytes(html(receipt, lang))
    assert data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(data))
    fonts = set()
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    return "\n".join(p.extract_text() for p in reader.pages), fonts


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", ["Receipt", "Transfer amount", "96.51 USD", "Total to recipient", "Cancel by"]),
        ("zh-Hans", ["汇款收据", "汇款金额", "收款人实收", "取消截止", "监管机构"]),
    ],
)
def test_receipt_pdf_has_every_item(lang: str, words: list[str]) -> None:
    text, fonts = pdf_text(fixed_receipt(), lang)
    squeezed = text.replace(" ", "").replace("\n", "")
    for word in [*words, "5423.50 PHP", "Maria Dela Cruz", "Consumer Financial Protection Bureau"]:
        assert word.replace(" ", "") in squeezed, word
    assert "Print this page" not in text and "打印本页" not in text  # print media: no button
    if lang == "zh-Hans":  # the Chinese glyphs come from an embedded CJK font, not boxes
        assert any("WenQuanYi" in f or "CJK" in f for f in fonts), fonts

"""The printable receipt: the same facts as the JSON receipt, in the sender's language
(`?lang=zh-Hans` or Accept-Language), rendered by aiohttp-jinja2 as a page (text/html), and the
same page printed to PDF (application/pdf) by WeasyPrint: one template for both, so the PDF
can never say something the page does not. WeasyPrint lays out HTML and CSS for print (the
template's @page rules) through Pango, which falls back to a CJK font (WenQuanYi or Noto CJK
from the system) for the Chinese receipt and embeds the glyphs it uses."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import aiohttp_jinja2
import jinja2
from aiohttp import web

HERE = Path(__file__).parent
RECEIPT_JINJA = web.AppKey("receipt_jinja", jinja2.Environment)
EN, ZH = "en", "zh-Hans"

LABELS: dict[str, dict[str, str]] = {
    EN: {
        "title": "Receipt",
        "reference": "Transfer",
        "paid_at": "Date paid",
        "transfer_amount": "Transfer amount",
        "fees": "Transfer fees",
        "taxes": "Transfer taxes",
        "total": "Total",
        "exchange_rate": "Exchange rate",
        "covered_third_party_fees": "Other fees (covered)",
        "amount_received": "Total to recipient",
        "funds_available_on": "Date available",
        "recipient": "Recipient",
        "phone": "Phone",
        "address": "Address",
        "not_covered": "Not covered by {regime}: transfers of {threshold} or less.",
        "rights": "Your rights",
        "cancel": "Cancellation",
        "cancel_by": "Cancel by",
        "errors": "Errors",
        "report_by": "Report errors by",
        "provider": "Questions or complaints",
        "regulators": "Regulators",
        "print": "Print this page",
    },
    ZH: {
        "title": "汇款收据",
        "reference": "汇款编号",
        "paid_at": "付款日期",
        "transfer_amount": "汇款金额",
        "fees": "汇款手续费",
        "taxes": "汇款税款",
        "total": "合计",
        "exchange_rate": "汇率",
        "covered_third_party_fees": "其他费用（已包含）",
        "amount_received": "收款人实收",
        "funds_available_on": "可领取日期",
        "recipient": "收款人",
        "phone": "电话",
        "address": "地址",
        "not_covered": "本笔汇款不受 {regime} 保护（{threshold} 及以下的汇款）。",
        "rights": "您的权利",
        "cancel": "取消",
        "cancel_by": "取消截止",
        "errors": "差错",
        "report_by": "差错申报截止",
        "provider": "咨询或投诉",
        "regulators": "监管机构",
        "print": "打印本页",
    },
}


def receipt_loader() -> jinja2.BaseLoader:
    return jinja2.FileSystemLoader(HERE / "templates")


def setup_receipts(app: web.Application) -> None:
    aiohttp_jinja2.setup(
        app,
        loader=receipt_loader(),
        autoescape=jinja2.select_autoescape(["html"]),
        app_key=RECEIPT_JINJA,
    )


def language(request: web.Request) -> str:
    wanted = request.query.get("lang") or request.headers.get("Accept-Language", "")
    return ZH if wanted.lower().startswith("zh") else EN


def context(receipt: dict[str, Any], lang: str) -> dict[str, Any]:
    d = receipt["disclosure"]
    labels = LABELS[lang]
    not_covered = None
    if not d["covered"]:
        threshold = f"{d['coverage_threshold']} {d['send_currency']}"
        not_covered = labels["not_covered"].format(regime=d["regime_title"], threshold=threshold)
    return {
        "lang": lang,
        "l": labels,
        "r": receipt,
        "d": d,
        "not_covered": not_covered,
        "statement": d["statement"].get(lang) or d["statement"]["en"],
        "cancel_text": _text(receipt["rights"]["cancellation"]["text"], lang),
        "error_text": _text(receipt["rights"]["error_resolution"]["text"], lang),
    }


def _text(by_language: dict[str, str], lang: str) -> str:
    return by_language.get(lang) or by_language["en"]


def wants_pdf(request: web.Request) -> bool:
    return request.query.get("format") == "pdf" or "application/pdf" in request.headers.get(
        "Accept", ""
    )


def _pdf_bytes(html: str) -> bytes:
    from weasyprint import HTML  # imported on first use: it loads Pango

    return HTML(string=html, base_url=str(HERE)).write_pdf()


async def render_pdf(request: web.Request, receipt: dict[str, Any]) -> web.Response:
    """The page as a PDF; laid out in a thread (tens of milliseconds of CPU, not on the loop)."""
    env = aiohttp_jinja2.get_env(request.app, app_key=RECEIPT_JINJA)
    html = env.get_template("receipt.html").render(**context(receipt, language(request)), pdf=True)
    body = await asyncio.to_thread(_pdf_bytes, html)
    name = f"receipt-{receipt['remittance_id']}.pdf"
    return web.Response(
        body=body,
        content_type="application/pdf",
        headers={
            "Cache-Control": "no-store",
            "Content-Disposition": f'inline; filename="{name}"',
        },
    )


def render(request: web.Request, receipt: dict[str, Any]) -> web.Response:
    response = aiohttp_jinja2.render_template(
        "receipt.html", request, context(receipt, language(request)), app_key=RECEIPT_JINJA
    )
    response.headers["Cache-Control"] = "no-store"
    return response

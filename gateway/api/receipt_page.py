"""The printable receipt (text/html): the same facts as the JSON receipt, in the sender's
language (`?lang=zh-Hans` or Accept-Language), rendered by aiohttp-jinja2."""

from __future__ import annotations

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


def render(request: web.Request, receipt: dict[str, Any]) -> web.Response:
    response = aiohttp_jinja2.render_template(
        "receipt.html", request, context(receipt, language(request)), app_key=RECEIPT_JINJA
    )
    response.headers["Cache-Control"] = "no-store"
    return response

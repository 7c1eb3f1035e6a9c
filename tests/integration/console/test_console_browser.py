"""A real browser (Debian's Chromium, headless, through Playwright) signs in, opens a case held
by a sanctions hit, approves it with a reason (two officers: the case is above the four-eyes
risk level) and sees the remittance continue to paid_out."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.console_support import PASSWORD, hold

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

playwright_api = pytest.importorskip("playwright.async_api")
if not Path(CHROMIUM).exists():
    pytest.fail(f"{CHROMIUM} missing: install Debian's chromium (.ci/system-packages)")


@pytest.fixture
async def browser():
    async with playwright_api.async_playwright() as pw:
        chromium = await pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            yield chromium
        finally:
            await chromium.close()


async def _sign_in(page, base: str, username: str) -> None:
    await page.goto(f"{base}/console/login")
    await page.fill("input[name=username]", username)
    await page.fill("input[name=password]", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url(f"{base}/console/cases")


async def _approve(page, reason: str) -> None:
    await page.check("input[name=decision][value=approve]")
    await page.fill("textarea[name=reason]", reason)
    await page.click("form.decision button[type=submit]")
    await page.wait_for_load_state()


async def test_officers_approve_a_sanctions_hold_in_the_browser(
    gateway, officers, browser, tmp_path
) -> None:
    rem_id, case_id = await hold(gateway)
    base = str(gateway.client.make_url("")).rstrip("/")
    page = await browser.new_page(viewport={"width": 1366, "height": 900})

    await _sign_in(page, base, "analyst")
    assert case_id[:17] in await page.inner_text("table.grid")
    await page.screenshot(path=tmp_path / "queue.png", full_page=True)
    await page.click(f"a[href='/console/cases/{case_id}']")
    await page.wait_for_url(f"{base}/console/cases/{case_id}")
    evidence = await page.inner_text("table.evidence")
    assert "Vladimir Vladimirovich Putin" in evidence
    await page.screenshot(path=tmp_path / "case.png", full_page=True)
    await _approve(page, "DOB and nationality checked against the SDN entry")
    assert "awaiting_second" in await page.inner_text("h1")
    assert (await gateway.get(rem_id))["status"] == "on_hold"
    await page.click("header button.link")  # sign out

    await _sign_in(page, base, "supervisor")
    await page.goto(f"{base}/console/cases/{case_id}")
    await _approve(page, "second look: agree, false positive")
    assert "approved" in await page.inner_text("h1")

    await gateway.drain()
    assert (await gateway.get(rem_id))["status"] == "paid_out"
    await page.reload()
    assert "paid_out" in await page.inner_text(".meta")
    await page.screenshot(path=tmp_path / "case-paid.png", full_page=True)
    shots = os.environ.get("REMIT_CONSOLE_SHOTS")  # keep the screenshots to look at them
    for name in ("queue.png", "case.png", "case-paid.png"):
        assert (tmp_path / name).stat().st_size > 10_000
        if shots:
            Path(shots).mkdir(parents=True, exist_ok=True)
            shutil.copy(tmp_path / name, Path(shots) / name)

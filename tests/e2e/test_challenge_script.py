"""The page's script solves the proof-of-work challenge in a real browser, under the page's strict CSP, while
the reporter writes; the answer is one the server accepts."""

from __future__ import annotations

import asyncio

from playwright.sync_api import sync_playwright

from meldpunt.intake.challenge import leading_zero_bits, work
from tests.conftest import MakeTenant
from tests.e2e.conftest import BROWSER_ARGS


async def test_the_form_script_solves_the_challenge_and_the_report_goes_through(
    served: str, chromium_path: str, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant()

    def in_browser() -> tuple[str, str, int, list[str], str]:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium_path, args=BROWSER_ARGS)
            page = browser.new_page()
            refused: list[str] = []
            page.on("pageerror", lambda error: refused.append(str(error)))
            page.on(
                "console", lambda message: refused.append(message.text) if "Security Policy" in message.text else None
            )
            page.goto(f"{served}/m/{tenant.slug}/melden")
            page.wait_for_function("document.querySelector('input[name=answer]').value !== ''", timeout=30_000)
            challenge = page.locator("input[name=challenge]").get_attribute("value") or ""
            bits = int(page.locator("input[name=challenge]").get_attribute("data-bits") or "0")
            answer = page.locator("input[name=answer]").input_value()
            page.get_by_label("Pesten").check()
            page.get_by_label("Medewerker", exact=True).check()
            page.get_by_label("Ja, het is mij overkomen").check()
            page.get_by_label("Wat is er gebeurd?").fill("Er wordt elke dag over mij geroddeld.")
            page.get_by_role("button", name="Versturen").click()
            receipt = page.get_by_test_id("receipt").inner_text()
            browser.close()
            return challenge, answer, bits, refused, receipt

    challenge, answer, bits, refused, receipt = await asyncio.to_thread(in_browser)
    assert bits > 0 and leading_zero_bits(work(challenge, answer)) >= bits
    assert not refused  # no CSP violation, no script error
    assert len(receipt.replace(" ", "")) == 16

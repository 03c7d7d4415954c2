"""The adviser's pages in a real browser: open a consultation, record a contact, and no WCAG AA violation."""

from __future__ import annotations

import asyncio

from playwright.sync_api import sync_playwright
from sqlalchemy.ext.asyncio import AsyncEngine

from meldpunt.identity.roles import Role
from meldpunt.settings import Settings
from tests.conftest import MakeTenant
from tests.e2e.conftest import BROWSER_ARGS
from tests.e2e.test_accessibility import violations
from tests.e2e.test_case_handling_journey import page_as
from tests.integration.cases.test_case_handling import person


async def test_the_adviser_pages_work_and_have_no_wcag_aa_violations(
    served: str, chromium_path: str, app_engine: AsyncEngine, settings: Settings, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant()
    adviser = await person(app_engine, settings, tenant, {tenant: (Role.ADVISER,)})

    def check() -> dict[str, list[str]]:
        found = {}
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium_path, args=BROWSER_ARGS)
            page = page_as(browser, served, adviser)
            page.goto(f"{served}/app/vertrouwenspersoon")
            found["all organisations"] = violations(page)
            page.locator("main table a").first.click()
            page.wait_for_url(f"**/app/t/{tenant.slug}/vertrouwenspersoon")
            found["vault"] = violations(page)
            page.get_by_label("Uw eigen naam voor dit gesprek").fill("Schoonmaker, avonddienst")
            page.get_by_label("Waar gaat het over?").select_option("aggression")
            page.get_by_role("button", name="Gesprek beginnen").click()
            page.get_by_label("Hoe", exact=True).select_option("phone")
            page.get_by_label("Uw aantekening").fill("Eerste gesprek, wil nog niets ondernemen.")
            page.get_by_role("button", name="Contact vastleggen").click()
            assert "Eerste gesprek, wil nog niets ondernemen." in page.content()
            found["consultation"] = violations(page)
            browser.close()
        return found

    found = await asyncio.to_thread(check)
    assert all(not v for v in found.values()), found

"""The accused in a real browser without JavaScript: opens the invitation link, types the one-time code from
the letter, keeps the portal key, reads the written notice, replies and names a companion; the decision maker
then reads the reply on the parties page; a later visit without JavaScript opens with the key. Every page
passes axe."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from playwright.sync_api import sync_playwright
from sqlalchemy.ext.asyncio import AsyncEngine

from meldpunt.settings import Settings
from tests.conftest import MakeTenant
from tests.e2e.conftest import BROWSER_ARGS
from tests.e2e.test_accessibility import violations
from tests.e2e.test_case_handling_journey import page_as
from tests.integration.cases.test_case_handling import cast, declared_panel
from tests.integration.parties.test_panel_side import ACCUSED, _tell_the_reporter


@pytest.fixture
async def client(served: str) -> AsyncIterator[httpx.AsyncClient]:
    """The served application over HTTP, for what the panel does before the accused opens the portal."""
    async with httpx.AsyncClient(base_url=served) as http:
        yield http


async def test_the_accused_reads_the_notice_and_replies_in_the_portal(
    client: httpx.AsyncClient,
    served: str,
    chromium_path: str,
    app_engine: AsyncEngine,
    settings: Settings,
    make_tenant: MakeTenant,
) -> None:
    c = await cast(app_engine, settings, make_tenant)
    case = await declared_panel(client, c, app_engine)
    await _tell_the_reporter(client, c, case)
    base = f"/api/v1/t/{c.member.slug}/cases/{case}"
    party = (await client.post(f"{base}/parties", json=ACCUSED)).json()
    invitation = (await client.post(f"{base}/parties/{party['id']}/invitation")).json()
    assert (await client.post(f"{base}/parties/{party['id']}/notice")).status_code == 201
    link = served + "/p/" + invitation["link"].split("/p/", 1)[1]

    def journey() -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium_path, args=BROWSER_ARGS)
            accused = browser.new_context(bypass_csp=True).new_page()  # axe is injected, which the CSP refuses
            accused.goto(link)
            assert "Kennisgeving" not in accused.content()  # the link alone opens nothing
            found["portal, code form"] = violations(accused)
            accused.get_by_label("Uw code").fill(invitation["code"])
            accused.get_by_role("button", name="Openen").click()
            key = accused.locator("p.receipt strong").inner_text()
            assert len(key.replace(" ", "")) == 16
            found["portal, first visit"] = violations(accused)
            with accused.expect_download() as download:
                accused.get_by_role("button", name="Kennisgeving van een melding").click()
            letter = download.value.path().read_text()
            assert "Beste Jan de Vries" in letter
            accused.get_by_label("Uw bericht of reactie").fill("Ik wil graag gehoord worden, met mijn advocaat.")
            accused.get_by_role("button", name="Versturen").click()
            assert "Verstuurd en opgeslagen." in accused.content()
            accused.get_by_label("Naam en rol van wie u begeleidt").fill("Mr. B. Jansen, advocaat")
            accused.get_by_role("button", name="Opslaan").click()
            found["portal, after replying"] = violations(accused)

            later = browser.new_context(java_script_enabled=False).new_page()  # and without JavaScript
            later.goto(link + "?lang=en")
            later.get_by_label("Your code").fill(key)
            later.get_by_role("button", name="Open").click()
            assert "Ik wil graag gehoord worden" in later.content() and "Your rights" in later.content()

            decider = page_as(browser, served, c.decider)
            decider.goto(f"{served}/app/t/{c.member.slug}/zaken/{case}/partijen")
            page = decider.content()
            assert "Ik wil graag gehoord worden" in page and "Mr. B. Jansen" in page
            found["parties page, decision maker"] = violations(decider)
            browser.close()
        return found

    found = await asyncio.to_thread(journey)
    assert all(not v for v in found.values()), found

"""Phase 2 in a real browser: the decision maker seats a line manager on the case's follow-up page; the line
manager finds the assignment under "Mijn opdrachten", declares, reads the agreed points
and records the conversation and its outcome. Every page passes axe."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from playwright.sync_api import Page, sync_playwright
from sqlalchemy.ext.asyncio import AsyncEngine

from meldpunt.settings import Settings
from tests.conftest import MakeTenant
from tests.e2e.conftest import BROWSER_ARGS
from tests.e2e.test_accessibility import violations
from tests.e2e.test_case_handling_journey import page_as
from tests.integration.cases.test_case_handling import as_
from tests.integration.interventions.test_interventions_api import TODAY, crew, decided, seat, started

AGREED = "Opmerkingen over kleding tijdens de dienst."


def record_informal_conversation(manager: Page) -> None:
    """The line manager, on their prepared assignment, records the conversation held and its outcome."""
    manager.get_by_label("Uw aantekeningen", exact=False).fill("Rustig gesprek.")
    manager.get_by_role("button", name="Vastleggen", exact=True).click()
    manager.get_by_label("Resultaat").select_option("apology")
    manager.get_by_label("Uitkomst", exact=True).fill("Excuses gemaakt.")
    manager.get_by_role("button", name="Uitkomst vastleggen en afronden").click()
    assert "Afgerond" in manager.content()


@pytest.fixture
async def client(served: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=served) as http:
        yield http


async def test_a_line_manager_carries_out_an_informal_conversation_in_the_browser(
    client: httpx.AsyncClient,
    served: str,
    chromium_path: str,
    app_engine: AsyncEngine,
    settings: Settings,
    make_tenant: MakeTenant,
) -> None:
    w = await crew(app_engine, settings, make_tenant)
    case = await decided(client, w, app_engine, ["informal_conversation", "bemiddeling"])
    base, iid = await started(client, w, case, "informal_conversation")
    await as_(client, w.c.decider)
    assert (await client.post(f"{base}/{iid}/seats", json=seat(w.line_manager, "line_manager"))).status_code == 201
    slug = w.slug

    def journey() -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium_path, args=BROWSER_ARGS)
            manager = page_as(browser, served, w.line_manager)
            manager.goto(f"{served}/app/t/{slug}")
            manager.get_by_role("link", name="Mijn opdrachten").click()
            found["my assignments"] = violations(manager)
            manager.get_by_role("link", name="Informeel gesprek").click()
            found["assignment, declaration first"] = violations(manager)
            manager.get_by_label("Nee, ik ben niet betrokken").check()
            manager.get_by_label("Uw verklaring").fill("Ik ken de melder niet en heb geen belang bij de uitkomst.")
            manager.get_by_role("button", name="Verklaring afleggen").click()

            decider = page_as(browser, served, w.c.decider)
            decider.goto(f"{served}/app/t/{slug}/zaken/{case}/opvolging")
            found["follow-up page, decision maker"] = violations(decider)
            decider.get_by_label("Met de melder afgestemd op").fill(TODAY.isoformat())
            decider.get_by_label("Wat gedeeld mag worden", exact=False).fill(AGREED)
            decider.get_by_role("button", name="Voorbereiding vastleggen").click()
            assert "Voorbereid" in decider.content()

            manager.goto(f"{served}/app/t/{slug}/opdrachten/{case}/{iid}")
            assert AGREED in manager.content()
            found["assignment, prepared"] = violations(manager)
            record_informal_conversation(manager)
            found["assignment, completed"] = violations(manager)
            browser.close()
        return found

    found = await asyncio.to_thread(journey)
    assert all(not v for v in found.values()), found

"""A fact-finding in a real browser: the investigator finds the assignment under "Mijn onderzoeksopdrachten",
declares their independence, agrees the protocol, schedules an interview with the accused and sends its record;
the accused opens the portal with the one-time code and approves the record; the investigator then sees the
record approved, so it counts. Every page passes axe."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from playwright.sync_api import sync_playwright
from sqlalchemy.ext.asyncio import AsyncEngine

from meldpunt.settings import Settings
from tests.conftest import MakeTenant
from tests.e2e.conftest import BROWSER_ARGS
from tests.e2e.test_accessibility import violations
from tests.e2e.test_case_handling_journey import page_as
from tests.integration.cases.test_case_handling import STATEMENT, as_
from tests.integration.investigations.support import (
    ACCUSED,
    SOON,
    TODAY,
    api,
    commission_body,
    commissioned,
    decided,
    seat_body,
    team,
)

RECORD = "Verslag: de beschuldigde erkent de opmerkingen in het werkoverleg."


@pytest.fixture
async def client(served: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=served) as http:
        yield http


async def test_an_interview_record_is_approved_in_the_party_portal(
    client: httpx.AsyncClient,
    served: str,
    chromium_path: str,
    app_engine: AsyncEngine,
    settings: Settings,
    make_tenant: MakeTenant,
) -> None:
    t = await team(app_engine, settings, make_tenant)
    case, ids = await decided(client, t, app_engine, ["fact_investigation"], ("accused", ACCUSED))
    base, iid = await commissioned(client, t, case, commission_body("fact", (ids[ACCUSED],)))
    assert (await client.post(f"{base}/{iid}/investigator", json=seat_body(t.investigator))).status_code == 201
    await as_(client, t.c.decider)
    invitation = (await client.post(f"{api(t, case)}/parties/{ids[ACCUSED]}/invitation")).json()
    link = served + "/p/" + invitation["link"].split("/p/", 1)[1]
    slug = t.slug
    when = (TODAY + timedelta(days=2)).isoformat()

    def journey() -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium_path, args=BROWSER_ARGS)
            investigator = page_as(browser, served, t.investigator)
            investigator.goto(f"{served}/app/t/{slug}/onderzoeken")
            found["my investigation assignments"] = violations(investigator)
            investigator.get_by_role("link", name="Feitenonderzoek").click()
            assert "De gedragscode" not in investigator.content()  # nothing of it before the declaration
            found["assignment, declaration"] = violations(investigator)
            investigator.get_by_label("Nee, ik ben niet betrokken").check()
            investigator.get_by_label("Uw verklaring van onafhankelijkheid").fill(STATEMENT)
            investigator.get_by_role("button", name="Verklaring afleggen").click()
            assert "De gedragscode" in investigator.content()
            investigator.get_by_role("button", name="Protocol akkoord").click()
            investigator.get_by_label("Met wie").select_option(ids[ACCUSED])
            investigator.get_by_label("Datum", exact=True).fill(when)
            investigator.get_by_label("Tijd (UTC)").fill("10:00")
            investigator.get_by_role("button", name="Plannen", exact=True).click()
            found["assignment, interview scheduled"] = violations(investigator)
            investigator.get_by_label("Gespreksverslag").fill(RECORD)
            investigator.get_by_label("Reactie uiterlijk").fill(SOON)
            investigator.get_by_role("button", name="Verslag naar de geïnterviewde sturen").click()
            assert "verslag bij de geïnterviewde" in investigator.content()
            assert "nog geen antwoord" in investigator.content()

            accused = browser.new_context(bypass_csp=True).new_page()
            accused.goto(link)
            accused.get_by_label("Uw code").fill(invitation["code"])
            accused.get_by_role("button", name="Openen").click()
            with accused.expect_download() as download:
                accused.get_by_role("button", name="Gespreksverslag").click()
            assert download.value.path().read_text() == RECORD
            found["portal, record for approval"] = violations(accused)
            accused.get_by_label("Ik keur het goed").check()
            accused.get_by_role("button", name="Verstuur mijn oordeel").click()
            found["portal, record approved"] = violations(accused)

            investigator.reload()
            assert "goedgekeurd" in investigator.content()
            found["assignment, record approved"] = violations(investigator)
            browser.close()
        return found

    found = await asyncio.to_thread(journey)
    assert all(not v for v in found.values()), found

"""The accused in a real browser without JavaScript: opens the invitation link, types the one-time code from
the letter, keeps the portal key, reads the written notice, replies, answers the term the decision maker set on
the parties page and names a companion; the decision maker then reads the reply and the answered term on the
parties page; a later visit without JavaScript opens with the key. A witness who works at the organisation
binds the invitation to their signed-in account and opens the portal with the link alone afterwards; the
reporter agrees in the inbox to be named. Every page passes axe."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import date, timedelta

import httpx
import pytest
from playwright.sync_api import sync_playwright
from sqlalchemy.ext.asyncio import AsyncEngine

from meldpunt.settings import Settings
from tests.conftest import MakeTenant
from tests.e2e.conftest import BROWSER_ARGS
from tests.e2e.test_accessibility import violations
from tests.e2e.test_case_handling_journey import page_as
from tests.integration.cases.test_case_handling import cast, declared_panel, person
from tests.integration.intake.test_submissions import submit
from tests.integration.parties.test_panel_side import ACCUSED, _tell_the_reporter
from tests.integration.parties.test_reporter_agreement import NAMED


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
    witness = (await client.post(f"{base}/parties", json={"role": "witness", "name": "Wim Getuige"})).json()
    again = {"involved": False, "statement": "Ik ken Wim Getuige niet."}  # a person newly named: declare again
    assert (await client.post(f"{base}/declaration", json=again)).status_code == 201
    witness_invitation = (await client.post(f"{base}/parties/{witness['id']}/invitation")).json()
    witness_link = served + "/p/" + witness_invitation["link"].split("/p/", 1)[1]
    staff = await person(app_engine, settings, c.member, {})  # an employee with an account, without any role
    client.cookies.clear()
    named = await submit(client, c.member.slug, **NAMED)
    receipt = named.json()["receipt"]
    due = (date.today() + timedelta(days=14)).isoformat()

    def journey() -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium_path, args=BROWSER_ARGS)
            decider = page_as(browser, served, c.decider)
            decider.goto(f"{served}/app/t/{c.member.slug}/zaken/{case}/partijen")
            decider.get_by_label("Wat vraagt u van deze partij", exact=False).first.fill("Uw schriftelijke reactie.")
            decider.get_by_label("Uiterlijk op").first.fill(due)
            decider.get_by_role("button", name="Termijn zetten").first.click()
            assert "Uw schriftelijke reactie." in decider.content()
            found["parties page, a term set"] = violations(decider)

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
            accused.get_by_role("button", name="Versturen", exact=True).click()
            assert "Verstuurd en opgeslagen." in accused.content()
            accused.get_by_label("Uw antwoord").fill("Mijn schriftelijke reactie: ik was er niet bij.")
            accused.get_by_role("button", name="Antwoord versturen").click()
            assert "(gedaan)" in accused.content()
            accused.get_by_label("Naam en rol van wie u begeleidt").fill("Mr. B. Jansen, advocaat")
            accused.get_by_role("button", name="Opslaan").click()
            found["portal, after replying"] = violations(accused)

            later = browser.new_context(java_script_enabled=False).new_page()  # and without JavaScript
            later.goto(link + "?lang=en")
            later.get_by_label("Your code").fill(key)
            later.get_by_role("button", name="Open").click()
            assert "Ik wil graag gehoord worden" in later.content() and "Your rights" in later.content()

            decider.goto(f"{served}/app/t/{c.member.slug}/zaken/{case}/partijen")
            page = decider.content()
            assert "Ik wil graag gehoord worden" in page and "Mr. B. Jansen" in page
            assert "ik was er niet bij" in page and "beantwoord door de partij" in page
            found["parties page, decision maker"] = violations(decider)

            employee = page_as(browser, served, staff)  # signed in with the organisation's account
            employee.goto(witness_link)
            found["portal, code form signed in"] = violations(employee)
            employee.get_by_label("Uw code").fill(witness_invitation["code"])
            employee.get_by_label("Koppel deze uitnodiging aan mijn account").check()
            employee.get_by_role("button", name="Openen").click()
            assert "gekoppeld aan een account" in employee.content()
            employee.goto(witness_link)  # later: the link and the session, no key
            assert "U neemt deel als: getuige" in employee.content()
            found["portal, bound account"] = violations(employee)

            reporter = browser.new_context(bypass_csp=True).new_page()
            reporter.goto(f"{served}/m/{c.member.slug}/inbox")
            reporter.get_by_label("Uw code van 16 cijfers").fill(receipt)
            reporter.get_by_role("button", name="Openen").click()
            found["inbox, agreement"] = violations(reporter)
            reporter.get_by_role("button", name="Ja, zij mogen weten wie ik ben").click()
            assert "U heeft ingestemd" in reporter.content()
            browser.close()
        return found

    found = await asyncio.to_thread(journey)
    assert all(not v for v in found.values()), found

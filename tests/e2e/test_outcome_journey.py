"""The end of a case in a real browser, without JavaScript: after phase 1 (set up through the API), the decision
maker decides with a measure, tells the reporter and the team, plans aftercare, monitors, evaluates and closes
the case; the process guardian sees the timeline without words; the aftercare owner marks their action done
after closure. Every page passes axe."""

from __future__ import annotations

import asyncio

import httpx
from playwright.sync_api import Page, sync_playwright
from sqlalchemy.ext.asyncio import AsyncEngine

from meldpunt.settings import Settings
from tests.conftest import MakeTenant
from tests.e2e.conftest import BROWSER_ARGS
from tests.e2e.test_accessibility import violations
from tests.e2e.test_case_handling_journey import page_as
from tests.integration.cases.test_case_handling import cast
from tests.integration.cases.test_outcome import (
    EVALUATION,
    IN_A_MONTH,
    YESTERDAY,
    panel_case_with_receipt,
    phase_one_done,
)


def evaluate_in_browser(decider: Page) -> None:
    """The decision maker records the evaluation of the procedure with every perspective."""
    for key, words in EVALUATION["perspectives"].items():
        decider.locator(f"#perspective_{key}").fill(words)
    decider.get_by_label("Bevindingen", exact=True).fill(EVALUATION["findings"])
    decider.get_by_label("Acties", exact=False).fill(EVALUATION["actions"])
    decider.get_by_role("button", name="Evaluatie vastleggen").click()


async def test_a_case_is_decided_told_cared_for_evaluated_and_closed_in_the_browser(
    served: str, chromium_path: str, app_engine: AsyncEngine, settings: Settings, make_tenant: MakeTenant
) -> None:
    c = await cast(app_engine, settings, make_tenant)
    async with httpx.AsyncClient(base_url=served) as client:
        case, _ = await panel_case_with_receipt(client, c, app_engine)
        await phase_one_done(client, c, case)
    outcome_url = f"{served}/app/t/{c.member.slug}/zaken/{case}/afronding"

    def journey() -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium_path, args=BROWSER_ARGS)
            decider = page_as(browser, served, c.decider)
            decider.goto(outcome_url)
            found["outcome, before the decision"] = violations(decider)
            decider.get_by_label("Uitkomst", exact=True).select_option("well_founded")
            decider.get_by_label("Redenen van het besluit").fill("Aannemelijk door twee getuigen. marker-e2e-c7")
            decider.get_by_label("Soort maatregel").select_option("official_warning")
            decider.get_by_label("Wat de maatregel inhoudt").fill("Een officiële waarschuwing in het dossier.")
            decider.get_by_label("Redenen van de maatregel").fill("Eerste keer, wel ernstig.")
            decider.get_by_role("button", name="Besluit vastleggen").click()
            assert 'id="fout"' in decider.content()  # the accused not heard yet: refused, what was typed kept
            assert "marker-e2e-c7" in decider.content()
            found["outcome, a refused decision"] = violations(decider)
            decider.get_by_label("Datum waarop de beschuldigde is gehoord").fill(YESTERDAY.isoformat())
            decider.get_by_role("button", name="Besluit vastleggen").click()
            assert "Officiële waarschuwing" in decider.content()

            decider.get_by_role("button", name="Melder de uitkomst laten weten").click()
            decider.get_by_label("Er is een melding gedaan", exact=False).check()  # a fixed, process-only text
            decider.get_by_role("button", name="Team informeren").click()
            decider.get_by_label("Voor wie", exact=True).select_option("reporter")
            decider.get_by_label("Soort nazorg", exact=True).select_option("check_in")
            decider.get_by_label("Wie het doet", exact=True).select_option(
                f"{c.adviser.account_tenant_id}:{c.adviser.account_id}"
            )
            decider.get_by_label("Uiterlijk op", exact=True).fill(IN_A_MONTH.isoformat())
            decider.get_by_label("Wat er gebeurt", exact=True).fill("Over een maand vragen hoe het gaat.")
            decider.get_by_role("button", name="Nazorg vastleggen").click()
            decider.get_by_label("Het gedrag is gestopt").check()
            decider.get_by_label("De werksituatie is hersteld").check()
            decider.get_by_label("Notitie", exact=True).fill("Rustig in het team.")
            decider.get_by_role("button", name="Monitoring vastleggen").click()
            evaluate_in_browser(decider)
            found["outcome, concluded"] = violations(decider)
            decider.get_by_role("button", name="Zaak sluiten").click()
            assert "Gesloten op" in decider.content()
            found["outcome, closed"] = violations(decider)

            guardian = page_as(browser, served, c.pooled)
            guardian.goto(outcome_url)
            assert "Officiële waarschuwing" in guardian.content() and "marker-e2e-c7" not in guardian.content()
            found["outcome, process guardian"] = violations(guardian)

            owner = page_as(browser, served, c.adviser)
            owner.goto(f"{served}/app/t/{c.member.slug}/nazorg")
            assert "Over een maand vragen hoe het gaat." in owner.content()
            found["my aftercare"] = violations(owner)
            owner.get_by_role("button", name="Afgerond").click()
            assert "afgerond op" in owner.content()
            browser.close()
        return found

    found = await asyncio.to_thread(journey)
    assert all(not v for v in found.values()), found

"""Issue 13's three parts in one real browser walk, without JavaScript, from the public report page to closure:
the reporting point routes and seats the panel, the panel declares and records phase 1 with a weighing choosing
the informal conversation, the decision maker starts it and seats the line manager, who records it from
"Mijn opdrachten"; the decision maker decides, tells the reporter, evaluates and closes; the reporter's inbox
shows the outcome and that the case is closed. Every page passes axe."""

from __future__ import annotations

import asyncio

from playwright.sync_api import Page, sync_playwright
from sqlalchemy.ext.asyncio import AsyncEngine

from meldpunt.settings import Settings
from tests.conftest import MakeTenant
from tests.e2e.conftest import BROWSER_ARGS
from tests.e2e.test_accessibility import violations
from tests.e2e.test_case_handling_journey import page_as, report_route_and_declare, weigh_in_browser
from tests.e2e.test_intervention_pages import record_informal_conversation
from tests.e2e.test_outcome_journey import evaluate_in_browser
from tests.integration.interventions.test_interventions_api import LATER, TODAY, crew

AGREED = "Opmerkingen over uiterlijk in het werkoverleg."


def record_step(decider: Page, summary: str, kind: str, **fields: str) -> None:
    """Open a phase-1 step on the case page, fill its fields (by id) and record it."""
    decider.locator("summary", has_text=summary).first.click()
    form = decider.locator(f"form:has(input[name=type][value={kind}])")
    for field, value in fields.items():
        if value == "check":
            form.locator(f"input[name={field}]").check()
        elif field == "measure":
            form.locator("select[name=measure]").select_option(value)
        else:
            form.locator(f"#{field}").fill(value)
    form.get_by_role("button", name="Vastleggen").click()
    assert 'id="fout"' not in decider.content(), kind


async def test_a_report_is_carried_to_closure_through_the_pages(
    served: str, chromium_path: str, app_engine: AsyncEngine, settings: Settings, make_tenant: MakeTenant
) -> None:
    w = await crew(app_engine, settings, make_tenant)
    c, slug = w.c, w.slug

    def journey() -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium_path, args=BROWSER_ARGS)
            case_url, receipt = report_route_and_declare(browser, served, c, found)
            case_id = case_url.rstrip("/").rsplit("/", 1)[1].split("?")[0]

            decider = page_as(browser, served, c.decider)
            decider.goto(case_url)
            record_step(decider, "Eerste gesprek", "first_conversation", **{"fc-notes": "Gehoord."})
            record_step(decider, "Melder vooraf inlichten", "reporter_told")
            record_step(
                decider,
                "Beschuldigde schriftelijk informeren (uiterlijk binnen een maand)",
                "accused_informed",
                in_writing="check",
                **{"ai-summary": "Brief verstuurd."},
            )
            record_step(
                decider, "Tijdelijke maatregel", "interim_measure", measure="none", **{"im-reason": "Andere locaties."}
            )
            weigh_in_browser(decider, "informal_conversation")
            found["case, phase 1 recorded"] = violations(decider)

            point = page_as(browser, served, c.point)
            point.goto(f"{served}/app/t/{slug}/meldingen/{case_id}")
            point.get_by_label("Antwoord aan de melder", exact=False).fill("Dank u, wij nemen contact op.")
            point.get_by_role("button", name="Versturen").click()

            follow_ups = f"{served}/app/t/{slug}/zaken/{case_id}/opvolging"
            decider.goto(follow_ups)
            decider.get_by_label("Soort opvolging").select_option("informal_conversation")
            decider.get_by_role("button", name="Starten").click()
            decider.get_by_label("Rol", exact=True).select_option("line_manager")
            decider.get_by_label("Wie", exact=True).select_option(
                f"{w.line_manager.account_tenant_id}:{w.line_manager.account_id}"
            )
            decider.get_by_label("Aangewezen tot en met").fill(LATER)
            decider.get_by_role("button", name="Aanwijzen").click()
            found["follow-up started and seated"] = violations(decider)

            manager = page_as(browser, served, w.line_manager)
            manager.goto(f"{served}/app/t/{slug}")
            manager.get_by_role("link", name="Mijn opdrachten").click()
            manager.get_by_role("link", name="Informeel gesprek").click()
            manager.get_by_label("Nee, ik ben niet betrokken").check()
            manager.get_by_label("Uw verklaring").fill("Ik ken de melder niet en heb geen belang bij de uitkomst.")
            manager.get_by_role("button", name="Verklaring afleggen").click()
            assignment = manager.url

            decider.goto(follow_ups)
            decider.get_by_label("Met de melder afgestemd op").fill(TODAY.isoformat())
            decider.get_by_label("Wat gedeeld mag worden", exact=False).fill(AGREED)
            decider.get_by_role("button", name="Voorbereiding vastleggen").click()

            manager.goto(assignment)
            assert AGREED in manager.content()
            record_informal_conversation(manager)
            found["assignment, completed"] = violations(manager)

            decider.goto(f"{case_url}/afronding")
            found["outcome, follow-up done"] = violations(decider)
            decider.get_by_label("Uitkomst", exact=True).select_option("well_founded")
            decider.get_by_label("Redenen van het besluit").fill("Het gedrag is erkend in het gesprek.")
            decider.get_by_role("button", name="Besluit vastleggen").click()
            assert 'id="fout"' not in decider.content(), decider.content()
            decider.get_by_role("button", name="Melder de uitkomst laten weten").click()
            evaluate_in_browser(decider)
            decider.get_by_role("button", name="Zaak sluiten").click()
            assert "Gesloten op" in decider.content(), decider.content()
            found["outcome, closed"] = violations(decider)
            decider.goto(case_url)
            found["case, closed"] = violations(decider)

            reporter = browser.new_context(bypass_csp=True).new_page()  # axe is injected by the test
            reporter.goto(f"{served}/m/{slug}/inbox")
            reporter.get_by_label("Uw code van 16 cijfers").fill(receipt)
            reporter.get_by_role("button", name="Openen").click()
            inbox = reporter.content()
            assert "afgesloten" in inbox and "gegrond" in inbox
            found["inbox, closed"] = violations(reporter)
            browser.close()
        return found

    found = await asyncio.to_thread(journey)
    assert all(not v for v in found.values()), found

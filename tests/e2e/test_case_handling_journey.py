"""A report through phase 1 in a real browser: the reporting point routes it to the decision panel and
seats it (with a pooled process guardian from the branch), the members declare, the process guardian
sees the timeline without content, and the decision maker records a choice. Every page passes axe."""

from __future__ import annotations

import asyncio

from playwright.sync_api import Browser, Page, sync_playwright
from sqlalchemy.ext.asyncio import AsyncEngine

from meldpunt.identity.sessions import SESSION_COOKIE
from meldpunt.settings import Settings
from tests.conftest import MakeTenant
from tests.e2e.conftest import BROWSER_ARGS
from tests.e2e.test_accessibility import violations
from tests.integration.cases.test_case_handling import LADDER_OPTIONS, Cast, Person, cast

NARRATIVE = "Mijn leidinggevende maakt opmerkingen over mijn lichaam. marker-e2e-91d"


def page_as(browser: Browser, served: str, who: Person) -> Page:
    context = browser.new_context(bypass_csp=True)  # axe is injected by the test, which the CSP rightly refuses
    context.add_cookies([{"name": SESSION_COOKIE, "value": who.token, "url": served}])
    return context.new_page()


def report_route_and_declare(browser: Browser, served: str, c: Cast, found: dict[str, list[str]]) -> tuple[str, str]:
    """A reporter reports on the public page, the reporting point routes the report to the decision panel and
    seats it, and its members declare; axe on each page. Returns the case page's address and the receipt."""
    slug = c.member.slug
    reporter = browser.new_context(java_script_enabled=False).new_page()
    reporter.goto(f"{served}/m/{slug}/melden")
    reporter.get_by_label("Seksueel grensoverschrijdend gedrag").check()
    reporter.get_by_label("Medewerker", exact=True).check()
    reporter.get_by_label("Ja, het is mij overkomen").check()
    reporter.get_by_label("Een leidinggevende").check()
    reporter.get_by_label("Wat is er gebeurd?").fill(NARRATIVE)
    reporter.get_by_role("button", name="Versturen").click()
    assert reporter.get_by_test_id("receipt").is_visible()
    receipt = reporter.get_by_test_id("receipt").inner_text()

    point = page_as(browser, served, c.point)
    point.goto(f"{served}/app/t/{slug}/zaken")
    point.locator("table a").first.click()
    case_url = point.url
    point.get_by_label("Het is een").select_option("report")
    point.get_by_label("Route").select_option("decision_panel")
    point.get_by_label("Reden", exact=True).fill("Herhaald gedrag van een leidinggevende; de melder wil dat het stopt.")
    point.get_by_label("Beslissing hoger leggen").select_option("higher_manager")
    point.get_by_label("Nee", exact=True).check()  # the IGJ question: a care organisation (issue 13)
    point.get_by_role("button", name="Doorzetten").click()
    point.get_by_label("Beslisser").select_option(f"{c.decider.account_tenant_id}:{c.decider.account_id}")
    point.get_by_role("button", name="Beslisser toevoegen").click()
    point.get_by_label("Deskundige").select_option(f"{c.expert.account_tenant_id}:{c.expert.account_id}")
    point.get_by_role("button", name="Deskundige toevoegen").click()
    point.get_by_role("button", name="Procesbewaker uit de pool van de branche").click()
    assert "(pool van de branche)" in point.content()
    found["case, reporting point"] = violations(point)

    for who in (c.decider, c.expert, c.pooled):
        member = page_as(browser, served, who)
        member.goto(case_url)
        assert "marker-e2e-91d" not in member.content()
        found.setdefault("case, before the declaration", violations(member))
        member.get_by_label("Nee, ik ben niet betrokken").check()
        member.get_by_label("Uw verklaring").fill("Ik ken de betrokkenen niet.")
        member.get_by_role("button", name="Verklaring afleggen").click()
        member.context.close()
    return case_url, receipt


def weigh_in_browser(decider: Page, chosen: str) -> None:
    """The decision maker records the weighing framework's choice of ``chosen`` on the case page."""
    decider.get_by_text("Wegingskader: de keuze").click()
    decider.get_by_label("A. Duiding").fill("Ernstig: herhaald, met een machtsverschil.")
    decider.get_by_label("Feiten vaststellen").check()
    for option, label in LADDER_OPTIONS.items():
        if option == chosen:
            decider.locator(f"input[name=choice_{option}][value=chosen]").check()
        else:
            decider.get_by_label(f"Reden om {label.lower()} niet te kiezen").fill("Past niet bij de ernst.")
    decider.get_by_label("Wat de melder wil en heeft ingebracht").fill("Dat het stopt en wordt uitgezocht.")
    decider.get_by_role("button", name="Keuze vastleggen").click()
    assert "Keuze gemaakt" in decider.content()


async def test_a_report_goes_through_routing_declarations_and_the_choice(
    served: str, chromium_path: str, app_engine: AsyncEngine, settings: Settings, make_tenant: MakeTenant
) -> None:
    c = await cast(app_engine, settings, make_tenant)

    def journey() -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium_path, args=BROWSER_ARGS)
            case_url, _ = report_route_and_declare(browser, served, c, found)

            guardian = page_as(browser, served, c.pooled)
            guardian.goto(case_url)
            timeline = guardian.content()
            assert "marker-e2e-91d" not in timeline and "Herhaald gedrag" not in timeline
            assert "U bent procesbewaker" in timeline and "niet betrokken" in timeline
            found["case, process guardian"] = violations(guardian)
            guardian.goto(f"{served}/app/procesbewaker")
            assert c.member.slug in guardian.content() or "Organisatie" in guardian.content()
            found["guardian overview"] = violations(guardian)

            decider = page_as(browser, served, c.decider)
            decider.goto(case_url)
            assert "marker-e2e-91d" in decider.content()
            weigh_in_browser(decider, "fact_investigation")
            found["case, decision maker"] = violations(decider)
            browser.close()
        return found

    found = await asyncio.to_thread(journey)
    assert all(not v for v in found.values()), found

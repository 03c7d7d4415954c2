"""Issue 15's complaint in one real browser walk, from the public complaint form to the employer's decision: the
complainant files a named complaint, the reporting point routes it to the branch's complaints committee, the
secretary registers it and seats the chair, a member and the process guardian, who each declare their
independence; the chair finds it admissible; the secretary adds and invites the accused, adds the written
defence, records both hearings and each side's reaction; the chair gives the advice; the secretary seats the
member's competent authority, who declares and decides; the secretary tells both parties. The accused reads the
defence, their own hearing record, the advice and the decision in the party portal (never the complainant's
hearing record); the complainant hears it in the receipt inbox; the process guardian sees the process without the
dossier. The committee's steps are walked through its own pages; every page passes axe."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

from playwright.sync_api import Browser, Locator, Page, sync_playwright
from sqlalchemy.ext.asyncio import AsyncEngine

from meldpunt.settings import Settings
from tests.conftest import MakeTenant
from tests.e2e.conftest import BROWSER_ARGS
from tests.e2e.test_accessibility import violations
from tests.e2e.test_case_handling_journey import page_as
from tests.integration.cases.test_case_handling import STATEMENT, Person
from tests.integration.complaints.conftest import Committee, committee

NARRATIVE = "Een collega stuurt mij steeds seksueel getinte berichten. marker-e2e-k15"
DEFENCE = "Verweer: ik heb de berichten als grap bedoeld. marker-e2e-def"
HEARD = {"complainant": "Verslag: de klager vertelt over de berichten.", "accused": "Verslag: de beschuldigde erkent."}
ADVICE = "Advies: de klacht is gegrond; de berichten zijn grensoverschrijdend. marker-e2e-adv"
DECISION_MEASURES = "Een officiële waarschuwing en een training."
DELIBERATION = "Intern: de commissie twijfelt aan de getuige. marker-e2e-int"
ACCUSED = "Daan Kramer"
Found = dict[str, list[str]]


def checked(page: Page) -> list[str]:
    """axe's violations, and any id given twice: several forms on one page must not share a label's target
    (axe only asks for a review of that)."""
    twice = page.evaluate(
        "() => { const seen = {}; document.querySelectorAll('[id]').forEach(e => seen[e.id] = (seen[e.id] || 0) + 1);"
        " return Object.keys(seen).filter(id => seen[id] > 1); }"
    )
    return violations(page) + [f"duplicate id: {id_}" for id_ in twice]


def account(who: Person) -> str:
    return f"{who.account_tenant_id}:{who.account_id}"


def move(page: Page, name: str) -> Locator:
    """The complaint page's form of one move (several forms share field names, so each is found in its own)."""
    return page.locator(f"form[action*='/{name}']").first


def done(page: Page, what: str) -> None:
    assert 'id="fout"' not in page.content(), (what, page.locator("#fout").inner_text())


def file_complaint(browser: Browser, served: str, slug: str, found: Found) -> str:
    """The complainant files a named complaint on the public form; returns the receipt code."""
    complainant = browser.new_context(bypass_csp=True).new_page()  # axe is injected, which the CSP rightly refuses
    complainant.goto(f"{served}/m/{slug}/melden?soort=klacht")
    assert complainant.get_by_test_id("informal-options").is_visible()  # shown, never blocking
    found["public complaint form"] = checked(complainant)
    for name, value in (
        ("kind", "complaint"),
        ("anonymity", "confidential"),
        ("category", "sexual_harassment"),
        ("reporter_role", "employee"),
        ("reporter_is_affected", "true"),
        ("accused_role", "colleague"),
    ):
        complainant.locator(f"input[name={name}][value={value}]").check()
    complainant.get_by_label("Wat is er gebeurd?").fill(NARRATIVE)
    complainant.get_by_label("Uw naam").fill("Sanne de Vries")
    complainant.get_by_label("Hoe bereiken we u?").fill("sanne@example.org")
    complainant.get_by_role("button", name="Versturen").click()
    found["public complaint receipt"] = checked(complainant)
    receipt = complainant.get_by_test_id("receipt").inner_text()
    complainant.context.close()
    return receipt


def route_to_committee(browser: Browser, served: str, c: Committee, found: Found) -> None:
    point = page_as(browser, served, c.point)
    point.goto(f"{served}/app/t/{c.slug}/zaken")
    point.locator("table a").first.click()
    point.get_by_label("Het is een").select_option("complaint")
    point.get_by_label("Route").select_option("complaints_committee")
    point.get_by_label("Reden", exact=True).fill("Een klacht van wie het overkwam, op naam: naar de commissie.")
    point.get_by_label("Nee", exact=True).check()  # the IGJ question: a care organisation
    point.get_by_role("button", name="Doorzetten").click()
    done(point, "routing")
    found["case, routed to the committee"] = checked(point)
    point.context.close()


def register(browser: Browser, served: str, c: Committee, found: Found) -> tuple[Page, str]:
    """The secretary registers the routed complaint from the list, declares and opens it; returns the page."""
    secretary = page_as(browser, served, c.secretary)
    secretary.goto(f"{served}/app/t/{c.slug}/klachten")
    assert "marker-e2e-k15" not in secretary.content()
    found["complaints, waiting for registration"] = checked(secretary)
    secretary.get_by_label("De klager heeft ze overwogen").check()
    secretary.get_by_role("button", name="Klacht inschrijven").click()
    done(secretary, "registration")
    secretary.get_by_role("link", name="Bekijk de klacht").click()
    complaint_url = secretary.url.split("?")[0]
    found["complaint, the secretary declares"] = checked(secretary)
    declare(secretary)
    return secretary, complaint_url


def declare(page: Page) -> None:
    page.get_by_label("Uw verklaring").fill(STATEMENT)
    page.get_by_role("button", name="Verklaring afleggen").click()
    done(page, "declaration")


def seat(secretary: Page, who: Person, role: str, employer: str = "branch") -> None:
    form = move(secretary, "plaats")
    form.locator("select[name=account]").select_option(account(who))
    form.locator("select[name=role]").select_option(role)
    form.locator("select[name=employer]").select_option(employer)
    form.get_by_role("button", name="Plaats geven").click()
    done(secretary, f"seat {role}")


def seated_declares(browser: Browser, served: str, who: Person, url: str, found: Found, label: str) -> Page:
    page = page_as(browser, served, who)
    page.goto(url)
    assert "Dossier" not in page.content()  # nothing of the dossier before the declaration
    found[f"complaint, {label} before declaring"] = checked(page)
    declare(page)
    return page


def record(page: Page, kind: str, text: str, party: str | None = None) -> None:
    form = move(page, "stuk")
    form.locator("select[name=kind]").select_option(kind)
    if party:
        form.locator("select[name=party]").select_option(party)
    form.locator("textarea[name=text]").fill(text)
    form.get_by_role("button", name="Aan het dossier toevoegen").click()
    done(page, f"record {kind}")


def hear(secretary: Page, party: str) -> None:
    form = move(secretary, "horen")
    form.locator("select[name=party]").select_option(party)
    form.locator("select[name=mode]").select_option("separately")
    form.locator("select[name=attendance]").select_option("attended")
    if party == "accused":
        form.locator("input[name=brought_someone]").check()  # a party may bring someone
    form.locator("textarea[name=record]").fill(HEARD[party])
    form.get_by_role("button", name="Horen vastleggen").click()
    done(secretary, f"hearing {party}")


def invite_accused(secretary: Page, served: str) -> tuple[str, str]:
    """The secretary adds the accused as a party and invites them: the link and code, shown once."""
    form = move(secretary, "partij")
    form.locator("select[name=role]").select_option("accused")
    form.locator("input[name=name]").fill(ACCUSED)
    form.get_by_role("button", name="Partij toevoegen").click()
    done(secretary, "party")
    secretary.get_by_role("button", name="Uitnodigen (link en code)").click()
    notice = secretary.locator("div.notice")
    link = notice.locator("code").inner_text()
    return served + "/p/" + link.split("/p/", 1)[1], notice.locator("strong").inner_text()


def advise(chair: Page) -> None:
    form = move(chair, "advies")
    form.locator("select[name=outcome]").select_option("well_founded")
    form.locator("textarea[name=text]").fill(ADVICE)
    form.locator("textarea[name=measures]").fill(DECISION_MEASURES)
    form.get_by_role("button", name="Advies uitbrengen").click()
    done(chair, "advice")


def decide(decider: Page) -> None:
    form = move(decider, "besluit")
    form.locator("select[name=outcome]").select_option("well_founded")
    assert form.locator("input[name=follows_advice]").is_checked()
    form.locator("textarea[name=measures]").fill(DECISION_MEASURES)
    form.locator("input[name=measures_due_on]").fill((date.today() + timedelta(days=30)).isoformat())
    form.get_by_role("button", name="Besluit vastleggen").click()
    done(decider, "decision")


def accused_reads(browser: Browser, link: str, code: str, found: Found) -> None:
    accused = browser.new_context(bypass_csp=True).new_page()
    accused.goto(link)
    accused.get_by_label("Uw code").fill(code)
    accused.get_by_role("button", name="Openen").click()
    found["portal, the accused after the decision"] = checked(accused)
    for title in ("Verweerschrift", "Advies van de klachtencommissie", "Besluit"):
        assert accused.get_by_role("button", name=title, exact=True).count() == 1, title
    assert accused.get_by_role("button", name="Verslag van de hoorzitting").count() == 1  # their own only
    with accused.expect_download() as download:
        accused.get_by_role("button", name="Besluit", exact=True).click()
    assert DECISION_MEASURES in download.value.path().read_text()
    with accused.expect_download() as download:
        accused.get_by_role("button", name="Verslag van de hoorzitting").click()
    assert download.value.path().read_text() == HEARD["accused"]
    accused.context.close()


def complainant_hears(browser: Browser, served: str, slug: str, receipt: str, found: Found) -> None:
    complainant = browser.new_context(bypass_csp=True).new_page()
    complainant.goto(f"{served}/m/{slug}/inbox")
    complainant.get_by_label("Uw code van 16 cijfers").fill(receipt)
    complainant.get_by_role("button", name="Openen").click()
    inbox = complainant.content()
    assert "ingeschreven" in inbox and "de werkgever heeft een besluit genomen" in inbox
    assert "marker-e2e-adv" not in inbox  # procedure words only
    found["inbox, the complainant told"] = checked(complainant)
    complainant.context.close()


def committee_hears_and_advises(
    browser: Browser, served: str, c: Committee, secretary: Page, url: str, found: Found
) -> tuple[str, str]:
    """From the seats to the advice: everyone declares, admissibility, the accused invited, the defence, both
    hearings and reactions, an internal note, the advice. Returns the chair's page and the accused's invitation."""
    for who, role in (
        (c.chair, "committee_chair"),
        (c.members[0], "committee_member"),
        (c.guardian, "process_guardian"),
    ):
        seat(secretary, who, role)
    chair = seated_declares(browser, served, c.chair, url, found, "the chair")
    member = seated_declares(browser, served, c.members[0], url, found, "a member")
    guardian = seated_declares(browser, served, c.guardian, url, found, "the process guardian")
    guardian.context.close()
    found["complaint, the chair declared"] = checked(chair)
    move(chair, "ontvankelijkheid").locator("input[name=admissible][value=yes]").check()
    move(chair, "ontvankelijkheid").get_by_role("button", name="Ontvankelijkheid vastleggen").click()
    done(chair, "admissibility")
    found["complaint, admissible (chair)"] = checked(chair)

    secretary.goto(url)
    invitation = invite_accused(secretary, served)
    found["complaint, the accused invited"] = checked(secretary)
    secretary.goto(url)  # the link is shown once
    assert "/p/" not in secretary.content()
    record(secretary, "defence", DEFENCE)
    for party in ("complainant", "accused"):
        hear(secretary, party)
    found["complaint, heard"] = checked(secretary)
    for party in ("complainant", "accused"):
        record(secretary, "reaction", f"Reactie van de {party} op het verslag.", party)

    member.goto(url)
    assert "marker-e2e-def" in member.content()  # a declared member reads the dossier
    record(member, "deliberation", DELIBERATION)
    member.context.close()
    chair.goto(url)
    found["complaint, heard (chair)"] = checked(chair)
    advise(chair)
    found["complaint, advised (chair)"] = checked(chair)
    chair.context.close()
    return invitation


async def test_a_named_complaint_goes_from_the_public_form_to_the_employers_decision_in_the_browser(
    served: str,
    chromium_path: str,
    app_engine: AsyncEngine,
    settings: Settings,
    make_tenant: MakeTenant,
    owner_engine: AsyncEngine,
) -> None:
    c = await committee(app_engine, settings, make_tenant, owner_engine)

    def journey() -> Found:
        found: Found = {}
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium_path, args=BROWSER_ARGS)
            receipt = file_complaint(browser, served, c.slug, found)
            route_to_committee(browser, served, c, found)
            secretary, url = register(browser, served, c, found)
            link, code = committee_hears_and_advises(browser, served, c, secretary, url, found)

            secretary.goto(url)
            seat(secretary, c.decider, "decision_maker", "this_member")
            decider = seated_declares(browser, served, c.decider, url, found, "the competent authority")
            page = decider.content()
            assert "marker-e2e-adv" in page and "marker-e2e-int" not in page  # the advice, never the deliberation
            found["complaint, the competent authority with the advice"] = checked(decider)
            decide(decider)
            found["complaint, decided"] = checked(decider)

            secretary.goto(url)
            secretary.get_by_role("button", name="Partijen schriftelijk informeren").click()
            done(secretary, "notification")
            assert "partijen geïnformeerd" in secretary.locator("main > p").nth(1).inner_text()
            found["complaint, both parties told"] = checked(secretary)

            guardian = page_as(browser, served, c.guardian)
            guardian.goto(url)
            assert "marker-e2e-adv" not in guardian.content() and "marker-e2e-def" not in guardian.content()
            found["complaint, the process guardian"] = checked(guardian)

            accused_reads(browser, link, code, found)
            complainant_hears(browser, served, c.slug, receipt, found)
            browser.close()
        return found

    found = await asyncio.to_thread(journey)
    assert len(found) == 21 and all(not v for v in found.values()), {k: v for k, v in found.items() if v}

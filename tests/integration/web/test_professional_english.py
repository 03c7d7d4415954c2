"""The professional pages in English on request (``?lang=en``, DESIGN §2): the reporting point's submissions,
the cases and the case page for each seat, the process guardian's overview, the adviser's vault and the
organisation's signals. English words, no Dutch ones, and every link and form keeps the language."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from meldpunt.identity.roles import Role
from meldpunt.settings import Settings
from tests.conftest import MakeTenant
from tests.integration.cases.test_case_handling import (
    ROUTE,
    STATEMENT,
    as_,
    case_ids,
    cast,
    new_case,
    routed_panel_case,
)
from tests.integration.intake.test_reporting_point import as_professional, reporting_point
from tests.integration.intake.test_submissions import submit

HTML = {"accept": "text/html"}


def assert_english(page: Any, english: tuple[str, ...], dutch: tuple[str, ...]) -> None:
    """The page is English: its language, the given words, none of the Dutch ones, and no link or form that
    falls back to Dutch."""
    assert page.status_code == 200, page.text
    assert '<html lang="en">' in page.text
    for word in english:
        assert word in page.text, word
    for word in dutch:
        assert word not in page.text, word
    actions = re.findall(r'<form method="post" action="([^"]+)"', page.text)
    assert all(action.endswith("lang=en") for action in actions if action != "/auth/logout"), actions
    links = re.findall(r'<a href="(/app/[^"]+)"', page.text)
    assert links and all(link.endswith("lang=en") for link in links if "/bijlagen/" not in link), links


def form_action(page: Any, ending: str) -> str:
    found = re.search(rf'<form method="post" action="([^"]*{re.escape(ending)}\?lang=en)"', page.text)
    assert found, ending
    return found.group(1)


async def test_the_reporting_point_reads_and_answers_submissions_in_english(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    tenant = await make_tenant()
    assert (await submit(client, tenant.slug)).status_code == 201
    await as_professional(client, await reporting_point(app_engine, settings, tenant, tenant))
    shell = await client.get(f"/app/t/{tenant.slug}?lang=en", headers=HTML)
    assert f'href="/app/t/{tenant.slug}/meldingen?lang=en">Reports<' in shell.text
    assert "Meldingen" not in shell.text
    listing = await client.get(f"/app/t/{tenant.slug}/meldingen?lang=en", headers=HTML)
    assert_english(
        listing,
        ("Reports", "Received", "Sexual harassment or transgressive behaviour", "Anonymous with a code"),
        ("Binnengekomen", "Onderwerp", "Seksueel grensoverschrijdend gedrag", "Ontvangst bevestigen"),
    )
    link = re.search(rf'href="(/app/t/{tenant.slug}/meldingen/[0-9a-f-]+\?lang=en)"', listing.text)
    assert link
    detail = await client.get(link.group(1), headers=HTML)
    assert_english(
        detail,
        ("What the reporter wrote", "Answer to the reporter", "Handle: routing and the decision panel"),
        ("Wat de melder schreef", "Bijlagen", "Berichten", "Versturen"),
    )
    sent = await client.post(
        form_action(detail, "/bericht"), data={"text": "We will be in touch."}, headers=HTML, follow_redirects=False
    )
    assert sent.status_code == 303 and sent.headers["location"].endswith("?lang=en")
    again = await client.get(sent.headers["location"], headers=HTML)
    assert "We will be in touch." in again.text and "Reporting point, " in again.text


async def test_the_cases_the_case_page_per_seat_and_the_guardian_overview_are_in_english(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    c = await cast(app_engine, settings, make_tenant)
    await new_case(client, c.member.slug)
    case = (await case_ids(app_engine, c.member))[0]
    await as_(client, c.point)
    slug = c.member.slug
    cases = await client.get(f"/app/t/{slug}/zaken?lang=en", headers=HTML)
    assert_english(cases, ("Cases", "Received", "not routed yet", "Report"), ("Zaken", "Binnengekomen", "Soort"))
    page = await client.get(f"/app/t/{slug}/zaken/{case}?lang=en", headers=HTML)
    assert_english(
        page,
        ("Routing", "It is a", "Legal duties", "Not needed", "Choose…", "Deadlines", "Decision panel", "No one yet."),
        ("Doorzetten", "Kies…", "Termijnen", "Beslistafel", "Stappen", "Nog niemand"),
    )
    incomplete = await client.post(form_action(page, "/doorzetten"), data={"route": "police"}, headers=HTML)
    assert incomplete.status_code == 400 and "Something is missing or not right." in incomplete.text
    assert '<html lang="en">' in incomplete.text and "Er ontbreekt iets" not in incomplete.text
    routed = await client.post(
        form_action(page, "/doorzetten"),
        data={**ROUTE, "route": "decision_panel", "escalation": "higher_manager"},
        headers=HTML,
        follow_redirects=False,
    )
    assert routed.status_code == 303 and routed.headers["location"] == f"/app/t/{slug}/zaken/{case}?lang=en"
    composing = await client.get(routed.headers["location"], headers=HTML)
    assert_english(
        composing,
        ("Compose the decision panel", "Add decision maker", "Process guardian from the branch pool", "Exclude"),
        ("Beslistafel samenstellen", "toevoegen", "Uitsluiten"),
    )

    panel_case = await routed_panel_case(client, c, app_engine)
    base = f"/api/v1/t/{slug}/cases/{panel_case}"
    assert (await client.post(f"{base}/panel", json=c.decider.seat("decision_maker"))).status_code == 201
    assert (await client.post(f"{base}/panel/pooled-guardian")).status_code == 201
    await as_(client, c.decider)
    undeclared = await client.get(f"/app/t/{slug}/zaken/{panel_case}?lang=en", headers=HTML)
    assert_english(
        undeclared,
        ("Your declaration first", "Are you involved in this case?", "No, I am not involved"),
        ("Eerst uw verklaring", "Verklaring afleggen", "marker-7b2f0a"),
    )
    declared = await client.post(
        form_action(undeclared, "/verklaring"),
        data={"involved": "no", "statement": STATEMENT},
        headers=HTML,
        follow_redirects=False,
    )
    assert declared.status_code == 303 and declared.headers["location"].endswith("?lang=en")
    content = await client.get(declared.headers["location"], headers=HTML)
    assert_english(
        content,
        (
            "marker-7b2f0a",
            "Phase 1: record the steps",
            "Weighing framework: the choice",
            "Reason not to choose informal conversation",
            "Nothing is being communicated at this moment.",
            "The reporter",
        ),
        ("Fase 1", "Wegingskader", "Vastleggen", "Kiezen", "De melder", "Er wordt op dit moment niets"),
    )

    await as_(client, c.pooled)
    overview = await client.get("/app/procesbewaker?lang=en", headers=HTML)
    assert_english(
        overview,
        ("Cases you follow as process guardian", "Next deadline", "Missed deadlines"),
        ("Zaken die u als procesbewaker volgt", "Volgende termijn", "Open zorgen"),
    )
    guarded = await client.get(f"/app/t/{slug}/zaken/{panel_case}?lang=en", headers=HTML)
    assert guarded.status_code == 200 and '<html lang="en">' in guarded.text
    assert "Decision maker" in guarded.text and "Beslisser" not in guarded.text


async def test_the_adviser_vault_and_the_signals_are_in_english(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    tenant = await make_tenant()
    await as_professional(client, await reporting_point(app_engine, settings, tenant, tenant, role=Role.ADVISER))
    home = await client.get("/app/vertrouwenspersoon?lang=en", headers=HTML)
    assert_english(
        home,
        ("Your organisations as confidential adviser", "Open consultations"),
        ("Uw organisaties als vertrouwenspersoon", "Lopende gesprekken"),
    )
    vault = await client.get(f"/app/t/{tenant.slug}/vertrouwenspersoon?lang=en", headers=HTML)
    assert_english(
        vault,
        ("Your vault at", "New consultation", "An anonymous signal to the organisation", "Bullying", "Choose…"),
        ("Uw kluis bij", "Nieuw gesprek", "Pesten", "Kies…", "Concept maken"),
    )
    signal = await client.post(
        form_action(vault, "/signaal"),
        data={"signal_category": "bullying", "signal_suggestions": ["team_conversation"]},
        headers=HTML,
    )
    assert signal.status_code == 200 and "The signal has been sent, without names." in signal.text
    missing = await client.post(form_action(vault, "/vertrouwenspersoon"), data={"label": "Intern"}, headers=HTML)
    assert missing.status_code == 400 and "Something is missing or not right." in missing.text
    opened = await client.post(
        form_action(vault, "/vertrouwenspersoon"),
        data={"label": "Intern, March", "category": "bullying"},
        headers=HTML,
        follow_redirects=False,
    )
    assert opened.status_code == 303 and opened.headers["location"].endswith("?lang=en")
    detail = await client.get(opened.headers["location"], headers=HTML)
    assert_english(
        detail,
        ("Back to your vault", "Record the contact", "No consent recorded yet", "Nothing has been shared."),
        ("Terug naar uw kluis", "Contact vastleggen", "Toestemmingen", "Gesprek afsluiten"),
    )
    consent = await client.post(
        form_action(detail, "/toestemming"),
        data={"basis": "consent", "recipient": "reporting_point", "scopes": ["summary"], "given_on": "2025-01-06"},
        headers=HTML,
    )
    assert consent.status_code == 200 and "Consent of the reporter" in consent.text
    shared = await client.post(
        form_action(detail, "/delen"),
        data={"disclose_recipient": "reporting_point", "disclose_scope": "summary", "content": "My summary."},
        headers=HTML,
    )
    assert shared.status_code == 200 and "A summary shared with the reporting point" in shared.text

    await as_professional(client, await reporting_point(app_engine, settings, tenant, tenant, role=Role.TENANT_ADMIN))
    signals = await client.get(f"/app/t/{tenant.slug}/signalen?lang=en", headers=HTML)
    assert_english(
        signals,
        ("Signals from confidential advisers", "A team conversation", "Bullying"),
        ("Signalen van vertrouwenspersonen", "Een teamgesprek", "Maand"),
    )

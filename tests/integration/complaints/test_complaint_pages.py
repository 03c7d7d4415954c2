"""The complaint pages: the secretary registers from the list, the chair declares and judges on the complaint's
page, a refused form keeps what was typed, the decision maker decides there; a seat that declares a link is sent
back to the list and finds nothing; every page refuses another tenant's professional and a complaint one does not
sit at answers as a missing one."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from meldpunt.identity.roles import Role
from meldpunt.settings import Settings
from tests.conftest import MakeTenant
from tests.integration.cases.test_case_handling import STATEMENT, Person, as_, person
from tests.integration.complaints.conftest import NOT_LINKED, TODAY, committee, post, registered, routed_complaint
from tests.integration.complaints.test_complaint_track import _heard, rows

HTML = {"accept": "text/html"}


async def form(client: Any, path: str, **fields: Any) -> Any:
    return await client.post(path, data=fields, headers=HTML, follow_redirects=False)


def account(who: Person) -> str:
    return f"{who.account_tenant_id}:{who.account_id}"


async def test_a_complaint_is_registered_judged_and_decided_through_the_pages(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings, owner_engine: AsyncEngine
) -> None:
    c = await committee(app_engine, settings, make_tenant, owner_engine)
    case = await routed_complaint(client, c, app_engine)
    listed = f"/app/t/{c.slug}/klachten"
    await as_(client, c.secretary)
    shell = await client.get(f"/app/t/{c.slug}", headers=HTML)
    assert listed in shell.text
    waiting = await client.get(listed, headers=HTML)
    assert waiting.status_code == 200 and "Wacht op inschrijving" in waiting.text and case in waiting.text
    skipped = await form(client, listed, case_id=case, informal="skipped", employer="branch", events_on=TODAY)
    assert skipped.status_code == 409 and "waarom de informele weg" in skipped.text
    assert f'value="{TODAY}"' in skipped.text  # what was typed is kept
    done = await form(client, listed, case_id=case, informal="considered", employer="branch")
    assert done.status_code == 303
    complaint = (await client.get(f"/api/v1/t/{c.slug}/complaints/")).json()[0]["id"]
    page = f"{listed}/{complaint}"
    assert (await form(client, f"{page}/verklaring", statement=STATEMENT)).status_code == 303
    for who, role in ((c.chair, "committee_chair"), (c.members[0], "committee_member")):
        seated = await form(client, f"{page}/plaats", account=account(who), role=role, employer="branch")
        assert seated.status_code == 303, seated.text

    await as_(client, c.chair)
    first = await client.get(page, headers=HTML)
    assert first.status_code == 200 and "/verklaring" in first.text and "Dossier" not in first.text
    assert (await form(client, f"{page}/verklaring", statement=STATEMENT)).status_code == 303
    await post(client, c.members[0], f"/api/v1/t/{c.slug}/complaints/{complaint}/declaration", NOT_LINKED)
    await as_(client, c.chair)
    no_reason = await form(client, f"{page}/ontvankelijkheid", admissible="no")
    assert no_reason.status_code == 409 and "Kies de reden" in no_reason.text
    assert (await form(client, f"{page}/ontvankelijkheid", admissible="yes")).status_code == 303
    assert (await form(client, f"{page}/onbekend", admissible="yes")).status_code == 404
    defence = "Ik herken mij hier niet in."
    assert (await form(client, f"{page}/stuk", kind="defence", text=defence)).status_code == 303
    shown = await client.get(page, headers=HTML)
    assert defence in shown.text and "Horen vastleggen" in shown.text


async def test_a_declared_link_on_the_page_leads_back_to_the_list_and_the_complaint_is_gone(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings, owner_engine: AsyncEngine
) -> None:
    c = await committee(app_engine, settings, make_tenant, owner_engine)
    _, url = await registered(client, c, app_engine)
    complaint = url.rsplit("/", 1)[1]
    await post(client, c.secretary, f"{url}/seats", {**c.members[1].seat("committee_member"), "employer": "branch"})
    page = f"/app/t/{c.slug}/klachten/{complaint}"
    await as_(client, c.members[1])
    linked = await form(client, f"{page}/verklaring", interest="on", statement=STATEMENT)
    assert linked.status_code == 303 and linked.headers["location"].endswith(f"/app/t/{c.slug}/klachten")
    assert (await client.get(page, headers=HTML)).status_code == 404
    assert complaint not in (await client.get(f"/app/t/{c.slug}/klachten", headers=HTML)).text


async def test_every_complaint_page_refuses_another_tenant_and_a_complaint_one_does_not_sit_at(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings, owner_engine: AsyncEngine
) -> None:
    c = await committee(app_engine, settings, make_tenant, owner_engine)
    _, url = await registered(client, c, app_engine)
    page = f"/app/t/{c.slug}/klachten/{url.rsplit('/', 1)[1]}"
    elsewhere = await make_tenant()
    stranger = await person(
        app_engine, settings, elsewhere, {elsewhere: (Role.COMMITTEE_CHAIR, Role.DECISION_MAKER, Role.REPORTING_POINT)}
    )
    moves = ("verklaring", "besluit", "ontvankelijkheid", "stuk", "advies", "sluiten", "partij")
    await as_(client, stranger)
    assert (await client.get(page, headers=HTML)).status_code == 403
    for move in moves:
        assert (await form(client, f"{page}/{move}", statement=STATEMENT)).status_code == 403, move
    own = page.replace(f"/t/{c.slug}/", f"/t/{elsewhere.slug}/")
    assert (await client.get(own, headers=HTML)).status_code == 404
    await as_(client, c.members[1])  # holds the role here, sits at nothing
    missing = f"/app/t/{c.slug}/klachten/{uuid.uuid4()}"
    for target in (page, missing):
        assert (await client.get(target, headers=HTML)).status_code == 404
        for move in moves:
            response = await form(client, f"{target}/{move}", statement=STATEMENT, admissible="yes", reason="Klaar.")
            assert response.status_code in (403, 404), (target, move, response.status_code)
            assert response.status_code == 403 or "Dossier" not in response.text


async def test_the_page_shows_itself_to_every_seat_in_every_state(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings, owner_engine: AsyncEngine
) -> None:
    c = await committee(app_engine, settings, make_tenant, owner_engine)
    _, url = await registered(client, c, app_engine)
    page = f"/app/t/{c.slug}/klachten/{url.rsplit('/', 1)[1]}"
    await post(client, c.secretary, f"{url}/seats", {**c.decider.seat("decision_maker"), "employer": "this_member"})
    await post(client, c.decider, f"{url}/declaration", NOT_LINKED)

    async def every_seat_sees(state: str) -> None:
        for who in (c.chair, c.secretary, c.members[0], c.decider, c.guardian, c.point):
            await as_(client, who)
            shown = await client.get(page if who != c.point else f"/app/t/{c.slug}/klachten", headers=HTML)
            assert shown.status_code == 200, (state, shown.text[:300])
            if who == c.point:  # the status in the list, never a link to the dossier
                assert page not in shown.text

    await every_seat_sees("registered")
    consent = {"complainant_consented_on": TODAY, "accused_consented_on": TODAY}
    await post(client, c.chair, f"{url}/suspension", consent)
    await every_seat_sees("suspended")
    await post(client, c.chair, f"{url}/resumption", {"settled": False})
    await _heard(client, c, url)
    await every_seat_sees("heard")
    await rows(
        app_engine,
        c,
        "UPDATE deadlines SET due_at = now() - interval '1 hour' WHERE kind = 'complaint_record_reply' RETURNING id",
    )
    await post(client, c.chair, f"{url}/advice", {"outcome": "partly", "text": "Deels gegrond."})
    await every_seat_sees("advised")
    await as_(client, c.decider)
    decider_page = await client.get(page, headers=HTML)
    assert "Besluit vastleggen" in decider_page.text and "Deels gegrond." in decider_page.text
    decided = await form(client, f"{page}/besluit", outcome="partly", follows_advice="on")
    assert decided.status_code == 303, decided.text
    await every_seat_sees("decided")
    await post(client, c.secretary, f"{url}/notification")
    await every_seat_sees("notified")


async def test_the_public_complaint_form_shows_the_informal_options_without_blocking(
    client, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant()
    shown = await client.get(f"/m/{tenant.slug}/melden", params={"soort": "klacht"})
    assert shown.status_code == 200 and 'data-testid="informal-options"' in shown.text
    assert "altijd direct een klacht indienen" in shown.text
    report = await client.get(f"/m/{tenant.slug}/melden")
    assert 'data-testid="informal-options"' not in report.text


async def test_the_secretary_adds_an_external_complainant_on_the_page_and_invites_them_once(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings, owner_engine: AsyncEngine
) -> None:
    c = await committee(app_engine, settings, make_tenant, owner_engine)
    _, url = await registered(client, c, app_engine)
    page = f"/app/t/{c.slug}/klachten/{url.rsplit('/', 1)[1]}"
    await as_(client, c.secretary)
    nameless = await form(client, f"{page}/partij", role="external_complainant", contact="stagiair@example.org")
    assert nameless.status_code == 400 and "stagiair@example.org" in nameless.text  # what was typed is kept
    added = await form(client, f"{page}/partij", role="external_complainant", name="Noa Stagiair", contact="x@y.nl")
    assert added.status_code == 303
    shown = await client.get(page, headers=HTML)
    assert "Noa Stagiair" in shown.text
    party = (await client.get(f"{url}/parties")).json()[0]["id"]
    invited = await form(client, f"{page}/partij/{party}/uitnodiging")
    assert invited.status_code == 200 and "/uitnodiging/" in invited.text
    again = await client.get(page, headers=HTML)
    assert "/p/" not in again.text  # the link is shown once
    await as_(client, c.members[0])  # a member reads the dossier, not who the parties are on the page
    assert "Noa Stagiair" not in (await client.get(page, headers=HTML)).text
    assert (await form(client, f"{page}/partij", role="accused", name="Iemand")).status_code == 403

"""The investigations' pages: the decision maker commissions and seats on the case's investigation page; the
investigator finds the assignment under "Mijn onderzoeksopdrachten", declares, agrees the protocol, schedules an
interview and sends its record to the interviewee; the process guardian sees the process only; a refused form
keeps what was typed; every page refuses another tenant's professional and an investigation of another case."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from meldpunt.identity.roles import Role
from meldpunt.settings import Settings
from tests.conftest import MakeTenant
from tests.integration.cases.test_case_handling import STATEMENT, as_, person
from tests.integration.interventions.test_intervention_pages import HTML, account, post
from tests.integration.interventions.test_interventions_api import in_tenant
from tests.integration.investigations.support import (
    ACCUSED,
    LATER,
    SOON,
    TODAY,
    WITNESS,
    Team,
    answer,
    commission_body,
    commissioned,
    decided,
    interviewed,
    portal_of,
    protocol,
    seat_body,
    seated_and_agreed,
    team,
)
from tests.integration.investigations.test_investigation_routes import with_a_reaction

LICENCE = {"licence_number": "POB 2024", "licence_valid_until": (TODAY + timedelta(days=365)).isoformat()}


def commission_form(**more: Any) -> dict[str, Any]:
    body = commission_body("fact")
    return {
        "kind": "fact",
        "goal": body["goal"],
        "questions": "\n".join(body["questions"]),
        "norms_framework": body["norms_framework"],
        "outcome_1": "Aannemelijk",
        "follows_1": "Een maatregel overwegen.",
        **protocol("fact"),
        **more,
    }


async def send(client: Any, path: str, form: dict[str, Any]) -> Any:
    """A form posted as a browser does (its fields may be named like ``client``)."""
    return await client.post(path, data=form, headers=HTML, follow_redirects=False)


async def _only(app_engine: AsyncEngine, t: Team, case: str) -> str:
    rows = await in_tenant(app_engine, t.c.member, "SELECT id FROM investigations WHERE case_id = :c", c=case)
    return str(rows[-1][0])


async def test_a_fact_finding_is_commissioned_seated_and_its_interview_recorded_through_the_pages(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    t = await team(app_engine, settings, make_tenant)
    case, ids = await decided(client, t, app_engine, ["fact_investigation"], ("accused", ACCUSED))
    page = f"/app/t/{t.slug}/zaken/{case}/onderzoek"
    await as_(client, t.c.decider)
    case_page = await client.get(f"/app/t/{t.slug}/zaken/{case}", headers=HTML)
    assert f"/zaken/{case}/onderzoek" in case_page.text
    unsubjected = await send(client, page, commission_form(goal="Mijn getypte doel marker-typed."))
    assert unsubjected.status_code == 409 and "marker-typed" in unsubjected.text  # what was typed is kept
    assert "over wie" in unsubjected.text
    offered = f'name="subjects" value="{ids[ACCUSED]}"'  # the page offers the case's parties to choose from
    assert offered in unsubjected.text and f"{offered} checked" not in unsubjected.text
    chosen_but_refused = await send(client, page, commission_form(subjects=ids[ACCUSED], adopt_by="2020-01-01"))
    assert chosen_but_refused.status_code in (400, 409) and f"{offered} checked" in chosen_but_refused.text
    assert (await send(client, page, commission_form(subjects=ids[ACCUSED]))).status_code == 303
    iid = await _only(app_engine, t, case)
    shown = await client.get(page, headers=HTML)
    assert shown.status_code == 200 and "Feitenonderzoek" in shown.text and "De gedragscode" in shown.text
    seat = {"account": account(t.investigator), "valid_from": TODAY.isoformat()}
    undated = await post(client, f"{page}/{iid}/onderzoeker", **seat, valid_to="")
    assert undated.status_code == 400
    assert (await post(client, f"{page}/{iid}/onderzoeker", **seat, valid_to=LATER)).status_code == 303

    await as_(client, t.investigator)
    shell = await client.get(f"/app/t/{t.slug}", headers=HTML)
    assert "Mijn onderzoeksopdrachten" in shell.text
    mine = await client.get(f"/app/t/{t.slug}/onderzoeken", headers=HTML)
    assignment = f"/app/t/{t.slug}/onderzoeken/{case}/{iid}"
    assert mine.status_code == 200 and f"/onderzoeken/{case}/{iid}" in mine.text
    first = await client.get(assignment, headers=HTML)
    assert "/verklaring" in first.text and "De gedragscode" not in first.text  # nothing before the declaration
    assert (await post(client, f"{assignment}/verklaring", involved="no", statement=STATEMENT)).status_code == 303
    assert (await post(client, f"{assignment}/akkoord")).status_code == 303
    brief = await client.get(assignment, headers=HTML)
    assert "De gedragscode" in brief.text and ACCUSED in brief.text
    when = (TODAY + timedelta(days=2)).isoformat()
    interview = {"party_id": ids[ACCUSED], "date": when, "time": "10:00", "companion_told_on": TODAY.isoformat()}
    assert (await post(client, f"{assignment}/gesprekken", **interview)).status_code == 303
    [planned] = await in_tenant(app_engine, t.c.member, "SELECT id FROM investigation_interviews")
    record = f"{assignment}/gesprekken/{planned[0]}/verslag"
    late = await post(client, record, held_on=TODAY.isoformat(), record="Verslag marker-kept.", respond_by="2020-01-01")
    assert late.status_code == 409 and "marker-kept" in late.text
    done = await post(client, record, held_on=TODAY.isoformat(), record="Verslag van het gesprek.", respond_by=SOON)
    assert done.status_code == 303
    assert "verslag bij de geïnterviewde" in (await client.get(assignment, headers=HTML)).text

    await as_(client, t.c.pooled)
    guarded = await client.get(page, headers=HTML)
    assert guarded.status_code == 200 and "Feitenonderzoek" in guarded.text
    assert "De gedragscode" not in guarded.text and "Verslag van het gesprek" not in guarded.text
    assert (await send(client, page, commission_form(subjects=ids[ACCUSED]))).status_code == 403


async def test_every_investigation_page_refuses_other_tenants_and_cases(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    t = await team(app_engine, settings, make_tenant)
    case, ids = await decided(client, t, app_engine, ["fact_investigation"], ("accused", ACCUSED))
    base, iid = await commissioned(client, t, case, commission_body("fact", (ids[ACCUSED],)))
    other_case, _ = await decided(client, t, app_engine, ["fact_investigation"], ("accused", "Iemand Anders"))
    await as_(client, t.c.decider)
    assert (await client.post(f"{base}/{iid}/investigator", json=seat_body(t.investigator))).status_code == 201
    routes = [
        ("GET", f"/app/t/{t.slug}/zaken/{case}/onderzoek"),
        ("POST", f"/app/t/{t.slug}/zaken/{case}/onderzoek/{iid}/onderzoeker"),
        ("POST", f"/app/t/{t.slug}/zaken/{case}/onderzoek/{iid}/stoppen"),
        ("GET", f"/app/t/{t.slug}/onderzoeken/{case}/{iid}"),
        ("POST", f"/app/t/{t.slug}/onderzoeken/{case}/{iid}/verklaring"),
        ("POST", f"/app/t/{t.slug}/onderzoeken/{case}/{iid}/akkoord"),
        ("POST", f"/app/t/{t.slug}/onderzoeken/{case}/{iid}/gesprekken"),
        ("POST", f"/app/t/{t.slug}/onderzoeken/{case}/{iid}/gesprekken/{uuid.uuid4()}/verslag"),
        ("POST", f"/app/t/{t.slug}/onderzoeken/{case}/{iid}/teruggeven"),
        ("POST", f"/app/t/{t.slug}/zaken/{case}/onderzoek/{iid}/protocol"),
        ("POST", f"/app/t/{t.slug}/zaken/{case}/onderzoek/{iid}/opdracht"),
        ("POST", f"/app/t/{t.slug}/zaken/{case}/onderzoek/{iid}/vaststellen"),
        ("POST", f"/app/t/{t.slug}/onderzoeken/{case}/{iid}/concept"),
        ("POST", f"/app/t/{t.slug}/onderzoeken/{case}/{iid}/reacties/{uuid.uuid4()}/verlengen"),
        ("POST", f"/app/t/{t.slug}/onderzoeken/{case}/{iid}/reacties/{uuid.uuid4()}/verwerken"),
        ("POST", f"/app/t/{t.slug}/onderzoeken/{case}/{iid}/eindrapport"),
        ("POST", f"/app/t/{t.slug}/zaken/{case}/onderzoek/{iid}/hergebruik"),
        ("GET", f"/app/t/{t.slug}/onderzoeken/{case}/{iid}/verslagen/{uuid.uuid4()}"),
    ]
    other = await make_tenant()
    stranger = await person(
        app_engine, settings, other, {other: (Role.DECISION_MAKER, Role.INVESTIGATOR, Role.PROCESS_GUARDIAN)}
    )
    await as_(client, stranger)
    form = {"reason": "Stop.", "involved": "no", "statement": STATEMENT}
    for method, path in routes:
        response = await client.request(method, path, data=form, headers=HTML)
        assert response.status_code == 403, (method, path, response.status_code)
        own = await client.request(method, path.replace(f"/t/{t.slug}/", f"/t/{other.slug}/"), data=form, headers=HTML)
        assert own.status_code == 404, (method, path, own.status_code)
    for who in (t.c.decider, t.investigator):
        await as_(client, who)
        for method, path in routes[1:]:  # the investigation of one case does not exist in the other
            response = await client.request(method, path.replace(case, other_case), data=form, headers=HTML)
            missing = await client.request(
                method, path.replace(case, other_case).replace(iid, str(uuid.uuid4())), data=form, headers=HTML
            )
            assert response.status_code in (400, 403, 404), (who, method, path, response.status_code)
            assert response.status_code == missing.status_code, (who, method, path)  # as if it did not exist
            assert "Vaststellen wat er" not in response.text
    await as_(client, t.investigator)
    assert (await client.get(f"/app/t/{t.slug}/onderzoeken/{case}/{iid}", headers=HTML)).status_code == 200


async def test_the_reactions_the_final_report_and_the_adoption_through_the_pages(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    t = await team(app_engine, settings, make_tenant)
    base, iid, _, reaction = await with_a_reaction(client, t, app_engine)
    case = base.split("/cases/")[1].split("/")[0]
    [(party_id, share_id)] = await in_tenant(
        app_engine, t.c.member, "SELECT party_id, share_id FROM investigation_reactions WHERE id = :r", r=reaction
    )
    assignment = f"/app/t/{t.slug}/onderzoeken/{case}/{iid}"
    await as_(client, t.investigator)
    shown = await client.get(assignment, headers=HTML)
    assert "Reacties op het conceptrapport" in shown.text and "nog geen antwoord" in shown.text
    later = (TODAY + timedelta(days=30)).isoformat()
    unreasoned = await post(client, f"{assignment}/reacties/{reaction}/verlengen", respond_by=later, reason="")
    assert unreasoned.status_code == 400
    extended = await post(client, f"{assignment}/reacties/{reaction}/verlengen", respond_by=later, reason="Ziek.")
    assert extended.status_code == 303
    early = await post(client, f"{assignment}/reacties/{reaction}/verwerken", handling="annexed")
    assert early.status_code == 409
    heads = await portal_of(client, t, case, str(party_id))
    await answer(client, t, heads, str(share_id), "commented", "Mijn reactie marker-r.")
    await as_(client, t.investigator)
    assert (await post(client, f"{assignment}/reacties/{reaction}/verwerken", handling="annexed")).status_code == 303
    final = {"findings": "B.", "conclusions": "C.", "recommendations": "A.", "reactions_dealt_with": "Bijlage."}
    assert (await send(client, f"{assignment}/eindrapport", final)).status_code == 303

    page = f"/app/t/{t.slug}/zaken/{case}/onderzoek"
    await as_(client, t.c.decider)
    assert "Besluit over het eindrapport" in (await client.get(page, headers=HTML)).text
    adoption = {
        "reasons": "Goed onderbouwd.",
        "outcome_letter": "De uitkomst marker-letter.",
        "conclusions_adopted": "on",
    }
    untold = await send(client, f"{page}/{iid}/vaststellen", adoption)
    assert untold.status_code == 409 and "marker-letter" in untold.text
    assert f'name="told_{party_id}"' in untold.text  # the page asks, per party, how it is told
    told = await send(client, f"{page}/{iid}/vaststellen", {**adoption, f"told_{party_id}": "letter"})
    assert told.status_code == 303
    [facts] = await in_tenant(app_engine, t.c.member, "SELECT facts FROM investigations WHERE id = :i", i=iid)
    assert facts[0]["told"] == [{"party_id": str(party_id), "channel": "letter"}]
    assert facts[0]["conclusions_adopted"] is True and facts[0]["recommendations_adopted"] is False


async def test_a_changed_assignment_on_the_page_sends_the_decision_maker_to_declare_again(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    t = await team(app_engine, settings, make_tenant)
    case, ids = await decided(client, t, app_engine, ["fact_investigation"], ("accused", ACCUSED))
    _, iid = await commissioned(client, t, case, commission_body("fact", (ids[ACCUSED],)))
    page = f"/app/t/{t.slug}/zaken/{case}/onderzoek"
    await as_(client, t.c.decider)
    change = {"cause": "new_information", "reasons": "Een getuige noemt 2023.", "questions": "Wat gebeurde in 2023?"}
    changed = await send(client, f"{page}/{iid}/opdracht", change)
    assert changed.status_code == 303 and changed.headers["location"].endswith(f"/zaken/{case}")
    case_page = await client.get(f"/app/t/{t.slug}/zaken/{case}", headers=HTML)
    assert "Verklaar opnieuw" in case_page.text
    before = await client.get(page, headers=HTML)  # until they declare again: the process only
    assert before.status_code == 200 and "De gedragscode" not in before.text and "U ziet het verloop" in before.text


async def test_the_panel_lets_a_record_be_reused_on_its_page_and_the_investigator_then_reads_it_back(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    t = await team(app_engine, settings, make_tenant)
    case, ids = await decided(client, t, app_engine, ["fact_investigation"], ("accused", ACCUSED), ("witness", WITNESS))
    base, first = await commissioned(client, t, case, commission_body("fact", (ids[ACCUSED],)))
    await seated_and_agreed(client, t, f"{base}/{first}", t.investigator)
    heard = await interviewed(client, f"{base}/{first}", ids[WITNESS], "Wat de getuige zag: marker-reuse-record.")
    _, second = await commissioned(client, t, case, commission_body("fact", (ids[ACCUSED],)))
    await seated_and_agreed(client, t, f"{base}/{second}", t.firm, external=True, **LICENCE)

    assignment = f"/app/t/{t.slug}/onderzoeken/{case}/{second}"
    record_page = f"{assignment}/verslagen/{heard['id']}"
    await as_(client, t.firm)
    shown = await client.get(assignment, headers=HTML)
    assert shown.status_code == 200 and "Verslagen uit een ander onderzoek" in shown.text
    assert "de beslistafel heeft geen verslag" in shown.text and record_page not in shown.text
    undecided = await client.get(record_page, headers=HTML)
    assert undecided.status_code == 409 and "marker-reuse-record" not in undecided.text
    assert "text/html" in undecided.headers["content-type"]

    page = f"/app/t/{t.slug}/zaken/{case}/onderzoek"
    await as_(client, t.c.decider)
    manage = await client.get(page, headers=HTML)
    assert "Een verslag uit een ander onderzoek laten gebruiken" in manage.text
    assert f'action="{page}/{second}/hergebruik' in manage.text and f'value="{heard["id"]}"' in manage.text
    unreasoned = await post(client, f"{page}/{second}/hergebruik", interview_id=heard["id"], reasons="")
    assert unreasoned.status_code == 400
    same = await post(client, f"{page}/{first}/hergebruik", interview_id=heard["id"], reasons="Eigen gesprek.")
    assert same.status_code == 409  # a record of the investigation itself needs no decision
    reasons = "De getuige hoeft niet twee keer te vertellen marker-reuse-reason."
    decided_reuse = await post(client, f"{page}/{second}/hergebruik", interview_id=heard["id"], reasons=reasons)
    assert decided_reuse.status_code == 303, decided_reuse.text
    after = await client.get(page, headers=HTML)
    assert "Hergebruikte verslagen en de reden" in after.text and "marker-reuse-reason" in after.text
    assert f'action="{page}/{second}/hergebruik' not in after.text  # nothing left to decide on
    await as_(client, t.c.pooled)  # the process guardian sees neither the reasons nor the form
    guarded = await client.get(page, headers=HTML)
    assert guarded.status_code == 200 and "marker-reuse-reason" not in guarded.text and "hergebruik" not in guarded.text

    await as_(client, t.firm)
    listed = await client.get(assignment, headers=HTML)
    assert record_page in listed.text and WITNESS in listed.text
    read = await client.get(record_page, headers=HTML)
    assert read.status_code == 200 and "marker-reuse-record" in read.text and "Gespreksverslag" in read.text
    english = await client.get(f"{record_page}?lang=en", headers=HTML)
    assert "Interview record" in english.text and "Back to the assignment" in english.text
    reads = await in_tenant(
        app_engine, t.c.member, "SELECT details::text FROM audit_entries WHERE action = 'investigation.record_read'"
    )
    assert reads and all("marker" not in row[0] for row in reads)

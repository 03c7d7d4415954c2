"""Phase 2's pages: the decision maker starts, seats and prepares on the case's follow-up page; the line
manager finds the assignment under "Mijn opdrachten", declares, reads the agreed points and records it; the
process guardian sees the process only; a refused form keeps what was typed; every page refuses another
tenant's professional and an intervention of another case."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from meldpunt.identity.roles import Role
from meldpunt.settings import Settings
from tests.conftest import MakeTenant
from tests.integration.cases.test_case_handling import STATEMENT, Person, as_, person
from tests.integration.interventions.test_interventions_api import (
    LATER,
    MEDIATION_PREPARED,
    TODAY,
    Crew,
    crew,
    decided,
    in_tenant,
    seated_and_declared,
    started,
)

HTML = {"accept": "text/html"}


def account(who: Person) -> str:
    return f"{who.account_tenant_id}:{who.account_id}"


async def post(client: Any, path: str, **form: Any) -> Any:
    return await client.post(path, data=form, headers=HTML, follow_redirects=False)


async def only_intervention(app_engine: AsyncEngine, w: Crew, case: str) -> str:
    rows = await in_tenant(
        app_engine, w.c.member, "SELECT id FROM interventions WHERE case_id = :c ORDER BY created_at", c=case
    )
    return str(rows[-1][0])


async def test_a_follow_up_is_started_seated_prepared_and_carried_out_through_the_pages(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    w = await crew(app_engine, settings, make_tenant)
    case = await decided(client, w, app_engine, ["informal_conversation", "group_conversation"])
    page = f"/app/t/{w.slug}/zaken/{case}/opvolging"
    await as_(client, w.c.decider)
    shown = await client.get(page, headers=HTML)
    assert shown.status_code == 200 and "Informeel gesprek" in shown.text and "Groepsgesprek" in shown.text
    case_page = await client.get(f"/app/t/{w.slug}/zaken/{case}", headers=HTML)
    assert f"/zaken/{case}/opvolging" in case_page.text
    assert (await post(client, page, kind="informal_conversation", due_on="", after_id="")).status_code == 303
    iid = await only_intervention(app_engine, w, case)
    seat = {"role": "line_manager", "account": account(w.line_manager), "valid_from": TODAY.isoformat()}
    undated = await post(client, f"{page}/{iid}/plaats", **seat, valid_to="")
    assert undated.status_code == 400 and "Er ontbreekt iets" in undated.text
    assert (await post(client, f"{page}/{iid}/plaats", **seat, valid_to=LATER)).status_code == 303

    await as_(client, w.line_manager)
    shell = await client.get(f"/app/t/{w.slug}", headers=HTML)
    assert "Mijn opdrachten" in shell.text and f"/app/t/{w.slug}/opdrachten" in shell.text
    mine = await client.get(f"/app/t/{w.slug}/opdrachten", headers=HTML)
    assert mine.status_code == 200 and f"/opdrachten/{case}/{iid}" in mine.text
    assignment = f"/app/t/{w.slug}/opdrachten/{case}/{iid}"
    first = await client.get(assignment, headers=HTML)
    assert first.status_code == 200 and 'action="' in first.text and "/verklaring" in first.text
    assert (await post(client, f"{assignment}/verklaring", involved="no", statement=STATEMENT)).status_code == 303

    await as_(client, w.c.decider)
    prep = {"type": "informal_conversation", "reporter_checked_on": TODAY.isoformat()}
    missing = await post(client, f"{page}/{iid}/voorbereiding", **prep)
    assert missing.status_code == 400
    agreed = "Opmerkingen over kleding tijdens de dienst."
    assert (await post(client, f"{page}/{iid}/voorbereiding", **prep, agreed_points=agreed)).status_code == 303

    await as_(client, w.line_manager)
    brief = await client.get(assignment, headers=HTML)
    assert agreed in brief.text and "Grensoverschrijdend" not in brief.text
    future = (TODAY + timedelta(days=3)).isoformat()
    refused = await post(client, f"{assignment}/gehouden", held_on=future, notes="Mijn aantekening marker-n.")
    assert refused.status_code == 409 and "toekomst" in refused.text and "Mijn aantekening marker-n." in refused.text
    assert 'id="fout"' in refused.text
    assert (await post(client, f"{assignment}/gehouden", held_on=TODAY.isoformat(), notes="Rustig.")).status_code == 303
    done = {"type": "informal_conversation", "result": "apology", "outcome": "Excuses gemaakt."}
    assert (await post(client, f"{assignment}/afronden", **done)).status_code == 303
    assert "Afgerond" in (await client.get(assignment, headers=HTML)).text
    for closed in (f"/app/t/{w.slug}/zaken/{case}", page, f"/app/t/{w.slug}/zaken"):
        response = await client.get(closed, headers=HTML)
        assert response.status_code in (403, 404) and "Excuses gemaakt" not in response.text, closed

    await as_(client, w.c.pooled)
    guarded = await client.get(page, headers=HTML)
    assert guarded.status_code == 200 and "Afgerond" in guarded.text
    assert "Excuses gemaakt" not in guarded.text and agreed not in guarded.text and "Rustig" not in guarded.text
    await as_(client, w.c.decider)
    full = await client.get(page, headers=HTML)
    assert "Excuses gemaakt." in full.text and "Rustig." in full.text


async def test_a_group_conversation_and_a_corrective_denial_through_the_pages(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    w = await crew(app_engine, settings, make_tenant)
    case = await decided(
        client,
        w,
        app_engine,
        ["group_conversation", "corrective_conversation"],
        basis="Twee collega's zagen het.",
        accused=True,
    )
    page = f"/app/t/{w.slug}/zaken/{case}/opvolging"
    await as_(client, w.c.decider)
    assert (await post(client, page, kind="group_conversation")).status_code == 303
    group = await only_intervention(app_engine, w, case)
    seat = {"account": account(w.facilitator), "valid_from": TODAY.isoformat(), "valid_to": LATER}
    assert (await post(client, f"{page}/{group}/plaats", role="facilitator", **seat)).status_code == 303
    await as_(client, w.facilitator)
    assignment = f"/app/t/{w.slug}/opdrachten/{case}/{group}"
    assert (await post(client, f"{assignment}/verklaring", involved="no", statement=STATEMENT)).status_code == 303
    await as_(client, w.c.decider)
    prep = {"type": "group_conversation", "affected_count": "2", "agreed_points": "Omgang in het team."}
    one = await post(client, f"{page}/{group}/voorbereiding", **prep, consents_on=[TODAY.isoformat(), ""])
    assert one.status_code == 409 and "instemming" in one.text
    both = [TODAY.isoformat(), TODAY.isoformat()]
    unticked = await post(client, f"{page}/{group}/voorbereiding", **prep, consents_on=both)
    assert unticked.status_code == 409
    ticked = await post(
        client, f"{page}/{group}/voorbereiding", **prep, consents_on=both, leaders_presence_checked="yes"
    )
    assert ticked.status_code == 303
    await as_(client, w.facilitator)
    assert (await post(client, f"{assignment}/gehouden", held_on=TODAY.isoformat())).status_code == 303
    monitor = (TODAY + timedelta(days=30)).isoformat()
    agreements = {"type": "group_conversation", "agreement_1": "We spreken elkaar aan.", "monitor_on_1": monitor}
    assert (await post(client, f"{assignment}/afronden", **agreements)).status_code == 303

    await as_(client, w.c.decider)
    assert (await post(client, page, kind="corrective_conversation")).status_code == 303
    corrective = await only_intervention(app_engine, w, case)
    seat["account"] = account(w.line_manager)
    assert (await post(client, f"{page}/{corrective}/plaats", role="line_manager", **seat)).status_code == 303
    await as_(client, w.line_manager)
    assignment = f"/app/t/{w.slug}/opdrachten/{case}/{corrective}"
    assert (await post(client, f"{assignment}/verklaring", involved="no", statement=STATEMENT)).status_code == 303
    await as_(client, w.c.decider)
    prep = {
        "type": "corrective_conversation",
        "reporter_checked_on": TODAY.isoformat(),
        "purpose_told_on": TODAY.isoformat(),
        "agreed_points": "Het gedrag in de kantine.",
    }
    untold = await post(client, f"{page}/{corrective}/voorbereiding", **prep)
    assert untold.status_code == 400 and "Het gedrag in de kantine." in untold.text
    told = await post(client, f"{page}/{corrective}/voorbereiding", **prep, may_bring_someone_told="yes")
    assert told.status_code == 303
    await as_(client, w.line_manager)
    assert (await post(client, f"{assignment}/gehouden", held_on=TODAY.isoformat())).status_code == 303
    assert "ontkenning" in (await client.get(assignment, headers=HTML)).text
    assert (await post(client, f"{assignment}/ontkenning", denied_on=TODAY.isoformat())).status_code == 303
    status = await in_tenant(app_engine, w.c.member, "SELECT status FROM cases WHERE id = :c", c=case)
    assert status == [("in_progress",)]
    facts = await in_tenant(app_engine, w.c.member, "SELECT facts FROM interventions WHERE id = :i", i=group)
    assert facts[0][0]["monitor_on"] == [monitor]


def every_field(w: Crew) -> dict[str, str]:
    """One form with what each of the pages' forms needs (each decodes only its own fields)."""
    return {
        "role": "line_manager",
        "account": account(w.hr),
        "valid_from": TODAY.isoformat(),
        "valid_to": LATER,
        "type": "informal_conversation",
        "reporter_checked_on": TODAY.isoformat(),
        "agreed_points": "Punten.",
        "reason": "Gestopt.",
        "involved": "no",
        "statement": STATEMENT,
        "held_on": TODAY.isoformat(),
        "result": "support",
        "outcome": "Steun.",
        "denied_on": TODAY.isoformat(),
    }


async def test_every_intervention_page_refuses_another_tenants_professional_and_another_cases_intervention(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    w = await crew(app_engine, settings, make_tenant)
    case = await decided(client, w, app_engine, ["informal_conversation"])
    page = f"/app/t/{w.slug}/zaken/{case}/opvolging"
    await as_(client, w.c.decider)
    assert (await post(client, page, kind="informal_conversation")).status_code == 303
    iid = await only_intervention(app_engine, w, case)
    seat = {"role": "line_manager", "account": account(w.line_manager), "valid_from": TODAY.isoformat()}
    assert (await post(client, f"{page}/{iid}/plaats", **seat, valid_to=LATER)).status_code == 303
    other_case = await decided(client, w, app_engine, ["informal_conversation"])

    other = await make_tenant()
    stranger = await person(
        app_engine, settings, other, {other: (Role.DECISION_MAKER, Role.LINE_MANAGER, Role.PROCESS_GUARDIAN)}
    )
    assignment = f"/app/t/{w.slug}/opdrachten/{case}/{iid}"
    routes = [
        ("GET", page),
        ("POST", page),
        ("POST", f"{page}/{iid}/plaats"),
        ("POST", f"{page}/{iid}/voorbereiding"),
        ("POST", f"{page}/{iid}/stoppen"),
        ("GET", f"/app/t/{w.slug}/opdrachten"),
        ("GET", assignment),
        ("POST", f"{assignment}/verklaring"),
        ("POST", f"{assignment}/gehouden"),
        ("POST", f"{assignment}/afronden"),
        ("POST", f"{assignment}/ontkenning"),
        ("POST", f"{assignment}/overeenkomst"),
    ]
    await as_(client, stranger)
    for method, path in routes:
        data = {"reason": "x", "type": "informal_conversation"} if method == "POST" else None
        response = await client.request(method, path, headers=HTML, data=data)
        assert response.status_code in (403, 404), (method, path, response.status_code)
        own = await client.request(method, path.replace(f"/t/{w.slug}/", f"/t/{other.slug}/"), headers=HTML, data=data)
        if path.endswith("/opdrachten"):  # their own list there: empty
            assert own.status_code == 200 and iid not in own.text
        else:
            assert own.status_code in (403, 404), (method, path, own.status_code)
    # An intervention of another case of the same organisation answers as a missing one.
    for who in (w.c.decider, w.line_manager):
        await as_(client, who)
        for method, path in routes:
            if "/opdrachten/" not in path and f"/{iid}/" not in path:
                continue
            moved = path.replace(f"/zaken/{case}/", f"/zaken/{other_case}/").replace(
                f"/{case}/{iid}", f"/{other_case}/{iid}"
            )
            data = every_field(w) if method == "POST" else None
            response = await client.request(method, moved, headers=HTML, data=data)
            missing = await client.request(method, moved.replace(iid, str(uuid.uuid4())), headers=HTML, data=data)
            assert response.status_code == missing.status_code and response.status_code in (403, 404), (who, path)
    await as_(client, w.line_manager)
    assert (await client.get(assignment, headers=HTML)).status_code == 200  # the real one is still theirs


async def test_the_mediator_hands_in_the_signed_agreement_on_the_assignment_page(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    w = await crew(app_engine, settings, make_tenant)
    case = await decided(client, w, app_engine, ["mediation"])
    base, iid = await started(client, w, case, "mediation")
    url = f"{base}/{iid}"
    await seated_and_declared(client, w, url, (w.mediator, "mediator", {"registration_number": "MfN-12345"}))
    await as_(client, w.c.decider)
    assert (await client.post(f"{url}/preparation", json=MEDIATION_PREPARED)).status_code == 201
    await as_(client, w.mediator)
    page = f"/app/t/{w.slug}/opdrachten/{case}/{iid}"
    shown = await client.get(page, headers=HTML)
    assert shown.status_code == 200 and 'enctype="multipart/form-data"' in shown.text
    empty = await client.post(f"{page}/overeenkomst", data={}, headers=HTML, follow_redirects=False)
    assert empty.status_code == 409 and "precies één bestand" in empty.text
    signed = {"agreement": ("overeenkomst.txt", b"Getekend door beide partijen.", "text/plain")}
    done = await client.post(f"{page}/overeenkomst", files=signed, headers=HTML, follow_redirects=False)
    assert done.status_code == 303
    after = await client.get(page, headers=HTML)
    assert "De getekende mediationovereenkomst is toegevoegd." in after.text and "multipart/form-data" not in after.text
    stored = await in_tenant(
        app_engine,
        w.c.member,
        "SELECT count(*) FROM documents WHERE case_id = :c AND record_class = 'attachment'",
        c=case,
    )
    assert stored[0][0] == 1

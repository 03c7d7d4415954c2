"""The committee has facts investigated before it advises (issue 15, seed-000 H7): the complaint's declared chair
commissions an investigation of its case on behalf of the committee; every rule of an investigation holds; the
advice waits while it is open; the chair, not a panel, carries its later steps (investigator, assignment, stop,
adoption); nobody else commissions it or reaches it."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from meldpunt.complaints import services as complaint_services
from meldpunt.complaints.models import Complaint as ComplaintRow
from meldpunt.db.context import tenant_context
from meldpunt.db.engine import create_sessionmaker
from meldpunt.identity.roles import Role
from meldpunt.settings import Settings
from tests.conftest import MakeTenant
from tests.integration.cases.test_case_handling import STATEMENT, Person, as_, person
from tests.integration.complaints.conftest import (
    NOT_LINKED,
    RECEIPTS,
    TODAY,
    Committee,
    committee,
    post,
    registered,
    seat_of,
)
from tests.integration.complaints.test_complaint_pages import HTML, form
from tests.integration.complaints.test_complaint_track import _heard, problem, rows
from tests.integration.investigations.support import SOON, commission_body, seat_body

ADVICE = {"outcome": "well_founded", "text": "Gegrond."}


def investigations_of(c: Committee, case: str) -> str:
    return f"/api/v1/t/{c.slug}/cases/{case}/investigations"


async def heard_and_reacted(client: Any, c: Committee, url: str) -> None:
    """Both sides heard and both reacted to their hearing record: the advice waits for nothing else."""
    await _heard(client, c, url)
    for party in ("accused", "complainant"):
        await post(client, c.secretary, f"{url}/records", {"kind": "reaction", "party": party, "text": "Akkoord."})


async def commissioned(client: Any, c: Committee, url: str, kind: str = "system") -> str:
    """The chair commissions; returns the investigation's id, kept with the complaint's facts."""
    complaint = await post(client, c.chair, f"{url}/investigation", commission_body(kind))
    [investigation] = complaint["facts"]["investigations"]
    return str(investigation)


async def investigator(app_engine: AsyncEngine, settings: Settings, c: Committee) -> Person:
    return await person(app_engine, settings, c.member, {c.member: (Role.INVESTIGATOR,)})


async def under_investigation(
    client: Any, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings, owner_engine: AsyncEngine
) -> tuple[Committee, str, str, str]:
    """A complaint heard, both sides reacted, and the committee's investigation commissioned by the chair: the
    committee, the case, the complaint's url and the investigation's id."""
    c = await committee(app_engine, settings, make_tenant, owner_engine)
    case, url = await registered(client, c, app_engine)
    await heard_and_reacted(client, c, url)
    return c, case, url, await commissioned(client, c, url)


async def test_the_chair_commissions_an_investigation_the_advice_waits_for_and_the_chair_carries_it(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings, owner_engine: AsyncEngine
) -> None:
    c, case, url, iid = await under_investigation(client, make_tenant, app_engine, settings, owner_engine)
    one = f"{investigations_of(c, case)}/{iid}"

    held = await rows(app_engine, c, f"SELECT facts, created_by_id FROM investigations WHERE id = '{iid}'")
    assert held[0].facts["on_behalf_of"] == "complaints_committee"
    assert held[0].created_by_id == c.chair.account_id
    status = await rows(app_engine, c, f"SELECT status FROM cases WHERE id = '{case}'")
    assert status[0].status == "in_progress"  # the case stays the complaint's: no panel follow-up
    audited = await rows(
        app_engine, c, f"SELECT action FROM audit_entries WHERE resource_id = '{case}' AND action LIKE '%commission%'"
    )
    assert {a.action for a in audited} == {"complaint.investigation_commissioned", "investigation.commissioned"}

    await as_(client, c.chair)
    waiting = await client.post(f"{url}/advice", json=ADVICE)
    problem(waiting, 409, "complaint-refused")
    assert "onderzoek" in waiting.json()["detail"]

    # The chair reads it and carries its later steps, as the panel would for its own.
    listed = (await client.get(f"{investigations_of(c, case)}/")).json()
    assert [i["process"]["id"] for i in listed] == [iid] and listed[0]["content"]["goal"]
    found = await client.post(f"{one}/investigator", json=seat_body(await investigator(app_engine, settings, c)))
    assert found.status_code == 201, found.text
    changed = await client.post(
        f"{one}/assignment",
        json={"cause": "new_information", "reasons": "De hoorzitting bracht een tweede locatie aan het licht."},
    )
    assert changed.status_code == 201, changed.text
    assert changed.json()["process"]["assignment_version"] == 2

    # The member's decision maker holds the panel's role, but this investigation is not the panel's.
    await as_(client, c.decider)
    problem(await client.post(f"{one}/stop", json={"reason": "Niet nodig."}), 403, "investigation-not-commissioner")
    assert (await client.get(f"{investigations_of(c, case)}/")).status_code == 409  # no panel case: nothing listed

    await as_(client, c.chair)
    stopped = await client.post(f"{one}/stop", json={"reason": "De feiten staan na de hoorzittingen vast."})
    assert stopped.status_code == 201, stopped.text
    # The assignment changed after the chair declared: the chair declares again before advising.
    problem(await client.post(f"{url}/advice", json=ADVICE), 403, "complaint-declare-first")
    await post(client, c.chair, f"{url}/declaration", NOT_LINKED)
    advised = await post(client, c.chair, f"{url}/advice", ADVICE)
    assert advised["status"] == "advised"
    problem(await client.post(f"{url}/investigation", json=commission_body("system")), 409, "complaint-refused")


async def test_the_chairs_investigation_is_adopted_by_the_chair_and_then_the_committee_advises(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings, owner_engine: AsyncEngine
) -> None:
    c = await committee(app_engine, settings, make_tenant, owner_engine)
    case, url = await registered(client, c, app_engine)
    await heard_and_reacted(client, c, url)
    parties = await post(client, c.secretary, f"{url}/parties", {"role": "accused", "name": "Iemand Anders"})
    accused = next(p for p in parties if p["role"] == "accused")  # the party the draft goes to
    iid = await commissioned(client, c, url)
    one = f"{investigations_of(c, case)}/{iid}"
    researcher = await investigator(app_engine, settings, c)
    await as_(client, c.chair)
    assert (await client.post(f"{one}/investigator", json=seat_body(researcher))).status_code == 201
    await as_(client, researcher)
    declared = await client.post(f"{one}/declaration", json={"involved": False, "statement": STATEMENT})
    assert declared.status_code == 201, declared.text
    assert (await client.post(f"{one}/agreement")).status_code == 201
    draft = {
        "approach_and_question": "Hoe is het toezicht geregeld?",
        "how_obtained": "Documenten en rooster.",
        "functionaries": "De teamleiding.",
        "findings": "Het rooster laat gaten in het toezicht.",
        "conclusions": "Het toezicht schiet tekort.",
        "recommendations": "Vaste toezichthouder per dienst.",
        "to": [accused["id"]],
        "respond_by": SOON,
    }
    drafted = await client.post(f"{one}/drafts", json=draft)
    assert drafted.status_code == 201, drafted.text
    [reaction] = drafted.json()["process"]["reactions"]
    await as_(client, c.secretary)
    invitation = (await client.post(f"{url}/parties/{accused['id']}/invitation")).json()
    token = invitation["link"].rsplit("/", 1)[1]
    client.cookies.clear()
    slug = c.slug
    activated = await client.post(f"/api/v1/p/{slug}/activation", json={"token": token, "code": invitation["code"]})
    assert activated.status_code == 201, activated.text
    heads = {"X-Party-Link": token, "X-Party-Key": activated.json()["key"]}
    answered = await client.post(
        f"/api/v1/p/{slug}/responses/{reaction['share_id']}", json={"verdict": "approved", "comment": ""}, headers=heads
    )
    assert answered.status_code == 201, answered.text
    await as_(client, researcher)
    handled = await client.post(f"{one}/reactions/{reaction['id']}/handling", json={"handling": "incorporated"})
    assert handled.status_code == 201, handled.text
    final = {k: draft[k] for k in ("findings", "conclusions", "recommendations")}
    final["reactions_dealt_with"] = "De reactie is verwerkt."
    finalised = await client.post(f"{one}/final", json=final)
    assert finalised.status_code == 201, finalised.text

    await as_(client, c.chair)
    problem(await client.post(f"{url}/advice", json=ADVICE), 409, "complaint-refused")
    adoption = {
        "conclusions_adopted": True,
        "recommendations_adopted": True,
        "reasons": "Het rapport is zorgvuldig en volledig.",
        "outcome_letter": "Het onderzoek is afgerond; de commissie betrekt het bij haar advies.",
        "told": [{"party_id": accused["id"], "channel": "portal"}],
        "distribution": ["management"],
    }
    await as_(client, c.decider)
    problem(await client.post(f"{one}/adoption", json=adoption), 403, "investigation-not-commissioner")
    await as_(client, c.chair)
    adopted = await client.post(f"{one}/adoption", json=adoption)
    assert adopted.status_code == 201, adopted.text
    assert adopted.json()["process"]["status"] == "adopted"
    advised = await post(client, c.chair, f"{url}/advice", ADVICE)
    assert advised["status"] == "advised"


async def test_only_the_declared_chair_commissions_and_only_while_the_complaint_may_be_investigated(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings, owner_engine: AsyncEngine
) -> None:
    c = await committee(app_engine, settings, make_tenant, owner_engine)
    case, url = await registered(client, c, app_engine)
    body = commission_body("system")

    await as_(client, c.chair)
    early = await client.post(f"{url}/investigation", json=body)
    problem(early, 409, "complaint-refused")  # registered, not yet admissible
    assert "ontvankelijk" in early.json()["detail"]
    early_en = await client.post(f"{url}/investigation?lang=en", json=body)
    assert "admissible" in early_en.json()["detail"]
    await post(client, c.chair, f"{url}/admissibility", {"admissible": True})

    for who in (c.members[0], c.secretary):  # seated and declared, but not the chair
        await as_(client, who)
        problem(await client.post(f"{url}/investigation", json=body), 403, "complaint-not-for-this-seat")
    await as_(client, c.members[1])  # the committee's, not seated at this complaint: it does not exist for them
    problem(await client.post(f"{url}/investigation", json=body), 404, "complaint-not-found")
    for who in (c.decider, c.point):  # the member's own people: no door to the committee's work
        await as_(client, who)
        assert (await client.post(f"{url}/investigation", json=body)).status_code == 403
    await as_(client, c.chair)
    assert (
        await client.post(f"/api/v1/t/{c.other.slug}/complaints/{url.rsplit('/', 1)[1]}/investigation", json=body)
    ).status_code == 404

    # Every rule of an investigation holds: nobody named in a system investigation, the investigator independent.
    named = commission_body("system", goal="Nagaan wat Sanne de Vries meemaakte op de afdeling.")
    refused = await client.post(f"{url}/investigation", json=named)
    problem(refused, 409, "investigation-refused")
    iid = await commissioned(client, c, url)
    one = f"{investigations_of(c, case)}/{iid}"
    await as_(client, c.chair)
    member_as_investigator = await client.post(f"{one}/investigator", json=seat_body(c.members[0]))
    problem(member_as_investigator, 409, "investigator-refused")  # a seat at the complaint: never its investigator
    assert (
        await client.post(f"{one}/investigator", json=seat_body(await investigator(app_engine, settings, c)))
    ).status_code == 201
    second = await client.post(f"{one}/investigator", json=seat_body(await investigator(app_engine, settings, c)))
    problem(second, 409, "investigator-refused")  # one investigator at a time

    # A committee member has no door to the investigation; another member's chair address finds nothing.
    await as_(client, c.members[0])
    assert (await client.post(f"{one}/stop", json={"reason": "Niet nodig."})).status_code == 403
    await as_(client, c.chair)
    elsewhere = one.replace(f"/t/{c.slug}/", f"/t/{c.other.slug}/")
    assert (await client.post(f"{elsewhere}/stop", json={"reason": "Niet nodig."})).status_code == 404

    await post(client, c.secretary, f"{url}/withdrawal", {"withdrawn_on": TODAY, "in_writing": True})
    await as_(client, c.chair)
    problem(await client.post(f"{url}/investigation", json=body), 409, "complaint-refused")  # withdrawn


async def sent(client: Any, path: str, fields: dict[str, Any]) -> Any:
    """A form with the protocol's fields (one of them is named ``client``)."""
    return await client.post(path, data=fields, headers=HTML, follow_redirects=False)


async def test_the_chair_commissions_on_the_complaints_page_and_carries_it_on_the_investigation_page(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings, owner_engine: AsyncEngine
) -> None:
    c = await committee(app_engine, settings, make_tenant, owner_engine)
    case, url = await registered(client, c, app_engine)
    await heard_and_reacted(client, c, url)
    page = f"/app/t/{c.slug}/klachten/{url.rsplit('/', 1)[1]}"
    body = commission_body("system")
    fields: dict[str, Any] = {
        "kind": "system",
        "goal": body["goal"],
        "questions": "\n".join(body["questions"]),
        "outcome_1": "Aannemelijk",
        "follows_1": "Maatregelen in het rooster.",
        **body["protocol"],
    }
    await as_(client, c.chair)
    shown = await client.get(page, headers=HTML)
    assert shown.status_code == 200 and f"{page}/onderzoek" in shown.text and 'id="investigation-goal"' in shown.text
    named = await sent(client, f"{page}/onderzoek", {**fields, "goal": "Wat overkwam Sanne de Vries?"})
    assert named.status_code == 409 and "Wat overkwam Sanne de Vries?" in named.text  # refused, kept as typed
    done = await sent(client, f"{page}/onderzoek", fields)
    assert done.status_code == 303, done.text
    investigation_page = f"/app/t/{c.slug}/zaken/{case}/onderzoek"
    after = await client.get(page, headers=HTML)
    assert investigation_page in after.text  # the way to the investigation

    there = await client.get(investigation_page, headers=HTML)
    assert there.status_code == 200 and body["goal"] in there.text and "/onderzoeker" in there.text
    [iid] = (await client.get(f"/api/v1/t/{c.slug}/complaints/{url.rsplit('/', 1)[1]}/")).json()["facts"][
        "investigations"
    ]
    changed = await form(
        client,
        f"{investigation_page}/{iid}/opdracht",
        cause="new_information",
        reasons="Een tweede locatie kwam naar voren.",
    )
    assert changed.status_code == 303 and changed.headers["location"].endswith(investigation_page), changed.text
    stopped = await form(client, f"{investigation_page}/{iid}/stoppen", reason="De feiten staan vast.")
    assert stopped.status_code == 303, stopped.text
    assert (await client.get(investigation_page, headers=HTML)).status_code == 200
    await as_(client, c.members[0])  # a committee member: no door to the investigation page
    assert (await client.get(investigation_page, headers=HTML)).status_code == 403


@pytest.mark.parametrize("through", ["secretary", "inbox"])
async def test_a_withdrawal_stops_the_committees_open_investigation_so_the_case_can_close(
    client,
    make_tenant: MakeTenant,
    app_engine: AsyncEngine,
    settings: Settings,
    owner_engine: AsyncEngine,
    through: str,
) -> None:
    c, case, url, iid = await under_investigation(client, make_tenant, app_engine, settings, owner_engine)
    await as_(client, c.chair)
    assert (
        await client.post(
            f"{investigations_of(c, case)}/{iid}/investigator",
            json=seat_body(await investigator(app_engine, settings, c)),
        )
    ).status_code == 201
    open_terms = f"SELECT count(*) AS n FROM deadlines WHERE subject_id = '{iid}' AND met_at IS NULL"
    assert (await rows(app_engine, c, open_terms))[0].n >= 1

    if through == "secretary":
        withdrawn = await post(client, c.secretary, f"{url}/withdrawal", {"withdrawn_on": TODAY, "in_writing": True})
    else:  # the complainant in the receipt inbox; the track follows on its next read
        client.cookies.clear()
        client.headers.pop("x-csrf-token", None)
        inbox = f"/api/v1/public/{c.slug}/inbox"
        gone = await client.post(f"{inbox}/withdrawal", json={"receipt": RECEIPTS[case]})
        assert gone.status_code == 204, gone.text
        await as_(client, c.chair)
        withdrawn = (await client.get(f"{url}/")).json()
    assert withdrawn["status"] == "withdrawn"
    (stopped,) = await rows(app_engine, c, f"SELECT status, ended_at FROM investigations WHERE id = '{iid}'")
    assert stopped.status == "stopped" and stopped.ended_at is not None
    assert (await rows(app_engine, c, open_terms))[0].n == 0  # nothing of it is left for the case to wait on
    audited = await rows(
        app_engine, c, f"SELECT action FROM audit_entries WHERE resource_id = '{case}' AND action LIKE '%stopped%'"
    )
    assert {a.action for a in audited} == {"investigation.stopped", "complaint.investigations_stopped"}

    await rows(app_engine, c, "UPDATE deadlines SET met_at = now() WHERE kind = 'inform_accused' RETURNING id")
    closed = await post(client, c.secretary, f"{url}/closure", {"reason": "Ingetrokken."})
    assert closed["status"] == "closed"
    (status,) = await rows(app_engine, c, f"SELECT status FROM cases WHERE id = '{case}'")
    assert status.status == "closed"


async def test_a_change_of_the_committees_assignment_asks_every_seat_to_declare_again_and_keeps_the_earlier(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings, owner_engine: AsyncEngine
) -> None:
    """Casus Abigail/Douwe for the committee: the assignment the seats declared for has changed, so each seat of
    the complaint declares again before it reads or does anything more; its earlier declaration is kept."""
    c, case, url, iid = await under_investigation(client, make_tenant, app_engine, settings, owner_engine)
    seated = (c.secretary, c.chair, c.members[0], c.guardian)
    await as_(client, c.members[0])
    assert (await client.get(url)).json()["content"] is not None  # commissioning itself is no change
    changed = await client.post(
        f"{investigations_of(c, case)}/{iid}/assignment",
        json={"cause": "new_information", "reasons": "De hoorzitting bracht een tweede locatie aan het licht."},
    )
    assert changed.status_code == 403  # not the chair's: the member carries no step of it
    await as_(client, c.chair)
    changed = await client.post(
        f"{investigations_of(c, case)}/{iid}/assignment",
        json={"cause": "new_information", "reasons": "De hoorzitting bracht een tweede locatie aan het licht."},
    )
    assert changed.status_code == 201, changed.text

    for who in seated:
        await as_(client, who)
        seen = (await client.get(url)).json()
        assert seen["content"] is None and seen["records"] is None, who  # the process only, until declared again
    await as_(client, c.secretary)
    refused = await client.post(f"{url}/records", json={"kind": "reaction", "party": "accused", "text": "Nog iets."})
    problem(refused, 403, "complaint-declare-first")
    page = await client.get(url.replace("/api/v1/t/", "/app/t/").replace("/complaints/", "/klachten/"), headers=HTML)
    assert page.status_code == 200 and "Verklaar opnieuw of u onafhankelijk bent" in page.text
    told = await rows(app_engine, c, "SELECT account_id FROM notifications WHERE kind = 'complaint.declare_again'")
    assert {row.account_id for row in told} == {who.account_id for who in seated}

    await post(client, c.members[0], f"{url}/declaration", NOT_LINKED)
    await as_(client, c.members[0])
    assert (await client.get(url)).json()["content"] is not None  # declared for the changed assignment
    held = await rows(
        app_engine,
        c,
        f"SELECT declaration, facts FROM complaint_seats WHERE account_id = '{c.members[0].account_id}'",
    )
    assert held[0].declaration == "not_involved" and held[0].facts["assignments_seen"] == {iid: 2}
    assert len(held[0].facts["earlier_declarations"]) == 1  # the first declaration, kept
    audited = await rows(
        app_engine, c, "SELECT count(*) AS n FROM audit_entries WHERE action = 'complaint.declare_again'"
    )
    assert audited[0].n == 1  # once for all seats, however often they read


async def test_a_deputy_chair_takes_over_the_investigation_of_a_chair_who_declares_a_link(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings, owner_engine: AsyncEngine
) -> None:
    """The changed assignment names someone the chair knows: declaring again, the chair declares the link and is
    kept out. The deputy seated for them, once declared, carries the committee's investigation on; nobody else."""
    c, case, url, iid = await under_investigation(client, make_tenant, app_engine, settings, owner_engine)
    one = f"{investigations_of(c, case)}/{iid}"
    change = {"cause": "new_information", "reasons": "Een tweede locatie."}
    assert (await post(client, c.chair, f"{one}/assignment", change))["process"]["assignment_version"] == 2
    linked = {**NOT_LINKED, "interest": True}
    await post(client, c.chair, f"{url}/declaration", linked)
    await as_(client, c.chair)
    assert (await client.post(f"{one}/stop", json={"reason": "Niet nodig."})).status_code in (403, 404)

    deputy = await person(app_engine, settings, c.branch, {c.member: (Role.COMMITTEE_CHAIR,)})
    await post(client, c.members[0], f"{url}/declaration", NOT_LINKED)
    seats = (await client.get(url)).json()["seats"]
    chair_seat = next(s["id"] for s in seats if s["account_id"] == str(c.chair.account_id))
    await post(client, c.secretary, f"{url}/declaration", NOT_LINKED)
    await post(client, c.secretary, f"{url}/seats", seat_of(deputy, "committee_chair", deputy_for=chair_seat))
    await as_(client, deputy)
    problem(await client.post(f"{one}/stop", json={"reason": "Niet nodig."}), 403, "investigation-not-commissioner")
    await post(client, deputy, f"{url}/declaration", NOT_LINKED)
    held = await rows(app_engine, c, f"SELECT facts FROM investigations WHERE id = '{iid}'")
    assert held[0].facts["controlled_by"]["id"] == str(deputy.account_id)
    overall = await rows(
        app_engine, c, f"SELECT responsible_id FROM deadlines WHERE id = '{held[0].facts['deadlines']['overall']}'"
    )
    assert overall[0].responsible_id == deputy.account_id  # its term is the deputy's to answer for too
    await as_(client, c.members[0])
    assert (await client.post(f"{one}/stop", json={"reason": "Niet nodig."})).status_code == 403  # no chair
    stopped = await post(client, deputy, f"{one}/stop", {"reason": "De feiten staan vast."})
    assert stopped["process"]["status"] == "stopped"


async def test_two_reads_at_once_after_a_change_ask_each_seat_once(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings, owner_engine: AsyncEngine
) -> None:
    c, case, url, iid = await under_investigation(client, make_tenant, app_engine, settings, owner_engine)
    await post(
        client,
        c.chair,
        f"{investigations_of(c, case)}/{iid}/assignment",
        {"cause": "new_information", "reasons": "Meer."},
    )
    complaint_id = uuid.UUID(url.rsplit("/", 1)[1])
    first_done = asyncio.Event()

    async def read(wait: bool) -> None:
        async with create_sessionmaker(app_engine)() as session, session.begin():
            await tenant_context(session, [c.member.id])
            complaint = await session.get(ComplaintRow, (c.member.id, complaint_id))
            assert complaint is not None
            if wait:
                await first_done.wait()
            seats = await complaint_services.seats_of(session, complaint)
            await complaint_services._declare_again_after_changes(session, complaint, seats)
            if not wait:
                first_done.set()
                await asyncio.sleep(0.5)  # still open while the other read asks for the same seats

    await asyncio.wait_for(asyncio.gather(read(False), read(True)), timeout=30)
    audited = await rows(
        app_engine, c, "SELECT count(*) AS n FROM audit_entries WHERE action = 'complaint.declare_again'"
    )
    assert audited[0].n == 1
    kept = await rows(app_engine, c, "SELECT facts FROM complaint_seats WHERE left_at IS NULL")
    assert sorted(len(row.facts.get("earlier_declarations", [])) for row in kept) == [1, 1, 1, 1]

"""Issue 13's three parts walked together through the API, from a report to its closure: part A's routing and
phase 1, part B's follow-up with its own people, part C's decision, telling, monitoring, aftercare, evaluation
and closure. One walk for each non-investigation follow-up, the corrective conversation's denial that goes back
to the panel, and each route without a panel. No test writes a deadline, a step or a retention event itself."""

from __future__ import annotations

import html
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from meldpunt.catalogues import text
from meldpunt.settings import Settings
from tests.conftest import MakeTenant
from tests.integration.cases.test_case_handling import Cast, as_
from tests.integration.cases.test_outcome import (
    ACCUSED,
    EVALUATION,
    IN_A_WEEK,
    REASONS,
    SUSPENSION,
    api,
    panel_case_with_receipt,
    sql,
)
from tests.integration.cases.test_phase_one_completed import weighing
from tests.integration.cases.test_routes import HTML, routed
from tests.integration.interventions.test_interventions_api import (
    MEDIATION_PREPARED,
    TODAY,
    Crew,
    crew,
    seated_and_declared,
    started,
)

DAY = TODAY.isoformat()
BASIS = "Twee collega's zagen het; de beschuldigde erkent de toon."
NOTE = "U kunt met de vertrouwenspersoon nagaan hoe het nu gaat."
# Each follow-up: who carries it out (a Crew attribute), their seat, the preparation and the completion.
FOLLOW_UPS: dict[str, tuple[str, str, dict[str, Any], dict[str, Any], dict[str, Any]]] = {
    "informal_conversation": (
        "line_manager",
        "line_manager",
        {},
        {"reporter_checked_on": DAY, "agreed_points": "Opmerkingen over uiterlijk in het werkoverleg."},
        {"result": "apology", "outcome": "Excuses aangeboden."},
    ),
    "corrective_conversation": (
        "line_manager",
        "line_manager",
        {},
        {
            "reporter_checked_on": DAY,
            "purpose_told_on": DAY,
            "may_bring_someone_told": True,
            "agreed_points": "Het gedrag in de kantine.",
        },
        {"warning": "Officiële waarschuwing.", "outcome": "Begrepen."},
    ),
    "group_conversation": (
        "facilitator",
        "facilitator",
        {},
        {
            "affected_count": 3,
            "consents_on": [DAY] * 3,
            "leaders_presence_checked": True,
            "agreed_points": "Omgangsvormen in het team.",
        },
        {"agreements": [{"text": "We spreken elkaar aan.", "monitor_on": (TODAY + timedelta(days=30)).isoformat()}]},
    ),
    "bemiddeling": (
        "mediator",
        "mediator",
        {},
        {
            "reporter_consented_on": DAY,
            "accused_consented_on": DAY,
            "power_difference": "small",
            "severity": "limited",
            "sharing_afterwards": "Alleen aan de leidinggevende: of er afspraken zijn.",
        },
        {"result": "restored"},
    ),
    "mediation": (
        "mediator",
        "mediator",
        {"registration_number": "MfN-12345"},
        {key: value for key, value in MEDIATION_PREPARED.items() if key != "type"},
        {"result": "agreement_reached"},
    ),
}


async def phase_one(client: Any, c: Cast, case: str, chosen: str) -> str:
    """Part A's phase 1 by the panel's decision maker: the accused among the parties with a portal invitation, the
    first conversation, the reporter told, the accused informed, no interim measure (with its reason), the weighing
    choosing ``chosen`` (with the plausibility basis a corrective conversation needs); the reporting point answers
    the reporter. Returns the accused party's invitation link and code as ``token code``."""
    base = api(c, case)
    await as_(client, c.decider)
    accused = (await client.post(f"{base}/parties", json=ACCUSED)).json()["id"]
    invitation = (await client.post(f"{base}/parties/{accused}/invitation")).json()
    none = {"type": "interim_measure", "measure": "none", "starts_on": DAY, "reason": "Andere locaties."}
    for step in (
        {"type": "first_conversation", "held_on": DAY, "staff_present": 2, "adviser_offered": True, "notes": "Ja."},
        {"type": "reporter_told", "told_on": DAY},
        {"type": "accused_informed", "informed_on": DAY, "in_writing": True, "summary": "Brief verstuurd."},
        none,
        weighing(chosen, plausibility_basis=BASIS if chosen == "corrective_conversation" else ""),
    ):
        recorded = await client.post(f"{base}/steps", json=step)
        assert recorded.status_code == 201, recorded.text
    await answered(client, c, case)
    return f"{invitation['link'].rsplit('/', 1)[1]} {invitation['code']}"


async def answered(client: Any, c: Cast, case: str) -> None:
    """The reporting point answers the reporter in the inbox: the acknowledgement of receipt."""
    await as_(client, c.point)
    reply = await client.post(f"/api/v1/t/{c.member.slug}/submissions/{case}/messages", json={"text": "Ontvangen."})
    assert reply.status_code == 201


async def follow_up(client: Any, w: Crew, case: str, kind: str) -> str:
    """Part B's follow-up: started by the decision maker, its person seated and declared, prepared, held and
    completed by that person. Returns the intervention's address."""
    who_attr, role, seat_more, preparation, completion = FOLLOW_UPS[kind]
    who = getattr(w, who_attr)
    base, iid = await started(client, w, case, kind)
    url = f"{base}/{iid}"
    await seated_and_declared(client, w, url, (who, role, seat_more))
    await as_(client, w.c.decider)
    prepared = await client.post(f"{url}/preparation", json={"type": kind, **preparation})
    assert prepared.status_code == 201, prepared.text
    await as_(client, who)
    if kind == "mediation":  # the mediator hands in the signed mediation agreement before it is held
        signed = ("overeenkomst.txt", b"Getekend door beide partijen.", "text/plain")
        assert (await client.post(f"{url}/agreement", files={"agreement": signed})).status_code == 201
    assert (await client.post(f"{url}/held", json={"held_on": DAY})).status_code == 201
    done = await client.post(f"{url}/completion", json={"type": kind, **completion})
    assert done.status_code == 201 and done.json()["status"] == "completed", done.text
    return url


async def concluded_and_closed(client: Any, c: Cast, case: str, receipt: str, portal: str, **decision: Any) -> None:
    """Part C's end: the decision, the reporter and the accused told, monitoring, aftercare, evaluation, closure."""
    base = api(c, case)
    await as_(client, c.decider)
    body = {"finding": "well_founded", "reasons": REASONS, "monitor_on": IN_A_WEEK.isoformat(), **decision}
    made = await client.post(f"{base}/outcome/decision", json=body)
    assert made.status_code == 201 and made.json()["status"] == "concluded", made.text
    assert (await client.post(f"{base}/outcome/reporter", json={"note": NOTE})).status_code == 201
    party = (await client.get(f"{base}/parties")).json()
    accused = next(p["id"] for p in (party if isinstance(party, list) else party["parties"]) if p["role"] == "accused")
    assert (await client.post(f"{base}/outcome/accused", json={"party_id": accused})).status_code == 201
    entry = {"behaviour_stopped": True, "work_restored": True, "note": "Het gaat goed in het team."}
    assert (await client.post(f"{base}/outcome/monitoring", json=entry)).status_code == 201
    aftercare = {
        "party": "reporter",
        "kind": "check_in",
        "owner_tenant_id": str(c.adviser.account_tenant_id),
        "owner_id": str(c.adviser.account_id),
        "due_on": (TODAY + timedelta(days=30)).isoformat(),
        "text": "Over een maand vragen hoe het gaat.",
    }
    assert (await client.post(f"{base}/outcome/aftercare", json=aftercare)).status_code == 201
    assert (await client.post(f"{base}/outcome/evaluation", json=EVALUATION)).status_code == 201

    # The accused reads the outcome letter in the portal, before closure ends their access.
    token, code = portal.split(" ")
    client.cookies.clear()
    portal_api = f"/api/v1/p/{c.member.slug}"
    key = (await client.post(f"{portal_api}/activation", json={"token": token, "code": code})).json()["key"]
    heads = {"X-Party-Link": token, "X-Party-Key": key}
    shared = (await client.get(f"{portal_api}/portal", headers=heads)).json()["shared"]
    assert "Uitkomst van de melding" in [s["title"] for s in shared]

    await as_(client, c.decider)
    closed = await client.post(f"{base}/outcome/closure", json={})
    assert closed.status_code == 201 and closed.json()["status"] == "closed", closed.text
    client.cookies.clear()
    assert (await client.get(f"{portal_api}/portal", headers=heads)).status_code in (401, 403, 404)
    await closed_for_the_reporter(client, c, receipt, told=True)


async def closed_for_the_reporter(client: Any, c: Cast, receipt: str, *, told: bool = False) -> None:
    client.cookies.clear()
    client.headers.pop("x-csrf-token", None)
    inbox = (await client.post(f"/api/v1/public/{c.member.slug}/inbox", json={"receipt": receipt})).json()
    assert inbox["status"] == "closed"
    if told:
        assert any(NOTE in m["text"] for m in inbox["messages"])
    page = await client.post(f"/m/{c.member.slug}/inbox", data={"receipt": receipt}, headers=HTML)
    assert page.status_code == 200 and "afgesloten" in page.text


async def retention_started(app_engine: AsyncEngine, c: Cast, case: str) -> None:
    events = await sql(app_engine, c.member, "SELECT trigger FROM case_events WHERE case_id = :c", c=case)
    assert [e.trigger for e in events].count("case_closed") == 1
    status = await sql(app_engine, c.member, "SELECT status FROM cases WHERE id = :c", c=case)
    assert status[0].status == "closed"
    invitations = await sql(app_engine, c.member, "SELECT revoked_at FROM party_invitations WHERE case_id = :c", c=case)
    assert all(i.revoked_at is not None for i in invitations)


async def closed_by_the_point(
    client: Any, app_engine: AsyncEngine, c: Cast, case: str, receipt: str, body: dict[str, str]
) -> None:
    """A route without a panel: its reporting point closes the case; retention starts, the reporter reads it."""
    await as_(client, c.point)
    closed = await client.post(f"{api(c, case)}/outcome/closure", json=body)
    assert closed.status_code == 201, closed.text
    await retention_started(app_engine, c, case)
    await closed_for_the_reporter(client, c, receipt)


@pytest.mark.parametrize("kind", list(FOLLOW_UPS))
async def test_a_report_is_carried_through_its_follow_up_to_closure(
    kind: str, client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    w = await crew(app_engine, settings, make_tenant)
    case, receipt = await panel_case_with_receipt(client, w.c, app_engine, accused_role="colleague")
    portal = await phase_one(client, w.c, case, kind)
    await follow_up(client, w, case, kind)
    await as_(client, w.c.decider)
    process = (await client.get(f"{api(w.c, case)}/process")).json()
    assert process["status"] == "following_up"
    assert all(d["met_at"] is not None for d in process["deadlines"] if d["kind"] == "follow_up")
    # The follow-up done, the decision is the open work, for the panel's decision maker.
    [decision] = [d for d in process["deadlines"] if d["kind"] == "decision"]
    assert decision["met_at"] is None and decision["responsible_role"] == "decision_maker"
    await concluded_and_closed(client, w.c, case, receipt, portal)
    await as_(client, w.c.decider)  # a closed case takes no step any more, and its page offers none
    late = await client.post(f"{api(w.c, case)}/steps", json={"type": "reporter_told", "told_on": DAY})
    assert late.status_code == 409 and "afgesloten" in late.json()["detail"]
    page = await client.get(f"/app/t/{w.c.member.slug}/zaken/{case}", headers=HTML)
    assert page.status_code == 200 and 'value="reporter_told"' not in page.text
    await the_timeline_runs_from_report_to_closure(client, w, case, kind)
    met = await sql(
        app_engine, w.c.member, "SELECT met_at FROM deadlines WHERE kind = 'decision' AND case_id = :c", c=case
    )
    assert [row.met_at is not None for row in met] == [True]
    await retention_started(app_engine, w.c, case)


async def the_timeline_runs_from_report_to_closure(client: Any, w: Any, case: str, kind: str) -> None:
    """The case page's one timeline: every stage in the order it happened, the same facts for the process
    guardian, and none of the words."""
    page = await client.get(f"/app/t/{w.c.member.slug}/zaken/{case}", headers=HTML)
    timeline = page.text.split('data-testid="timeline"', 1)[1].split("</ol>", 1)[0]
    kind_name = text("nl", f"intervention.kind.{kind}")
    stages = [
        "Melding ontvangen",
        "Doorverwezen: " + text("nl", "case.routes.decision_panel"),
        "Verklaring ondertekend als",
        text("nl", "case.step_kinds.weighing"),
        f"Opvolging gestart: {kind_name}",
        f"Opvolging {kind_name}: " + text("nl", "intervention.status.completed"),
        "Besluit genomen: " + text("nl", "outcome.finding.well_founded"),
        "Procedure geëvalueerd",
        "Zaak afgesloten",
    ]
    places = [timeline.find(html.escape(stage)) for stage in stages]
    assert all(place >= 0 for place in places) and places == sorted(places), list(zip(stages, places, strict=True))
    await as_(client, w.c.pooled)
    seen = await client.get(f"/app/t/{w.c.member.slug}/zaken/{case}?lang=en", headers=HTML)
    assert "Case closed" in seen.text and f"Follow-up started: {text('en', f'intervention.kind.{kind}')}" in seen.text
    assert REASONS not in seen.text


async def test_a_denied_corrective_conversation_goes_back_to_the_panel_and_a_second_weighing_leads_on(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    w = await crew(app_engine, settings, make_tenant)
    case, receipt = await panel_case_with_receipt(client, w.c, app_engine, accused_role="colleague")
    portal = await phase_one(client, w.c, case, "corrective_conversation")
    _, _, _, preparation, _ = FOLLOW_UPS["corrective_conversation"]
    base, iid = await started(client, w, case, "corrective_conversation")
    url = f"{base}/{iid}"
    await seated_and_declared(client, w, url, (w.line_manager, "line_manager", {}))
    await as_(client, w.c.decider)
    prepared = await client.post(f"{url}/preparation", json={"type": "corrective_conversation", **preparation})
    assert prepared.status_code == 201
    await as_(client, w.line_manager)
    assert (await client.post(f"{url}/held", json={"held_on": DAY})).status_code == 201
    denied = await client.post(f"{url}/denial", json={"denied_on": DAY})
    assert denied.status_code == 201 and denied.json()["status"] == "back_to_panel"
    no_decision = await sql(app_engine, w.c.member, "SELECT id FROM deadlines WHERE kind = 'decision'")
    assert no_decision == []  # back at the panel: it weighs again, nobody decides yet

    await as_(client, w.c.decider)
    early = await client.post(
        f"{api(w.c, case)}/outcome/decision", json={"finding": "well_founded", "reasons": REASONS}
    )
    assert early.status_code == 409  # back at the panel: it weighs again before anyone decides
    again = await client.post(f"{api(w.c, case)}/steps", json=weighing("labour_law_measure"))
    assert again.status_code == 201, again.text
    await concluded_and_closed(client, w.c, case, receipt, portal, measures=[SUSPENSION])
    await retention_started(app_engine, w.c, case)


async def test_an_adviser_only_case_closes_once_the_reporter_says_so_from_the_inbox(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    w = await crew(app_engine, settings, make_tenant)
    c = w.c
    case, receipt = await routed(client, c, app_engine, "adviser_only")
    await answered(client, c, case)
    unasked = await client.post(f"{api(c, case)}/outcome/closure", json={})
    assert unasked.status_code == 409 and "melder" in unasked.json()["detail"]
    client.cookies.clear()
    client.headers.pop("x-csrf-token", None)
    said = await client.post(
        f"/api/v1/public/{c.member.slug}/inbox/closure", json={"receipt": receipt, "may_close": True}
    )
    assert said.status_code in (200, 201), said.text
    await as_(client, c.point)
    await closed_by_the_point(client, app_engine, c, case, receipt, {})


async def test_a_police_case_closes_after_its_report_with_a_reason(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    w = await crew(app_engine, settings, make_tenant)
    c = w.c
    duty = {"legal_duties": ["police_report_duty"], "duty_reasons": {"police_report_duty": "Verkrachting genoemd."}}
    case, receipt = await routed(client, c, app_engine, "police", **duty)
    await answered(client, c, case)
    report = {"type": "police_report", "reported_on": DAY, "reported_by": "reporter", "reference": "PL-1"}
    assert (await client.post(f"{api(c, case)}/route-steps", json=report)).status_code == 201
    reasonless = await client.post(f"{api(c, case)}/outcome/closure", json={})
    assert reasonless.status_code == 409 and "reden" in reasonless.json()["detail"]
    await closed_by_the_point(client, app_engine, c, case, receipt, {"reason": "De politie onderzoekt het."})


async def test_a_whistleblower_case_closes_after_its_acknowledgement_and_feedback(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    w = await crew(app_engine, settings, make_tenant)
    c = w.c
    duty = {
        "legal_duties": ["whistleblower_wrongdoing"],
        "duty_reasons": {"whistleblower_wrongdoing": "Structureel patroon, leidinggevenden betrokken."},
    }
    case, receipt = await routed(client, c, app_engine, "whistleblower", **duty)
    base = api(c, case)
    ack = {"type": "whistleblower_acknowledged", "acknowledged_on": DAY, "how": "through_inbox"}
    feedback = {"type": "whistleblower_feedback", "given_on": DAY, "how": "in_writing", "summary": "Onderzocht."}
    early = await client.post(f"{base}/outcome/closure", json={"reason": "Afgehandeld."})
    assert early.status_code == 409
    for step in (ack, feedback):
        assert (await client.post(f"{base}/route-steps", json=step)).status_code == 201
    # The acknowledgement through the regime is the acknowledgement of receipt: nothing else is left open.
    await closed_by_the_point(client, app_engine, c, case, receipt, {"reason": "De misstand is onderzocht."})


async def test_a_no_action_case_closes_with_a_reason(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    w = await crew(app_engine, settings, make_tenant)
    c = w.c
    case, receipt = await routed(client, c, app_engine, "no_action", alternative="Voorlichting in het team.")
    await answered(client, c, case)
    await closed_by_the_point(client, app_engine, c, case, receipt, {"reason": "De voorlichting is gegeven."})


async def test_follow_ups_in_parallel_leave_the_decision_open_only_once_the_last_has_ended(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    w = await crew(app_engine, settings, make_tenant)
    case, _ = await panel_case_with_receipt(client, w.c, app_engine, accused_role="colleague")
    await as_(client, w.c.decider)
    chosen = weighing("informal_conversation")
    chosen["chosen"] = ["informal_conversation", "bemiddeling"]
    del chosen["reasons_rejected"]["bemiddeling"]
    assert (await client.post(f"{api(w.c, case)}/steps", json=chosen)).status_code == 201
    base, planned = await started(client, w, case, "bemiddeling")
    await follow_up(client, w, case, "informal_conversation")

    async def decisions() -> list[bool]:
        rows = await sql(
            app_engine, w.c.member, "SELECT met_at FROM deadlines WHERE kind = 'decision' AND case_id = :c", c=case
        )
        return [row.met_at is None for row in rows]

    assert await decisions() == []  # the bemiddeling is still open: nothing to decide yet
    await as_(client, w.c.decider)
    stopped = await client.post(f"{base}/{planned}/stop", json={"reason": "De melder wil het niet meer."})
    assert stopped.status_code in (200, 201), stopped.text
    assert await decisions() == [True]  # the last one ended (stopped): the decision is the open work
    made = await client.post(f"{api(w.c, case)}/outcome/decision", json={"finding": "well_founded", "reasons": REASONS})
    assert made.status_code == 201, made.text
    assert await decisions() == [False]

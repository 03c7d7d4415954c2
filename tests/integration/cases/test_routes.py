"""Every route leads somewhere (issue 13, DESIGN §7 "Routing"), through the API and the pages against real
PostgreSQL and Redis: the whistleblower regime's acknowledgement and feedback are steps that meet their terms,
a police report is recorded and the case routed on, an adviser-only case is closed when the reporter says so
from the inbox; each legal duty has its own reason and a care organisation answers the IGJ question; and
every deadline reminds the seat on its case that answers for it, never every holder of a role in the tenant."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from meldpunt.cases.deadlines import sweep_tenant
from meldpunt.db.engine import create_sessionmaker
from meldpunt.identity.roles import Role
from meldpunt.settings import Settings
from tests.conftest import MakeTenant, TenantRef
from tests.integration.cases.test_case_handling import (
    ROUTE,
    TODAY,
    Cast,
    as_,
    case_ids,
    cast,
    declared_panel,
    new_case,
    person,
)
from tests.integration.intake.test_submissions import submit

HTML = {"accept": "text/html"}
COMPLAINT = {
    "kind": "complaint",
    "anonymity": "confidential",
    "identity": {"name": "Sanne de Vries", "contact": "sanne@example.org"},
    "accused_role": "colleague",
}


async def rows(engine: AsyncEngine, tenant: TenantRef, sql: str, **params: Any) -> list[Any]:
    async with engine.begin() as connection:
        await connection.execute(text(f"SET LOCAL meldpunt.tenant_ids = '{{{tenant.id}}}'"))
        return list((await connection.execute(text(sql), params)).all())


async def sweep(engine: AsyncEngine, tenant: TenantRef) -> None:
    async with create_sessionmaker(engine)() as session:
        await sweep_tenant(session, tenant.id, datetime.now(UTC))
        await session.commit()


async def routed(client: Any, c: Cast, engine: AsyncEngine, route: str, **body: Any) -> tuple[str, str]:
    """A new report at the member, routed by its reporting point; the case and the receipt."""
    client.cookies.clear()
    client.headers.pop("x-csrf-token", None)
    receipt = (await submit(client, c.member.slug, accused_role="colleague")).json()["receipt"]
    case = (await case_ids(engine, c.member))[-1]
    await as_(client, c.point)
    response = await client.post(
        f"/api/v1/t/{c.member.slug}/cases/{case}/routing", json={**ROUTE, "route": route, **body}
    )
    assert response.status_code == 201, response.text
    return case, receipt


async def test_de_linde_a_committee_complaint_reminds_no_decision_maker_and_its_breach_no_guardian(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    """The regression of issue 13: a complaint routed to the committee reminded De Linde's decision maker to
    inform an accused she has nothing to do with, and its breach reached a guardian who does not guard it."""
    c = await cast(app_engine, settings, make_tenant)
    await new_case(client, c.member.slug, **COMPLAINT)
    case = (await case_ids(app_engine, c.member))[-1]
    await as_(client, c.point)
    committee = await client.post(
        f"/api/v1/t/{c.member.slug}/cases/{case}/routing",
        json={**ROUTE, "classified_as": "complaint", "route": "complaints_committee"},
    )
    assert committee.status_code == 201, committee.text
    inform = next(d for d in committee.json()["deadlines"] if d["kind"] == "inform_accused")
    # The committee's track (issue 15) holds it; nobody is seated for it here yet, and the page says so.
    assert inform["responsible_role"] == "complaints_committee" and inform["owned"] is False
    assert inform["met_at"] is None and inform["ended_by"] is None

    soon = "now() + interval '3 days' - interval '1 hour'"
    await rows(app_engine, c.member, f"UPDATE deadlines SET due_at = {soon} WHERE kind = 'inform_accused' RETURNING id")
    await sweep(app_engine, c.member)
    await rows(
        app_engine,
        c.member,
        "UPDATE deadlines SET due_at = now() - interval '1 hour' WHERE kind = 'inform_accused' RETURNING id",
    )
    await sweep(app_engine, c.member)

    sent = await rows(app_engine, c.member, "SELECT account_id FROM notifications WHERE kind LIKE 'case.deadline%'")
    # The member's decision makers and guardians (c.decider, c.manager, c.own_guardian) hold the roles; none sits
    # here, so none hears of it. Only the reporting point's own term (the acknowledgement, due in 7 days) reminds.
    assert [row[0] for row in sent] == [c.point.account_id]
    audited = await rows(
        app_engine,
        c.member,
        "SELECT action, details->>'message' FROM audit_entries WHERE resource_id = :case AND action LIKE 'deadline.%'",
        case=case,
    )
    assert sorted(audited) == sorted(
        [
            ("deadline.unowned", "case.deadline_reminder"),
            ("deadline.unowned", "case.deadline_breach"),
            ("deadline.breached", None),
        ]
    )


async def test_a_breach_reaches_the_seated_guardian_only_and_a_reminder_the_seat_not_the_role(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    c = await cast(app_engine, settings, make_tenant)
    case = await declared_panel(client, c, app_engine)
    await rows(
        app_engine,
        c.member,
        "UPDATE deadlines SET due_at = now() - interval '1 hour' WHERE kind = 'choice' RETURNING id",
    )
    await rows(
        app_engine,
        c.member,
        "UPDATE deadlines SET due_at = now() + interval '3 days' - interval '1 hour' "
        "WHERE kind = 'first_conversation' RETURNING id",
    )
    await sweep(app_engine, c.member)
    sent = {
        (kind, str(account))
        for kind, account in await rows(
            app_engine, c.member, "SELECT kind, account_id FROM notifications WHERE kind LIKE 'case.deadline%'"
        )
    }
    assert ("case.deadline_breach", str(c.pooled.account_id)) in sent
    assert ("case.deadline_reminder", str(c.decider.account_id)) in sent
    # The member's own guardian and the other decision maker hold the roles but have no seat at this case.
    assert not {str(c.own_guardian.account_id), str(c.manager.account_id)} & {account for _, account in sent}

    # The decision maker leaves: the case's decision-maker terms have nobody, the guardian's dashboard says so.
    await rows(
        app_engine, c.member, "UPDATE panel_members SET left_at = now() WHERE role = 'decision_maker' RETURNING id"
    )
    await as_(client, c.pooled)
    guarded = (await client.get("/api/v1/guardian/cases")).json()
    assert [(g["case_id"], g["unowned"]) for g in guarded] == [(case, 3)]  # inform_accused, first_conversation, choice
    page = await client.get("/app/procesbewaker", headers=HTML)
    assert page.status_code == 200 and "Zonder verantwoordelijke" in page.text


async def test_the_whistleblower_regime_acknowledgement_and_feedback_are_steps_that_meet_their_terms(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    c = await cast(app_engine, settings, make_tenant)
    duty = {
        "legal_duties": ["whistleblower_wrongdoing"],
        "duty_reasons": {"whistleblower_wrongdoing": "Structureel patroon, leidinggevenden betrokken."},
    }
    case, _ = await routed(client, c, app_engine, "whistleblower", **duty)
    base = f"/api/v1/t/{c.member.slug}/cases/{case}"
    owners = await rows(
        app_engine,
        c.member,
        "SELECT kind, responsible_id, due_at - (SELECT created_at FROM cases WHERE id = :case) AS term "
        "FROM deadlines WHERE case_id = :case AND kind LIKE 'whistleblower%'",
        case=uuid.UUID(case),
    )
    # The reporting point that routed it answers for both; 7 days from the report, 3 months from routing.
    assert {kind: (owner, round(term.total_seconds() / 86400)) for kind, owner, term in owners} == {
        "whistleblower_acknowledgement": (c.point.account_id, 7),
        "whistleblower_feedback": (c.point.account_id, 92),
    }
    today = TODAY.isoformat()
    feedback = {"type": "whistleblower_feedback", "given_on": today, "how": "in_writing", "summary": "Onderzocht."}
    first = await client.post(f"{base}/route-steps", json=feedback)
    assert first.status_code == 409 and "Bevestig eerst de ontvangst" in first.json()["detail"]
    ahead = (TODAY + timedelta(days=1)).isoformat()
    future = await client.post(
        f"{base}/route-steps",
        json={"type": "whistleblower_acknowledged", "acknowledged_on": ahead, "how": "in_writing"},
    )
    assert future.status_code == 409 and "toekomst" in future.json()["detail"]
    police = await client.post(
        f"{base}/route-steps",
        json={"type": "police_report", "reported_on": today, "reported_by": "reporter", "reference": "X"},
    )
    assert police.status_code == 409 and "aangifte bij de politie" in police.json()["detail"]
    ack = {"type": "whistleblower_acknowledged", "acknowledged_on": today, "how": "through_inbox"}
    assert (await client.post(f"{base}/route-steps", json=ack)).status_code == 201
    given = await client.post(f"{base}/route-steps", json=feedback)
    assert given.status_code == 201 and given.json()["content"] is None and "Onderzocht" not in given.text
    process = (await client.get(f"{base}/process")).json()
    met = {d["kind"]: d["met_at"] is not None for d in process["deadlines"]}
    assert met["whistleblower_acknowledgement"] and met["whistleblower_feedback"]
    assert [s["kind"] for s in process["steps"]] == ["whistleblower_acknowledged", "whistleblower_feedback"]
    sealed = await rows(
        app_engine, c.member, "SELECT facts::text, sealed_content FROM case_steps WHERE kind = 'whistleblower_feedback'"
    )
    assert "Onderzocht" not in sealed[0][0] and b"Onderzocht" not in sealed[0][1]
    # Nothing of the regime holds the case open any more (``close_case`` closes it with a reason).
    assert not {d["kind"] for d in process["deadlines"] if d["met_at"] is None} - {"acknowledge"}


async def test_a_police_report_is_recorded_once_and_the_case_can_go_on_to_the_panel(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    c = await cast(app_engine, settings, make_tenant)
    duty = {"legal_duties": ["police_report_duty"], "duty_reasons": {"police_report_duty": "Verkrachting genoemd."}}
    case, _ = await routed(client, c, app_engine, "police", **duty)
    base = f"/api/v1/t/{c.member.slug}/cases/{case}"
    inform = next(d for d in (await client.get(f"{base}/process")).json()["deadlines"] if d["kind"] == "inform_accused")
    assert inform["ended_by"] == "police"  # nobody in this track informs the accused: the route ends the month
    report = {
        "type": "police_report",
        "reported_on": TODAY.isoformat(),
        "reported_by": "reporter",
        "reference": "PL-2026-99",
    }
    recorded = await client.post(f"{base}/route-steps", json=report)
    assert recorded.status_code == 201 and recorded.json()["facts"] == {
        "reported_on": TODAY.isoformat(),
        "reported_by": "reporter",
    }
    again = await client.post(f"{base}/route-steps", json=report)
    assert again.status_code == 409 and "al vastgelegd" in again.json()["detail"]
    wrong = await client.post(f"{base}/route-steps", json={**report, "reported_by": "the neighbour"})
    assert wrong.status_code == 400

    onward = await client.post(f"{base}/routing", json={**ROUTE, **duty, "reason": "Na de aangifte: de beslistafel."})
    assert onward.status_code == 201, onward.text
    deadlines = onward.json()["deadlines"]
    # Back at the panel the month runs again from the report, for the panel's decision maker.
    informs = sorted(
        (d["ended_by"] or "", d["met_at"] is None, d["responsible_role"])
        for d in deadlines
        if d["kind"] == "inform_accused"
    )
    assert informs == [("", True, "decision_maker"), ("police", False, "decision_maker")]
    assert any(d["kind"] == "panel" and d["met_at"] is None for d in deadlines)
    late = await client.post(f"{base}/route-steps", json=report)
    assert late.status_code == 409 and "aangifte bij de politie" in late.json()["detail"]


async def test_the_reporter_says_from_the_inbox_that_an_adviser_only_case_may_close(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    c = await cast(app_engine, settings, make_tenant)
    case, receipt = await routed(client, c, app_engine, "adviser_only")
    panel_case, panel_receipt = await routed(client, c, app_engine, "decision_panel")
    client.cookies.clear()
    client.headers.pop("x-csrf-token", None)
    url = f"/api/v1/public/{c.member.slug}/inbox/closure"
    assert (await client.post(url, json={"receipt": receipt, "may_close": False})).status_code == 400
    not_here = await client.post(url, json={"receipt": panel_receipt, "may_close": True})
    assert not_here.status_code == 409 and "niet alleen bij de vertrouwenspersoon" in not_here.json()["detail"]

    inbox = await client.post(f"/m/{c.member.slug}/inbox", data={"receipt": receipt}, headers=HTML)
    assert "Mag uw zaak dicht?" in inbox.text and "ligt bij de vertrouwenspersoon" in inbox.text
    unticked = await client.post(
        f"/m/{c.member.slug}/inbox/dicht", data={"receipt": receipt, "remark": "Het gaat beter."}, headers=HTML
    )
    assert unticked.status_code == 400 and "Vink aan" in unticked.text and "Het gaat beter." in unticked.text
    said = await client.post(
        f"/m/{c.member.slug}/inbox/dicht",
        data={"receipt": receipt, "remark": "Het gaat beter, dank.", "confirm": "yes"},
        headers=HTML,
    )
    assert said.status_code == 200 and "dicht mag" in said.text and "Mag uw zaak dicht?" not in said.text
    twice = await client.post(url, json={"receipt": receipt, "may_close": True})
    assert twice.status_code == 409 and "al gezegd" in twice.json()["detail"]
    english = await client.post(f"/m/{c.member.slug}/inbox?lang=en", data={"receipt": receipt}, headers=HTML)
    assert "You said the case may be closed" in english.text

    step = await rows(
        app_engine,
        c.member,
        "SELECT kind, recorded_by_id, facts::text, sealed_content FROM case_steps WHERE case_id = :case",
        case=uuid.UUID(case),
    )
    assert [(s[0], s[1]) for s in step] == [("reporter_closed", None)]
    assert "beter" not in step[0][2] and b"beter" not in step[0][3]
    told = await rows(app_engine, c.member, "SELECT account_id FROM notifications WHERE kind = 'intake.update'")
    assert [row[0] for row in told] == [c.point.account_id]
    await as_(client, c.point)
    page = await client.get(f"/app/t/{c.member.slug}/zaken/{case}", headers=HTML)
    assert "De melder heeft gezegd dat de zaak dicht mag." in page.text
    assert panel_case != case


async def test_a_receipt_of_another_organisation_does_not_open_the_closure(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    c = await cast(app_engine, settings, make_tenant)
    _, receipt = await routed(client, c, app_engine, "adviser_only")
    other = await make_tenant()
    client.cookies.clear()
    client.headers.pop("x-csrf-token", None)
    foreign = await client.post(
        f"/api/v1/public/{other.slug}/inbox/closure", json={"receipt": receipt, "may_close": True}
    )
    unknown = await client.post(
        f"/api/v1/public/{other.slug}/inbox/closure", json={"receipt": "1234 5678 9012 3456", "may_close": True}
    )
    assert foreign.status_code == unknown.status_code == 401
    assert foreign.json()["type"] == unknown.json()["type"] and foreign.json()["type"].endswith(
        "/receipt-not-recognised"
    )
    assert await rows(app_engine, c.member, "SELECT id FROM case_steps") == []


async def test_each_legal_duty_has_its_own_reason_and_a_care_organisation_answers_the_igj_question(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, owner_engine: AsyncEngine, settings: Settings
) -> None:
    c = await cast(app_engine, settings, make_tenant)
    await new_case(client, c.member.slug, accused_role="colleague")
    case = (await case_ids(app_engine, c.member))[-1]
    await as_(client, c.point)
    url = f"/api/v1/t/{c.member.slug}/cases/{case}/routing"
    duties = {"legal_duties": ["police_report_duty", "care_sector_duty"]}
    one = {"duty_reasons": {"police_report_duty": "Verkrachting genoemd."}}
    unexplained = await client.post(url, json={**ROUTE, **duties, **one})
    assert unexplained.status_code == 400 and "meldplicht in de zorg" in unexplained.json()["detail"]
    assert "aangifteplicht" not in unexplained.json()["detail"]
    stray = await client.post(url, json={**ROUTE, "duty_reasons": {"care_sector_duty": "Geweld door een cliënt."}})
    assert stray.status_code == 400 and "niet is aangevinkt" in stray.json()["detail"]
    unasked = await client.post(url, json={k: v for k, v in ROUTE.items() if k != "igj_answer"})
    assert unasked.status_code == 400 and "IGJ" in unasked.json()["detail"]
    reportable = await client.post(url, json={**ROUTE, "igj_answer": "reportable"})
    assert reportable.status_code == 400 and "vink de meldplicht in de zorg" in reportable.json()["detail"]
    reasons = {"police_report_duty": "Verkrachting genoemd.", "care_sector_duty": "Geweld in de zorgrelatie."}
    done = await client.post(url, json={**ROUTE, **duties, "duty_reasons": reasons, "igj_answer": "reportable"})
    assert done.status_code == 201 and done.json()["igj_answer"] == "reportable"
    assert "Verkrachting" not in done.text
    sealed = await rows(app_engine, c.member, "SELECT sealed_duty_reasons, igj_answer FROM case_routings")
    assert sealed[0][1] == "reportable" and b"Verkrachting" not in sealed[0][0]

    async with owner_engine.begin() as connection:  # an organisation outside care (SBI 62: IT) is not asked
        await connection.execute(text("UPDATE tenants SET sector_code = '62.01' WHERE id = :t"), {"t": c.member.id})
    await new_case(client, c.member.slug, accused_role="colleague")
    other = (await case_ids(app_engine, c.member))[-1]
    await as_(client, c.point)
    plain = {k: v for k, v in ROUTE.items() if k != "igj_answer"}
    assert (await client.post(f"/api/v1/t/{c.member.slug}/cases/{other}/routing", json=plain)).status_code == 201


async def test_the_route_steps_refuse_another_tenant_and_another_case(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    c = await cast(app_engine, settings, make_tenant)
    case, _ = await routed(client, c, app_engine, "whistleblower")
    elsewhere = await cast(app_engine, settings, make_tenant)
    foreign, _ = await routed(client, elsewhere, app_engine, "whistleblower")
    ack = {"type": "whistleblower_acknowledged", "acknowledged_on": TODAY.isoformat(), "how": "in_writing"}
    stranger = await person(app_engine, settings, elsewhere.member, {elsewhere.member: (Role.REPORTING_POINT,)})
    await as_(client, stranger)
    across = await client.post(f"/api/v1/t/{c.member.slug}/cases/{case}/route-steps", json=ack)
    assert across.status_code == 403
    page = await client.post(f"/app/t/{c.member.slug}/zaken/{case}/routestap", data=ack, headers=HTML)
    assert page.status_code == 403
    await as_(client, c.point)  # the other tenant's case under this tenant's address: as if it did not exist
    foreign_case = await client.post(f"/api/v1/t/{c.member.slug}/cases/{foreign}/route-steps", json=ack)
    missing = await client.post(f"/api/v1/t/{c.member.slug}/cases/{uuid.uuid4()}/route-steps", json=ack)
    assert foreign_case.status_code == missing.status_code == 404
    assert foreign_case.json()["type"] == missing.json()["type"]
    assert await rows(app_engine, elsewhere.member, "SELECT id FROM case_steps") == []


async def test_the_case_page_records_the_route_steps_and_a_refusal_keeps_what_was_typed(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    c = await cast(app_engine, settings, make_tenant)
    case, _ = await routed(client, c, app_engine, "whistleblower")
    page = f"/app/t/{c.member.slug}/zaken/{case}"
    shown = await client.get(page, headers=HTML)
    assert "Stappen van deze route" in shown.text and "Ontvangst bevestigd aan de klokkenluider" in shown.text
    early = await client.post(
        f"{page}/routestap",
        data={
            "type": "whistleblower_feedback",
            "given_on": TODAY.isoformat(),
            "how": "in_writing",
            "summary": "Typed-9f2",
        },
        headers=HTML,
        follow_redirects=False,
    )
    assert early.status_code == 409 and "Bevestig eerst" in early.text and "Typed-9f2" in early.text
    ack = {"type": "whistleblower_acknowledged", "acknowledged_on": TODAY.isoformat(), "how": "in_writing"}
    assert (await client.post(f"{page}/routestap", data=ack, headers=HTML, follow_redirects=False)).status_code == 303
    english = await client.get(f"{page}?lang=en", headers=HTML)
    assert "Receipt acknowledged to the whistleblower" in english.text

    await new_case(client, c.member.slug, accused_role="colleague")
    fresh = (await case_ids(app_engine, c.member))[-1]
    await as_(client, c.point)
    form = await client.get(f"/app/t/{c.member.slug}/zaken/{fresh}", headers=HTML)
    assert "IGJ" in form.text and 'name="duty_reason_police_report_duty"' in form.text
    refused = await client.post(
        f"/app/t/{c.member.slug}/zaken/{fresh}/doorzetten",
        data={**ROUTE, "legal_duties": "police_report_duty", "reason": "Typed-reason-77"},
        headers=HTML,
        follow_redirects=False,
    )
    assert refused.status_code == 400 and "aangifteplicht" in refused.text and "Typed-reason-77" in refused.text
    routed_page = await client.post(
        f"/app/t/{c.member.slug}/zaken/{fresh}/doorzetten",
        data={
            **ROUTE,
            "route": "police",
            "legal_duties": "police_report_duty",
            "duty_reason_police_report_duty": "Verkrachting genoemd.",
        },
        headers=HTML,
        follow_redirects=False,
    )
    assert routed_page.status_code == 303
    police = await client.get(f"/app/t/{c.member.slug}/zaken/{fresh}", headers=HTML)
    assert "Kenmerk van de aangifte" in police.text and "Vervallen door de route" in police.text

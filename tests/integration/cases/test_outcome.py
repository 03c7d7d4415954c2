"""The end of a case through the API against real PostgreSQL and Redis (issue 13, part C): the decision waits for
the weighing and every follow-up and keeps its rules; the reporter, the accused and the team are told the outcome
each in their own way; monitoring may send the case back up the ladder; aftercare outlives closure and is done by
its owner; the evaluation hears every perspective; closure is refused while a mandatory step is open and starts
retention; a sanction's end is recorded by the sweep. Every route refuses another tenant and another case."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import time_machine
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from meldpunt.cases.deadlines import sweep_tenant
from meldpunt.cases.outcome import end_sanctions
from meldpunt.cases.outcome_jobs import sweep_sanctions
from meldpunt.db.context import tenant_context
from meldpunt.db.engine import create_sessionmaker
from meldpunt.dossiers.keys import Keyring, LocalRootKey
from meldpunt.dossiers.storage import create_object_store
from meldpunt.identity.roles import Role
from meldpunt.intake.models import Case
from meldpunt.intake.services import add_deadline
from meldpunt.jobs.runtime import JobRuntime, install_runtime
from meldpunt.jobs.scheduler import schedule_table
from meldpunt.retention.services import EffectiveRule, purge_tenant, sync_policies
from meldpunt.settings import Settings
from tests.conftest import MakeTenant, TenantRef
from tests.integration.cases.test_case_handling import (
    LADDER_OPTIONS,
    ROUTE,
    STATEMENT,
    TODAY,
    Cast,
    as_,
    case_ids,
    cast,
    person,
)
from tests.integration.intake.test_submissions import submit

YESTERDAY, IN_A_WEEK, IN_A_MONTH = TODAY - timedelta(days=1), TODAY + timedelta(days=7), TODAY + timedelta(days=30)
REASONS = "Het gedrag is aannemelijk gemaakt door twee getuigen. marker-5e1d"
SUSPENSION = {
    "kind": "suspension",
    "description": "Twee weken schorsing met behoud van loon.",
    "reasons": "Herhaald gedrag na een eerdere waarschuwing.",
    "heard_on": YESTERDAY.isoformat(),
    "ends_on": IN_A_MONTH.isoformat(),
}
EVALUATION = {
    "perspectives": {
        "reporter": "De melder voelde zich gehoord.",
        "accused": "De beschuldigde vond de termijn lang.",
        "panel": "De beslistafel wil sneller het eerste gesprek.",
        "others": "Het team wist niet waar het terecht kon.",
    },
    "findings": "Het eerste gesprek kwam laat; de communicatie naar het team was goed.",
    "actions": "Het meldprotocol noemt een termijn voor het eerste gesprek.",
}
ACCUSED = {"role": "accused", "name": "Jan de Vries", "contact": "jan.devries@example.test"}


def api(c: Cast, case: str) -> str:
    return f"/api/v1/t/{c.member.slug}/cases/{case}"


async def sql(engine: AsyncEngine, tenant: TenantRef, statement: str, **values: Any) -> list[Any]:
    async with engine.begin() as connection:
        await connection.execute(text(f"SET LOCAL meldpunt.tenant_ids = '{{{tenant.id}}}'"))
        result = await connection.execute(text(statement), values)
        return list(result.all()) if result.returns_rows else []


async def panel_case_with_receipt(client: Any, c: Cast, app_engine: AsyncEngine, **submission: Any) -> tuple[str, str]:
    """A report routed to a declared panel; its id and the reporter's receipt."""
    client.cookies.clear()
    client.headers.pop("x-csrf-token", None)
    receipt = (await submit(client, c.member.slug, **submission)).json()["receipt"]
    case = (await case_ids(app_engine, c.member))[-1]
    await as_(client, c.point)
    routing = {**ROUTE, "escalation": "higher_manager"}
    assert (await client.post(f"{api(c, case)}/routing", json=routing)).status_code == 201
    for seat in (c.decider.seat("decision_maker"), c.expert.seat("expert")):
        assert (await client.post(f"{api(c, case)}/panel", json=seat)).status_code == 201
    assert (await client.post(f"{api(c, case)}/panel/pooled-guardian")).status_code == 201
    for who in (c.decider, c.expert, c.pooled):
        await as_(client, who)
        declared = await client.post(f"{api(c, case)}/declaration", json={"involved": False, "statement": STATEMENT})
        assert declared.status_code == 201
    return case, receipt


async def weigh(client: Any, c: Cast, case: str, chosen: str = "labour_law_measure") -> None:
    await as_(client, c.decider)
    weighing = {
        "type": "weighing",
        "interpretation": "Grensoverschrijdend en herhaald.",
        "goals": ["sanction"],
        "chosen": [chosen],
        "reasons_rejected": {option: f"Niet passend: {option}." for option in LADDER_OPTIONS if option != chosen},
        "reporter_input": "De melder wil dat het stopt.",
    }
    assert (await client.post(f"{api(c, case)}/steps", json=weighing)).status_code == 201


async def phase_one_done(client: Any, c: Cast, case: str) -> None:
    """The first conversation, the reporter told, the accused informed, the weighing: phase 1's deadlines met."""
    await as_(client, c.decider)
    today = TODAY.isoformat()
    for step in (
        {
            "type": "first_conversation",
            "held_on": today,
            "staff_present": 2,
            "adviser_offered": True,
            "notes": "Gehoord.",
        },
        {"type": "reporter_told", "told_on": today},
        {"type": "accused_informed", "informed_on": today, "in_writing": True, "summary": "Brief verstuurd."},
    ):
        assert (await client.post(f"{api(c, case)}/steps", json=step)).status_code == 201
    await weigh(client, c, case)
    await as_(client, c.point)
    assert (
        await client.post(f"/api/v1/t/{c.member.slug}/submissions/{case}/messages", json={"text": "Ontvangen."})
    ).status_code == 201


async def decided(client: Any, c: Cast, app_engine: AsyncEngine, **decision: Any) -> tuple[str, str]:
    case, receipt = await panel_case_with_receipt(client, c, app_engine)
    await phase_one_done(client, c, case)
    await as_(client, c.decider)
    body = {"finding": "well_founded", "reasons": REASONS, "measures": [SUSPENSION], **decision}
    made = await client.post(f"{api(c, case)}/outcome/decision", json=body)
    assert made.status_code == 201, made.text
    return case, receipt


def refused(response: Any, reason: str) -> bool:
    return response.status_code in (400, 409) and response.json()["type"].endswith(reason)


async def test_the_decision_waits_for_the_weighing_and_every_follow_up_and_keeps_its_rules(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    c = await cast(app_engine, settings, make_tenant)
    case, _ = await panel_case_with_receipt(client, c, app_engine)
    url = f"{api(c, case)}/outcome/decision"
    good = {
        "finding": "well_founded",
        "reasons": REASONS,
        "measures": [SUSPENSION],
        "monitor_on": IN_A_WEEK.isoformat(),
    }
    await as_(client, c.decider)
    early = await client.post(url, json=good)
    assert refused(early, "/decision-refused") and "wegingskader" in early.json()["detail"]
    await weigh(client, c, case)  # only a measure: nothing to carry out first, so the decision is due now
    due = await sql(
        app_engine,
        c.member,
        "SELECT responsible_id::text, due_at::date - now()::date AS days FROM deadlines "
        "WHERE case_id = :c AND kind = 'decision' AND met_at IS NULL",
        c=case,
    )
    assert [(row.responsible_id, row.days) for row in due] == [(str(c.decider.account_id), 14)]

    async with create_sessionmaker(app_engine)() as session:  # phase 2 (a module above) left a follow-up open
        await tenant_context(session, [c.member.id])
        row = await session.get(Case, (c.member.id, uuid.UUID(case)))
        assert row is not None
        follow_up = add_deadline(session, row, "follow_up", datetime.now(UTC) + timedelta(days=20), "decision_maker")
        await session.commit()
    waiting = await client.post(url, json=good)
    assert refused(waiting, "/decision-refused") and "opvolging" in waiting.json()["detail"]
    await sql(app_engine, c.member, "UPDATE deadlines SET met_at = now() WHERE id = :d", d=follow_up.id)

    unfounded = await client.post(url, json={**good, "finding": "not_well_founded"})
    assert "gegrond" in unfounded.json()["detail"] and unfounded.status_code == 409
    unheard = await client.post(url, json={**good, "measures": [{**SUSPENSION, "heard_on": None}]})
    assert unheard.status_code == 409 and "schorsing" in unheard.json()["detail"]
    unheard_en = await client.post(f"{url}?lang=en", json={**good, "measures": [{**SUSPENSION, "heard_on": None}]})
    assert "suspension" in unheard_en.json()["detail"] and "heard first" in unheard_en.json()["detail"]
    ended = await client.post(url, json={**good, "measures": [{**SUSPENSION, "ends_on": TODAY.isoformat()}]})
    assert ended.status_code == 409 and "einddatum" in ended.json()["detail"]
    assert (await client.post(url, json={**good, "reasons": ""})).status_code == 400

    await as_(client, c.expert)  # a declared expert sees the content but does not decide
    assert (await client.post(url, json=good)).status_code == 403
    await as_(client, c.manager)  # a decision maker without a seat here
    assert (await client.post(url, json=good)).status_code == 403

    await as_(client, c.pooled)  # a process guardian's concern waits for an answer first
    concern = (await client.post(f"{api(c, case)}/concerns", json={"text": "Is de beschuldigde gehoord?"})).json()
    await as_(client, c.decider)
    assert refused(await client.post(url, json=good), "/concern-open")
    answer = {"response": "Ja, gisteren, met zijn begeleider."}
    assert (
        await client.post(f"{api(c, case)}/concerns/{concern['id']}/acknowledgement", json=answer)
    ).status_code == 204
    made = await client.post(url, json=good)
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["status"] == "concluded" and body["decisions"][0]["reasons"] == REASONS
    assert body["decisions"][0]["measures"][0]["content"]["description"] == SUSPENSION["description"]
    again = await client.post(url, json=good)
    assert refused(again, "/decision-refused") and "al een besluit" in again.json()["detail"]

    events = await sql(app_engine, c.member, "SELECT trigger FROM case_events WHERE case_id = :c", c=case)
    assert [e.trigger for e in events] == ["decision_taken"]
    open_kinds = await sql(
        app_engine,
        c.member,
        "SELECT kind, responsible_id::text, subject_id IS NOT NULL FROM deadlines "
        "WHERE case_id = :c AND met_at IS NULL AND kind IN ('decision', 'evaluation', 'monitoring', 'sanction_end') "
        "ORDER BY kind",
        c=case,
    )
    mine = str(c.decider.account_id)
    assert [tuple(row) for row in open_kinds] == [
        ("evaluation", mine, False),
        ("monitoring", mine, False),
        ("sanction_end", mine, True),
    ]
    words = await sql(app_engine, c.member, "SELECT details::text FROM audit_entries WHERE action = 'case.decided'")
    assert words and "marker-5e1d" not in str(words) and "Twee weken" not in str(words)

    await as_(client, c.pooled)  # the process guardian: every fact, no word
    seen = (await client.get(f"{api(c, case)}/outcome")).json()
    assert seen["content"] is False and seen["decisions"][0]["finding"] == "well_founded"
    assert seen["decisions"][0]["measures"][0]["ends_on"] == IN_A_MONTH.isoformat()
    assert "marker-5e1d" not in str(seen) and "Twee weken" not in str(seen)


async def test_a_sanction_end_is_recorded_by_the_sweep_once(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    c = await cast(app_engine, settings, make_tenant)
    case, _ = await decided(client, c, app_engine)
    sessionmaker = create_sessionmaker(app_engine)
    counts = []
    for _ in range(2):  # not due yet: nothing ends
        async with sessionmaker() as session:
            counts.append(await end_sanctions(session, c.member.id, datetime.now(UTC)))
            await session.commit()
    assert counts == [0, 0]
    await sql(app_engine, c.member, "UPDATE case_measures SET ends_on = :d WHERE case_id = :c", d=YESTERDAY, c=case)
    for _ in range(2):  # the end date has passed: recorded once, a rerun does nothing
        async with sessionmaker() as session:
            counts.append(await end_sanctions(session, c.member.id, datetime.now(UTC)))
            await session.commit()
    assert counts == [0, 0, 1, 0]
    events = await sql(
        app_engine, c.member, "SELECT trigger, occurred_at FROM case_events WHERE case_id = :c ORDER BY trigger", c=case
    )
    assert [e.trigger for e in events] == ["decision_taken", "sanction_ended"]
    amsterdam = ZoneInfo("Europe/Amsterdam")  # retention of that trigger runs from the end date itself
    assert events[1].occurred_at == datetime.combine(YESTERDAY, datetime.min.time(), tzinfo=amsterdam)
    met = await sql(
        app_engine, c.member, "SELECT met_at FROM deadlines WHERE kind = 'sanction_end' AND case_id = :c", c=case
    )
    assert met[0].met_at is not None
    audited = await sql(app_engine, c.member, "SELECT actor FROM audit_entries WHERE action = 'case.sanction_ended'")
    assert [a.actor for a in audited] == ["system:sanctions"]


async def test_the_periodic_sanction_sweep_runs_as_a_job_on_its_schedule(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    """``cases.sanctions`` is scheduled beside the deadline sweep and, run by the job runtime, records the end."""
    assert "cases.sanctions" in {entry.job_name for entry in schedule_table(settings)}
    c = await cast(app_engine, settings, make_tenant)
    case, _ = await decided(client, c, app_engine)
    runtime = JobRuntime(settings)
    install_runtime(runtime)
    try:
        await sweep_sanctions()  # not yet
        with time_machine.travel(datetime.now(UTC) + timedelta(days=31), tick=True):
            await sweep_sanctions()
            await sweep_sanctions()
    finally:
        install_runtime(None)
        await runtime.close()
    events = await sql(app_engine, c.member, "SELECT trigger FROM case_events WHERE case_id = :c ORDER BY 1", c=case)
    assert [e.trigger for e in events] == ["decision_taken", "sanction_ended"]
    ended = await sql(
        app_engine, c.member, "SELECT count(*) AS n FROM audit_entries WHERE action = 'case.sanction_ended'"
    )
    assert ended[0].n == 1


async def test_the_reporter_the_accused_and_the_team_are_told_each_in_their_own_way(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    c = await cast(app_engine, settings, make_tenant)
    case, receipt = await panel_case_with_receipt(client, c, app_engine)
    base = api(c, case)
    await as_(client, c.decider)
    accused = (await client.post(f"{base}/parties", json=ACCUSED)).json()["id"]
    witness = (await client.post(f"{base}/parties", json={**ACCUSED, "role": "witness", "name": "Els"})).json()["id"]
    early = await client.post(f"{base}/parties/{accused}/invitation")  # a new person named: declare again first
    assert early.status_code == 403 and early.json()["type"].endswith("/declare-again")
    again = await client.post(f"{base}/declaration", json={"involved": False, "statement": "Ik ken Els niet."})
    assert again.status_code == 201
    invitation = (await client.post(f"{base}/parties/{accused}/invitation")).json()
    first = await client.post(f"{base}/outcome/reporter", json={})
    assert refused(first, "/outcome-refused") and "eerst" in first.json()["detail"].lower()
    await phase_one_done(client, c, case)
    await as_(client, c.decider)
    assert (
        await client.post(
            f"{base}/outcome/decision", json={"finding": "well_founded", "reasons": REASONS, "measures": [SUSPENSION]}
        )
    ).status_code == 201

    note = "U kunt met de vertrouwenspersoon een gesprek plannen."
    assert (await client.post(f"{base}/outcome/reporter", json={"note": note})).status_code == 201
    other_party = await client.post(f"{base}/outcome/accused", json={"party_id": witness})
    assert refused(other_party, "/outcome-refused")
    assert (await client.post(f"{base}/outcome/accused", json={"party_id": accused})).status_code == 201
    bad_template = await client.post(f"{base}/outcome/team", json={"template": "Vertel het hele team alles"})
    assert bad_template.status_code == 400
    told = await client.post(f"{base}/outcome/team", json={"template": "concluded"})
    assert told.status_code == 201
    assert [(m["audience"], m["template"]) for m in told.json()["messages"]] == [
        ("reporter", None),
        ("accused", None),
        ("team", "concluded"),
    ]

    client.cookies.clear()
    inbox = (await client.post(f"/api/v1/public/{c.member.slug}/inbox", json={"receipt": receipt})).json()
    last = inbox["messages"][-1]["text"]
    assert "gegrond" in last and note in last
    assert "schorsing" not in last.lower() and "Twee weken" not in last  # never the measure against someone else

    portal = f"/api/v1/p/{c.member.slug}"
    token = invitation["link"].rsplit("/", 1)[1]
    key = (await client.post(f"{portal}/activation", json={"token": token, "code": invitation["code"]})).json()["key"]
    heads = {"X-Party-Link": token, "X-Party-Key": key}
    shared = (await client.get(f"{portal}/portal", headers=heads)).json()["shared"]
    letter = next(s for s in shared if s["title"] == "Uitkomst van de melding")
    words = (await client.get(f"{portal}/documents/{letter['document_id']}", headers=heads)).text
    assert "Beste Jan de Vries" in words and "Schorsing (tot" in words and "gegrond" in words
    assert REASONS not in words


async def test_a_fully_anonymous_reporter_cannot_be_told_in_an_inbox(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    c = await cast(app_engine, settings, make_tenant)
    client.cookies.clear()
    assert (await submit(client, c.member.slug, anonymity="anonymous")).status_code == 201
    case = (await case_ids(app_engine, c.member))[-1]
    await as_(client, c.point)
    assert (
        await client.post(f"{api(c, case)}/routing", json={**ROUTE, "escalation": "higher_manager"})
    ).status_code == 201
    for seat in (c.decider.seat("decision_maker"), c.expert.seat("expert")):
        assert (await client.post(f"{api(c, case)}/panel", json=seat)).status_code == 201
    assert (await client.post(f"{api(c, case)}/panel/pooled-guardian")).status_code == 201
    for who in (c.decider, c.expert, c.pooled):
        await as_(client, who)
        await client.post(f"{api(c, case)}/declaration", json={"involved": False, "statement": STATEMENT})
    await weigh(client, c, case)
    made = await client.post(
        f"{api(c, case)}/outcome/decision", json={"finding": "not_established", "reasons": REASONS}
    )
    assert made.status_code == 201
    told = await client.post(f"{api(c, case)}/outcome/reporter", json={})
    assert told.status_code == 409 and told.json()["type"].endswith("/no-channel-back")


async def test_monitoring_meets_its_date_and_an_escalation_sends_the_case_back_to_the_panel(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    c = await cast(app_engine, settings, make_tenant)
    case, _ = await decided(client, c, app_engine, monitor_on=IN_A_WEEK.isoformat())
    url = f"{api(c, case)}/outcome/monitoring"
    entry = {"behaviour_stopped": True, "work_restored": False, "note": "Rustiger, maar nog gespannen. marker-9a1"}
    first = await client.post(url, json={**entry, "next_on": IN_A_MONTH.isoformat()})
    assert first.status_code == 201 and first.json()["monitoring"][0]["next_on"] == IN_A_MONTH.isoformat()
    monitoring = await sql(
        app_engine,
        c.member,
        "SELECT (due_at AT TIME ZONE 'Europe/Amsterdam')::date AS due, met_at IS NOT NULL AS met "
        "FROM deadlines WHERE kind = 'monitoring' "
        "AND case_id = :c ORDER BY due_at",
        c=case,
    )
    assert [(m.due, m.met) for m in monitoring] == [(IN_A_WEEK, True), (IN_A_MONTH, False)]
    assert refused(await client.post(url, json={**entry, "next_on": YESTERDAY.isoformat()}), "/outcome-refused")
    no_reason = await client.post(url, json={**entry, "behaviour_stopped": False, "escalate": True})
    assert refused(no_reason, "/outcome-refused") and "reden" in no_reason.json()["detail"]
    up = await client.post(
        url, json={**entry, "behaviour_stopped": False, "escalate": True, "escalation_reason": "Het gedrag is terug."}
    )
    assert up.status_code == 201 and up.json()["status"] == "in_progress"
    assert up.json()["monitoring"][-1]["escalated"] is True
    choice = await sql(
        app_engine,
        c.member,
        "SELECT count(*) AS n FROM deadlines WHERE kind = 'choice' AND met_at IS NULL AND case_id = :c",
        c=case,
    )
    assert choice[0].n == 1
    assert refused(await client.post(url, json=entry), "/outcome-refused")  # not concluded now
    await weigh(client, c, case, chosen="disciplinary_measure")  # the panel weighs again
    again = await client.post(
        f"{api(c, case)}/outcome/decision",
        json={"finding": "well_founded", "reasons": REASONS, "measures": [{**SUSPENSION, "kind": "dismissal"}]},
    )
    assert again.status_code == 201 and [d["finding"] for d in again.json()["decisions"]] == ["well_founded"] * 2
    evaluation = await sql(
        app_engine, c.member, "SELECT count(*) AS n FROM deadlines WHERE kind = 'evaluation' AND case_id = :c", c=case
    )
    assert evaluation[0].n == 1  # one evaluation of the procedure, not one per decision


async def test_aftercare_reminds_its_owner_outlives_closure_and_is_done_by_the_owner_alone(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    c = await cast(app_engine, settings, make_tenant)
    case, _ = await decided(client, c, app_engine)
    base = api(c, case)
    plan = {
        "party": "reporter",
        "kind": "check_in",
        "owner_tenant_id": str(c.adviser.account_tenant_id),
        "owner_id": str(c.adviser.account_id),
        "due_on": (TODAY + timedelta(days=3)).isoformat(),
        "text": "Over een maand vragen hoe het gaat. marker-aa7",
    }
    stranger = await person(app_engine, settings, c.branch, {})
    unknown = {**plan, "owner_tenant_id": str(stranger.account_tenant_id), "owner_id": str(stranger.account_id)}
    assert refused(await client.post(f"{base}/outcome/aftercare", json=unknown), "/outcome-refused")
    assert refused(
        await client.post(f"{base}/outcome/aftercare", json={**plan, "due_on": YESTERDAY.isoformat()}),
        "/outcome-refused",
    )
    planned = await client.post(f"{base}/outcome/aftercare", json=plan)
    assert planned.status_code == 201
    action = planned.json()["aftercare"][0]["id"]
    await sql(  # only the aftercare is due for a reminder now
        app_engine,
        c.member,
        "UPDATE deadlines SET due_at = CASE WHEN kind = 'aftercare' THEN now() + interval '3 days' - interval '1 hour' "
        "ELSE now() + interval '200 days' END WHERE met_at IS NULL",
    )
    async with create_sessionmaker(app_engine)() as session:
        await sweep_tenant(session, c.member.id, datetime.now(UTC))
        await session.commit()
    reminded = await sql(
        app_engine, c.member, "SELECT account_id::text AS who FROM notifications WHERE kind = 'case.deadline_reminder'"
    )
    assert [r.who for r in reminded] == [str(c.adviser.account_id)]  # the owner alone

    await as_(client, c.adviser)
    mine = (await client.get(f"/api/v1/t/{c.member.slug}/aftercare")).json()
    assert [(a["id"], a["text"]) for a in mine] == [(action, plan["text"])]
    await as_(client, c.expert)  # not the owner: no such action for them
    assert (await client.get(f"/api/v1/t/{c.member.slug}/aftercare")).json() == []
    assert (await client.post(f"/api/v1/t/{c.member.slug}/aftercare/{action}/done", json={})).status_code == 404

    await as_(client, c.decider)  # close the case: the aftercare stays open
    assert (await client.post(f"{base}/outcome/evaluation", json=EVALUATION)).status_code == 201
    await sql(
        app_engine, c.member, "UPDATE deadlines SET met_at = now() WHERE kind = 'monitoring' AND case_id = :c", c=case
    )
    closed = await client.post(f"{base}/outcome/closure", json={})
    assert closed.status_code == 201, closed.text
    assert closed.json()["aftercare"][0]["done_at"] is None
    late = await client.post(f"{base}/outcome/team", json={"template": "handled"})
    assert refused(late, "/outcome-refused") and "gesloten" in late.json()["detail"]

    await as_(client, c.adviser)
    done = await client.post(f"/api/v1/t/{c.member.slug}/aftercare/{action}/done", json={"note": "Gesproken."})
    assert done.status_code == 201 and done.json()["done_at"] is not None
    twice = await client.post(f"/api/v1/t/{c.member.slug}/aftercare/{action}/done", json={})
    assert refused(twice, "/outcome-refused")
    left = await sql(
        app_engine,
        c.member,
        "SELECT met_at IS NOT NULL AS met FROM deadlines WHERE kind = 'aftercare' AND case_id = :c",
        c=case,
    )
    assert [row.met for row in left] == [True]


async def test_the_evaluation_hears_every_perspective(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    c = await cast(app_engine, settings, make_tenant)
    case, _ = await decided(client, c, app_engine)
    url = f"{api(c, case)}/outcome/evaluation"
    partial = {**EVALUATION, "perspectives": {"reporter": "Gehoord.", "panel": "Te traag."}}
    missing = await client.post(url, json=partial)
    assert refused(missing, "/outcome-refused")
    assert "beschuldigde" in missing.json()["detail"] and "anderen" in missing.json()["detail"]
    done = await client.post(url, json=EVALUATION)
    assert done.status_code == 201
    assert done.json()["evaluations"][0]["perspectives"] == ["reporter", "accused", "panel", "others"]
    met = await sql(
        app_engine, c.member, "SELECT met_at FROM deadlines WHERE kind = 'evaluation' AND case_id = :c", c=case
    )
    assert met[0].met_at is not None
    await as_(client, c.pooled)
    assert "Te traag" not in (await client.get(f"{api(c, case)}/outcome")).text


async def test_closure_is_refused_while_a_mandatory_step_is_open_and_then_starts_retention(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    c = await cast(app_engine, settings, make_tenant)
    case, _ = await panel_case_with_receipt(client, c, app_engine)
    base = api(c, case)
    await as_(client, c.decider)
    party = (await client.post(f"{base}/parties", json=ACCUSED)).json()["id"]
    await client.post(f"{base}/parties/{party}/invitation")
    early = await client.post(f"{base}/outcome/closure", json={})
    assert refused(early, "/closure-refused")
    assert "eerste gesprek" in early.json()["detail"] and "beschuldigde informeren" in early.json()["detail"].lower()
    early_en = await client.post(f"{base}/outcome/closure?lang=en", json={})
    assert "Still open" in early_en.json()["detail"]
    await phase_one_done(client, c, case)
    await as_(client, c.point)  # a panel case is closed by its decision maker
    assert (await client.post(f"{base}/outcome/closure", json={})).status_code == 403
    await as_(client, c.decider)
    undecided = await client.post(f"{base}/outcome/closure", json={})
    assert refused(undecided, "/closure-refused") and "besluit" in undecided.json()["detail"]
    assert (
        await client.post(f"{base}/outcome/decision", json={"finding": "not_well_founded", "reasons": REASONS})
    ).status_code == 201
    unevaluated = await client.post(f"{base}/outcome/closure", json={})
    assert unevaluated.json()["detail"] == "Er staat nog open: evaluatie van de procedure."
    # Even when its deadline were met some other way, a panel case closes only with an evaluation on record.
    await sql(
        app_engine, c.member, "UPDATE deadlines SET met_at = now() WHERE kind = 'evaluation' AND case_id = :c", c=case
    )
    unrecorded = await client.post(f"{base}/outcome/closure", json={})
    assert refused(unrecorded, "/closure-refused") and "evalueert" in unrecorded.json()["detail"]
    assert (await client.post(f"{base}/outcome/evaluation", json=EVALUATION)).status_code == 201
    unrehabilitated = await client.post(f"{base}/outcome/closure", json={})
    assert refused(unrehabilitated, "/closure-refused") and "eerherstel" in unrehabilitated.json()["detail"]
    rehabilitation = {
        "party": "accused",
        "kind": "rehabilitation",
        "owner_tenant_id": str(c.decider.account_tenant_id),
        "owner_id": str(c.decider.account_id),
        "due_on": IN_A_MONTH.isoformat(),
        "text": "Met het team bespreken dat de melding ongegrond is.",
    }
    assert (await client.post(f"{base}/outcome/aftercare", json=rehabilitation)).status_code == 201
    closed = await client.post(f"{base}/outcome/closure", json={})
    assert closed.status_code == 201, closed.text
    assert closed.json()["status"] == "closed" and closed.json()["closure"]["route"] == "decision_panel"
    assert refused(await client.post(f"{base}/outcome/closure", json={}), "/closure-refused")

    events = await sql(app_engine, c.member, "SELECT trigger FROM case_events WHERE case_id = :c ORDER BY 1", c=case)
    assert [e.trigger for e in events] == ["case_closed", "decision_taken"]
    invitations = await sql(app_engine, c.member, "SELECT revoked_at FROM party_invitations WHERE case_id = :c", c=case)
    assert invitations and all(i.revoked_at is not None for i in invitations)
    audited = await sql(
        app_engine, c.member, "SELECT details::text AS d FROM audit_entries WHERE action = 'case.closed'"
    )
    assert len(audited) == 1 and "decision_panel" in audited[0].d


async def routed_elsewhere(client: Any, c: Cast, app_engine: AsyncEngine, route: str, **extra: Any) -> str:
    client.cookies.clear()
    assert (await submit(client, c.member.slug, accused_role="colleague")).status_code == 201
    case = (await case_ids(app_engine, c.member))[-1]
    await as_(client, c.point)
    routed = await client.post(f"{api(c, case)}/routing", json={**ROUTE, "route": route, **extra})
    assert routed.status_code == 201, routed.text
    await sql(app_engine, c.member, "UPDATE deadlines SET met_at = now() WHERE case_id = :c", c=case)  # A's steps
    return case


async def test_routes_without_a_panel_close_by_the_reporting_point_with_their_own_condition(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    c = await cast(app_engine, settings, make_tenant)
    nothing = await routed_elsewhere(client, c, app_engine, "no_action", alternative="Voorlichting in het team.")
    await as_(client, c.decider)  # no seat at a panel case: the reporting point closes it
    assert refused(
        await client.post(f"{api(c, nothing)}/outcome/closure", json={"reason": "Klaar."}), "/closure-refused"
    )
    await as_(client, c.point)
    reasonless = await client.post(f"{api(c, nothing)}/outcome/closure", json={})
    assert refused(reasonless, "/closure-refused") and "reden" in reasonless.json()["detail"]
    closed = await client.post(f"{api(c, nothing)}/outcome/closure", json={"reason": "De voorlichting is gegeven."})
    assert closed.status_code == 201 and closed.json()["status"] == "closed"

    adviser = await routed_elsewhere(client, c, app_engine, "adviser_only")
    await as_(client, c.point)
    unasked = await client.post(f"{api(c, adviser)}/outcome/closure", json={})
    assert refused(unasked, "/closure-refused") and "melder" in unasked.json()["detail"]
    await sql(  # part A records the reporter's word from the inbox as a reporter_closed step
        app_engine,
        c.member,
        "INSERT INTO case_steps (tenant_id, id, case_id, kind, facts, recorded_by_tenant_id, recorded_by_id) "
        "VALUES (:t, :i, :c, 'reporter_closed', '{}', :t, :i)",
        t=c.member.id,
        i=uuid.uuid4(),
        c=adviser,
    )
    assert (await client.post(f"{api(c, adviser)}/outcome/closure", json={})).status_code == 201
    events = await sql(app_engine, c.member, "SELECT case_id::text AS c FROM case_events WHERE trigger = 'case_closed'")
    assert {e.c for e in events} == {nothing, adviser}


async def test_every_outcome_route_refuses_another_tenant_and_another_case(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    c = await cast(app_engine, settings, make_tenant)
    case, _ = await decided(client, c, app_engine)
    other_case, _ = await panel_case_with_receipt(client, c, app_engine)
    await as_(client, c.decider)
    action = (
        await client.post(
            f"{api(c, case)}/outcome/aftercare",
            json={
                "party": "team",
                "kind": "trust_restoration",
                "owner_tenant_id": str(c.decider.account_tenant_id),
                "owner_id": str(c.decider.account_id),
                "due_on": IN_A_MONTH.isoformat(),
                "text": "Teamsessie over samenwerken. marker-7b2f0a",
            },
        )
    ).json()["aftercare"][0]["id"]
    other = await make_tenant()
    stranger = await person(
        app_engine,
        settings,
        other,
        {other: (Role.REPORTING_POINT, Role.DECISION_MAKER, Role.PROCESS_GUARDIAN, Role.HR)},
    )
    routes = outcome_routes(c, case, action)
    await as_(client, stranger)
    for method, path, body in routes:
        response = await client.request(method, path, json=body)
        assert response.status_code == 403, (method, path, response.status_code)
        assert "marker-7b2f0a" not in response.text and "marker-5e1d" not in response.text
        own = path.replace(f"/t/{c.member.slug}/", f"/t/{other.slug}/")
        if path.endswith(f"/t/{c.member.slug}/aftercare"):  # their own list there is empty
            assert (await client.get(own)).json() == []
        else:
            assert (await client.request(method, own, json=body)).status_code == 404, own

    await as_(client, c.decider)  # a missing case answers 404 on every case route
    for method, path, body in outcome_routes(c, str(uuid.uuid4()), str(uuid.uuid4())):
        if "/cases/" in path or "/done" in path:
            assert (await client.request(method, path, json=body)).status_code == 404, path
    # Another case's accused is refused exactly like an unknown party.
    other_accused = (await client.post(f"{api(c, other_case)}/parties", json=ACCUSED)).json()["id"]
    foreign = await client.post(f"{api(c, case)}/outcome/accused", json={"party_id": other_accused})
    missing = await client.post(f"{api(c, case)}/outcome/accused", json={"party_id": str(uuid.uuid4())})
    assert refused(foreign, "/outcome-refused") and foreign.json() == missing.json()
    await as_(client, c.expert)  # seated at both cases; an action of one case is not found through another
    assert (await client.post(f"/api/v1/t/{c.member.slug}/aftercare/{action}/done", json={})).status_code == 404
    await as_(client, c.pooled)
    seen = (await client.get(f"{api(c, other_case)}/outcome")).json()
    assert seen["decisions"] == [] and seen["aftercare"] == []


def outcome_routes(c: Cast, case: str, action: str) -> list[tuple[str, str, Any]]:
    base = f"{api(c, case)}/outcome"
    return [
        ("GET", base, None),
        ("POST", f"{base}/decision", {"finding": "well_founded", "reasons": REASONS}),
        ("POST", f"{base}/reporter", {}),
        ("POST", f"{base}/accused", {"party_id": str(uuid.uuid4())}),
        ("POST", f"{base}/team", {"template": "handled"}),
        ("POST", f"{base}/monitoring", {"behaviour_stopped": True, "work_restored": True, "note": "Goed."}),
        (
            "POST",
            f"{base}/aftercare",
            {
                "party": "team",
                "kind": "support",
                "owner_tenant_id": str(uuid.uuid4()),
                "owner_id": str(uuid.uuid4()),
                "due_on": IN_A_MONTH.isoformat(),
                "text": "Steun.",
            },
        ),
        ("POST", f"{base}/evaluation", EVALUATION),
        ("POST", f"{base}/closure", {"reason": "Klaar."}),
        ("GET", f"/api/v1/t/{c.member.slug}/aftercare", None),
        ("POST", f"/api/v1/t/{c.member.slug}/aftercare/{action}/done", {}),
    ]


OUTCOME_TABLES = (
    "case_decisions",
    "case_measures",
    "outcome_messages",
    "monitoring_entries",
    "aftercare_actions",
    "case_evaluations",
    "case_closures",
)


async def test_destroying_a_closed_case_takes_its_end_with_it(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    """The purge finds the outcome's rows by their foreign keys (measures through their decision) and deletes them."""
    c = await cast(app_engine, settings, make_tenant)
    case, _ = await decided(client, c, app_engine, monitor_on=IN_A_WEEK.isoformat())
    base = api(c, case)
    entry = {"behaviour_stopped": True, "work_restored": True, "note": "Het gaat goed."}
    assert (await client.post(f"{base}/outcome/monitoring", json=entry)).status_code == 201
    assert (await client.post(f"{base}/outcome/team", json={"template": "concluded"})).status_code == 201
    plan = {
        "party": "team",
        "kind": "trust_restoration",
        "owner_tenant_id": str(c.decider.account_tenant_id),
        "owner_id": str(c.decider.account_id),
        "due_on": IN_A_MONTH.isoformat(),
        "text": "Teamsessie.",
    }
    assert (await client.post(f"{base}/outcome/aftercare", json=plan)).status_code == 201
    assert (await client.post(f"{base}/outcome/evaluation", json=EVALUATION)).status_code == 201
    assert (await client.post(f"{base}/outcome/closure", json={})).status_code == 201
    keyring = Keyring(LocalRootKey(Path(settings.root_key_file or "")))
    sessionmaker = create_sessionmaker(app_engine)
    async with sessionmaker() as session:
        await tenant_context(session, [c.member.id])
        await sync_policies(session, c.member.id, [EffectiveRule("report_dossier", "case_closed", 1, False)])
        await session.commit()
    await sql(
        app_engine,
        c.member,
        "UPDATE case_events SET occurred_at = now() - interval '3 days' WHERE case_id = :c",
        c=case,
    )
    await sql(  # the case itself is due: a document of it under that class (the accused letter would be one)
        app_engine, c.member, "UPDATE documents SET record_class = 'report_dossier' WHERE case_id = :c", c=case
    )
    await purge_tenant(sessionmaker, keyring, create_object_store(settings), c.member.id, datetime.now(UTC))
    left = {
        table: (await sql(app_engine, c.member, f"SELECT count(*) AS n FROM {table} WHERE case_id = :c", c=case))[0].n
        for table in OUTCOME_TABLES
    }
    assert left == dict.fromkeys(OUTCOME_TABLES, 0)
    assert (await sql(app_engine, c.member, "SELECT count(*) AS n FROM cases WHERE id = :c", c=case))[0].n == 0

"""Phase 1, completed (issue 13, DESIGN §7): interim measures (or "none") with their review dates, the reporter's
agreement where a measure affects them, and the review step that meets the review deadline; the accused's
line manager never the only decision maker; declaring again when the scope changes; the corrective
conversation only on a recorded plausibility, and the warning on fact-finding about a fully anonymous report."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from meldpunt.cases import services
from meldpunt.db.context import tenant_context
from meldpunt.db.engine import create_sessionmaker
from meldpunt.intake.models import Case
from meldpunt.settings import Settings
from tests.conftest import MakeTenant
from tests.integration.cases.test_case_handling import (
    LADDER_OPTIONS,
    STATEMENT,
    TODAY,
    as_,
    cast,
    declared_panel,
    routed_panel_case,
)
from tests.integration.cases.test_routes import HTML, rows

IN_TWO_WEEKS = (TODAY + timedelta(days=14)).isoformat()
MEASURE = {"type": "interim_measure", "measure": "no_contact", "starts_on": TODAY.isoformat(), "reason": "Veiligheid."}


def weighing(chosen: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "weighing",
        "interpretation": "Grensoverschrijdend, herhaald.",
        "goals": ["restore_safety"],
        "chosen": [chosen],
        "reasons_rejected": {option: "Past niet." for option in LADDER_OPTIONS if option != chosen},
        "reporter_input": "De melder wil dat het stopt.",
        **extra,
    }


async def deciding(client: Any, c: Any, engine: AsyncEngine) -> str:
    """A declared panel, signed in as its decision maker; the case's steps address."""
    case = await declared_panel(client, c, engine)
    await as_(client, c.decider)
    return f"/api/v1/t/{c.member.slug}/cases/{case}/steps"


async def interim_reviews(engine: AsyncEngine, c: Any) -> list[tuple[Any, bool, Any]]:
    found = await rows(
        engine, c.member, "SELECT subject_id, met_at IS NULL, due_at::date FROM deadlines WHERE kind = 'interim_review'"
    )
    return sorted((row[0], row[1], row[2]) for row in found)


async def test_interim_measures_none_with_a_reason_a_review_date_and_the_reporters_agreement(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    c = await cast(app_engine, settings, make_tenant)
    base = await deciding(client, c, app_engine)
    none = {"type": "interim_measure", "measure": "none", "starts_on": TODAY.isoformat()}
    assert (await client.post(base, json=none)).status_code == 400  # "none" needs its reason too
    assert (
        await client.post(base, json={**none, "reason": "Melder en beschuldigde werken op andere locaties."})
    ).status_code == 201
    assert await interim_reviews(app_engine, c) == []  # nothing to review

    ends_only = await client.post(base, json={**MEASURE, "expires_on": IN_TWO_WEEKS})
    assert ends_only.status_code == 400 and "herzien" in ends_only.json()["detail"]
    moved = {**MEASURE, "measure": "other_shift_or_location", "review_on": IN_TWO_WEEKS, "applies_to": "reporter"}
    unasked = await client.post(base, json=moved)
    assert unasked.status_code == 400 and "instemt" in unasked.json()["detail"]
    half = await client.post(base, json={**moved, "reporter_agreement": "in_person"})
    assert half.status_code == 400 and "datum" in half.json()["detail"]
    agreed = await client.post(
        base, json={**moved, "reporter_agreement": "in_person", "reporter_agreed_on": TODAY.isoformat()}
    )
    assert agreed.status_code == 201
    assert agreed.json()["facts"]["reporter_agreement"] == "in_person"
    assert [(str(s), o) for s, o, _ in await interim_reviews(app_engine, c)] == [(agreed.json()["id"], True)]


async def test_the_review_of_a_measure_meets_its_deadline_and_continues_changes_or_ends_it(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    c = await cast(app_engine, settings, make_tenant)
    base = await deciding(client, c, app_engine)
    measure = (await client.post(base, json={**MEASURE, "review_on": IN_TWO_WEEKS})).json()["id"]
    review = {"type": "interim_review", "measure_id": measure, "reviewed_on": TODAY.isoformat(), "notes": "Gesproken."}
    undated = await client.post(base, json={**review, "outcome": "continue"})
    assert undated.status_code == 400 and "nieuwe datum" in undated.json()["detail"]
    past = await client.post(base, json={**review, "outcome": "continue", "next_review_on": TODAY.isoformat()})
    assert past.status_code == 400
    stranger = await client.post(base, json={**review, "measure_id": str(uuid.uuid4()), "outcome": "end"})
    assert stranger.status_code == 400 and "hoort niet bij deze zaak" in stranger.json()["detail"]
    later = (TODAY + timedelta(days=30)).isoformat()
    assert (await client.post(base, json={**review, "outcome": "continue", "next_review_on": later})).status_code == 201
    reviews = await interim_reviews(app_engine, c)
    assert [(str(s), o, d.isoformat()) for s, o, d in reviews] == sorted(
        [(measure, False, IN_TWO_WEEKS), (measure, True, later)]
    )
    ended = await client.post(base, json={**review, "outcome": "end"})
    assert ended.status_code == 201 and ended.json()["content"] is None
    assert all(not still_open for _, still_open, _ in await interim_reviews(app_engine, c))
    sealed = await rows(app_engine, c.member, "SELECT facts::text FROM case_steps WHERE kind = 'interim_review'")
    assert all("Gesproken" not in row[0] for row in sealed)


async def test_the_accused_line_manager_is_never_the_only_decision_maker(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    c = await cast(app_engine, settings, make_tenant)
    case = await routed_panel_case(client, c, app_engine)
    base = f"/api/v1/t/{c.member.slug}/cases/{case}"
    manager = {"account_tenant_id": str(c.manager.account_tenant_id), "account_id": str(c.manager.account_id)}
    assert (await client.post(f"{base}/exclusions", json={**manager, "reason": "accused_manager"})).status_code == 204
    alone = await client.post(f"{base}/panel", json=c.manager.seat("decision_maker"))
    assert alone.status_code == 409 and "nooit de enige beslisser" in alone.json()["detail"]
    as_expert = await client.post(f"{base}/panel", json={**c.manager.seat("decision_maker"), "role": "expert"})
    assert as_expert.status_code == 409 and "uitgesloten" in as_expert.json()["detail"]
    assert (await client.post(f"{base}/panel", json=c.decider.seat("decision_maker"))).status_code == 201
    beside = await client.post(f"{base}/panel", json=c.manager.seat("decision_maker"))
    assert beside.status_code == 201, beside.text
    assert (await client.post(f"{base}/panel", json=c.expert.seat("expert"))).status_code == 201
    assert (await client.post(f"{base}/panel/pooled-guardian")).status_code == 201
    for who in (c.manager, c.expert, c.pooled):
        await as_(client, who)
        assert (
            await client.post(f"{base}/declaration", json={"involved": False, "statement": STATEMENT})
        ).status_code == 201
    await as_(client, c.decider)  # the independent decision maker turns out to be involved and leaves
    gone = await client.post(f"{base}/declaration", json={"involved": True, "statement": "Ik ken de melder."})
    assert gone.status_code == 201 and gone.json()["status"] == "routed"  # the manager alone: no panel
    await as_(client, c.manager)
    waits = await client.post(f"{base}/steps", json={"type": "reporter_told", "told_on": TODAY.isoformat()})
    assert waits.status_code == 409 and waits.json()["type"].endswith("/panel-incomplete")


async def test_recording_the_line_manager_keeps_their_decision_seat_only_beside_an_independent_one(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    c = await cast(app_engine, settings, make_tenant)
    case = await routed_panel_case(client, c, app_engine)
    base = f"/api/v1/t/{c.member.slug}/cases/{case}"
    for seat in (c.decider.seat("decision_maker"), c.manager.seat("decision_maker"), c.expert.seat("expert")):
        assert (await client.post(f"{base}/panel", json=seat)).status_code == 201

    def exclusion(who: Any, reason: str) -> dict[str, str]:
        return {"account_tenant_id": str(who.account_tenant_id), "account_id": str(who.account_id), "reason": reason}

    assert (await client.post(f"{base}/exclusions", json=exclusion(c.manager, "accused_manager"))).status_code == 204
    assert (await client.post(f"{base}/exclusions", json=exclusion(c.expert, "accused_manager"))).status_code == 204
    active = {
        (m["account_id"], m["role"]) for m in (await client.get(f"{base}/process")).json()["members"] if m["active"]
    }
    # The manager stays a decision maker beside the independent one; as an expert the manager would not.
    assert active == {(str(c.decider.account_id), "decision_maker"), (str(c.manager.account_id), "decision_maker")}


async def test_a_change_of_scope_asks_every_seat_to_declare_again_before_the_content(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    c = await cast(app_engine, settings, make_tenant)
    case = await declared_panel(client, c, app_engine)
    base = f"/api/v1/t/{c.member.slug}/cases/{case}"
    await as_(client, c.decider)
    change = {"type": "scope_change", "change": "scope_widened", "description": "Ook een tweede voorval in 2024."}
    assert (await client.post(f"{base}/steps", json=change)).status_code == 201
    refused = await client.get(base)
    assert refused.status_code == 403 and refused.json()["type"].endswith("/declare-again")
    assert "marker-7b2f0a" not in refused.text
    page = await client.get(f"/app/t/{c.member.slug}/zaken/{case}", headers=HTML)
    assert "Verklaar opnieuw" in page.text and "marker-7b2f0a" not in page.text
    process = (await client.get(f"{base}/process")).json()
    assert {m["role"]: m["redeclare"] for m in process["members"]} == {
        "decision_maker": True,
        "expert": True,
        "process_guardian": True,
    }
    told = await rows(app_engine, c.member, "SELECT account_id FROM notifications WHERE kind = 'case.declare_again'")
    assert sorted(str(r[0]) for r in told) == sorted(str(p.account_id) for p in (c.decider, c.expert, c.pooled))
    step = await client.post(f"{base}/steps", json={"type": "reporter_told", "told_on": TODAY.isoformat()})
    assert step.status_code == 403 and step.json()["type"].endswith("/declare-again")

    again = await client.post(f"{base}/declaration", json={"involved": False, "statement": "Ook nu niet betrokken."})
    assert again.status_code == 201
    assert (await client.get(base)).status_code == 200
    await as_(client, c.expert)
    assert (await client.get(base)).status_code == 403  # each seat declares for itself
    involved = await client.post(f"{base}/declaration", json={"involved": True, "statement": "Ik ken de tweede."})
    assert involved.status_code == 201
    assert not [m for m in involved.json()["members"] if m["role"] == "expert" and m["active"]]

    # Another module names someone new (cases.parties, investigations): the same rule through one call.
    async with create_sessionmaker(app_engine)() as session:
        await tenant_context(session, [c.member.id])
        found = await session.get(Case, (c.member.id, uuid.UUID(case)))
        assert found is not None
        assert await services.scope_changed(session, found, "person_named") == 2  # decision maker and guardian
        await session.commit()
    await as_(client, c.decider)
    assert (await client.get(base)).status_code == 403
    audited = await rows(
        app_engine,
        c.member,
        "SELECT details->>'reason' FROM audit_entries WHERE action = 'case.scope_changed' ORDER BY seq",
    )
    assert [row[0] for row in audited] == ["scope_widened", "person_named"]


async def test_the_case_page_records_reviews_and_scope_changes_and_asks_to_declare_again(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    c = await cast(app_engine, settings, make_tenant)
    base = await deciding(client, c, app_engine)
    page = base.replace("/api/v1/t/", "/app/t/").replace("/cases/", "/zaken/").removesuffix("/steps")

    async def post(**form: Any) -> Any:
        return await client.post(f"{page}/stap", data=form, headers=HTML, follow_redirects=False)

    moved = {**MEASURE, "measure": "other_shift_or_location", "review_on": IN_TWO_WEEKS, "applies_to": "reporter"}
    unasked = await post(**moved, reporter_agreement="", reporter_agreed_on="")
    assert unasked.status_code == 400 and "instemt" in unasked.text
    agreed = {"reporter_agreement": "by_phone", "reporter_agreed_on": TODAY.isoformat()}
    assert (await post(**moved, **agreed)).status_code == 303
    shown = await client.get(page, headers=HTML)
    assert "Maatregel herzien" in shown.text and 'name="measure_id"' in shown.text
    measure = (await client.get(base.removesuffix("/steps") + "/process")).json()["steps"][-1]["id"]
    review = {"type": "interim_review", "measure_id": measure, "reviewed_on": TODAY.isoformat(), "notes": "Rust."}
    kept = await post(**review, outcome="continue", next_review_on="")
    assert kept.status_code == 400 and "nieuwe datum" in kept.text
    assert (await post(**review, outcome="end", next_review_on="")).status_code == 303
    scope = {"type": "scope_change", "change": "person_named", "description": "Een tweede collega genoemd."}
    assert (await post(**scope)).status_code == 303
    again = await client.get(page, headers=HTML)
    assert "Verklaar opnieuw" in again.text and "marker-7b2f0a" not in again.text
    declared = await client.post(
        f"{page}/verklaring", data={"involved": "no", "statement": STATEMENT}, headers=HTML, follow_redirects=False
    )
    assert declared.status_code == 303
    seen = await client.get(page, headers=HTML)
    assert "marker-7b2f0a" in seen.text and "moet opnieuw verklaren" in seen.text  # the others still must


async def test_the_corrective_conversation_needs_plausibility_and_anonymous_fact_finding_warns(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    c = await cast(app_engine, settings, make_tenant)
    base = await deciding(client, c, app_engine)
    bare = await client.post(base, json=weighing("corrective_conversation"))
    assert bare.status_code == 400 and "aannemelijk" in bare.json()["detail"]
    basis = "Twee collega's zagen het; de beschuldigde erkent de opmerking."
    chosen = await client.post(base, json=weighing("corrective_conversation", plausibility_basis=basis))
    assert chosen.status_code == 201 and chosen.json()["warnings"] == []
    stored = await rows(app_engine, c.member, "SELECT facts::text FROM case_steps WHERE kind = 'weighing'")
    assert "collega" not in stored[0][0]

    other = await cast(app_engine, settings, make_tenant)
    anonymous = await declared_panel(client, other, app_engine)
    await rows(app_engine, other.member, "UPDATE cases SET anonymity = 'anonymous' RETURNING id")
    await as_(client, other.decider)
    facts = await client.post(
        f"/api/v1/t/{other.member.slug}/cases/{anonymous}/steps", json=weighing("fact_investigation")
    )
    assert facts.status_code == 201 and facts.json()["warnings"] == ["case.warnings.anonymous_fact_finding"]
    page = await client.get(f"/app/t/{other.member.slug}/zaken/{anonymous}", headers=HTML)
    assert "hoor en wederhoor" in page.text
    english = await client.get(f"/app/t/{other.member.slug}/zaken/{anonymous}?lang=en", headers=HTML)
    assert "right of reply is limited" in english.text

"""Each guard of an investigation refused when it does not hold: commissioning only what the weighing chose, with
norms and subjects for a fact-finding and none for a culture or system investigation; the investigator never
the adviser, a panel member, someone without the role or excluded, and an external firm's licence checked
again before each interview; no interview before the agreed protocol; the accused heard before the draft;
a reaction term extended only with a reason and to a later date; a statement of another investigation only
after the panel's decision."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from meldpunt.cases.deadlines import sweep_tenant
from meldpunt.db.engine import create_sessionmaker
from meldpunt.identity.roles import Role
from meldpunt.settings import Settings
from tests.conftest import MakeTenant
from tests.integration.cases.test_case_handling import STATEMENT, as_, person
from tests.integration.interventions.test_interventions_api import in_tenant
from tests.integration.investigations.support import (
    ACCUSED,
    SOON,
    TODAY,
    WITNESS,
    answer,
    api,
    commission_body,
    commissioned,
    decided,
    in_a_while,
    interviewed,
    portal_of,
    seat_body,
    seated_and_agreed,
    team,
)
from tests.integration.investigations.test_fact_finding import DRAFT


async def test_commissioning_needs_the_weighings_choice_norms_and_subjects_and_a_culture_names_no_persons(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    t = await team(app_engine, settings, make_tenant)
    case, ids = await decided(client, t, app_engine, ["culture_investigation"], ("accused", ACCUSED))
    base = f"{api(t, case)}/investigations"
    await as_(client, t.c.decider)
    not_chosen = await client.post(f"{base}/", json=commission_body("fact", (ids[ACCUSED],)))
    assert not_chosen.status_code == 409 and not_chosen.json()["type"].endswith("/investigation-not-chosen")
    persons = await client.post(f"{base}/", json=commission_body("culture", (ids[ACCUSED],)))
    assert persons.status_code == 409 and "niet over personen" in persons.json()["detail"]
    named = commission_body("culture")
    named["questions"] = ["Hoe gaat het team om met Douwe?"]
    refused = await client.post(f"{base}/", json=named)
    assert refused.status_code == 409 and "persoonsgegevens" in refused.json()["detail"]
    past = await client.post(f"{base}/", json={**commission_body("culture"), "terms": {"draft_by": "2020-01-01"}})
    assert past.status_code == 409
    assert (await client.post(f"{base}/", json={**commission_body("culture"), "kind": "other"})).status_code == 400
    assert (await client.post(f"{base}/", json=commission_body("culture"))).status_code == 201

    fact_case, fact_ids = await decided(client, t, app_engine, ["fact_investigation"], ("accused", ACCUSED))
    fact_base = f"{api(t, fact_case)}/investigations"
    no_norms = commission_body("fact", (fact_ids[ACCUSED],), norms_framework="")
    assert "normenkader" in (await client.post(f"{fact_base}/", json=no_norms)).json()["detail"]
    no_subjects = await client.post(f"{fact_base}/", json=commission_body("fact"))
    assert no_subjects.status_code == 409 and "over wie" in no_subjects.json()["detail"]
    other_party = await client.post(f"{fact_base}/", json=commission_body("fact", (ids[ACCUSED],)))
    assert other_party.status_code == 409 and "geen partij" in other_party.json()["detail"]


async def test_the_investigator_is_never_the_adviser_a_panel_member_excluded_or_without_the_role(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    t = await team(app_engine, settings, make_tenant)
    case, ids = await decided(client, t, app_engine, ["fact_investigation"], ("accused", ACCUSED))
    base, iid = await commissioned(client, t, case, commission_body("fact", (ids[ACCUSED],)))
    url = f"{base}/{iid}"
    branch_adviser = await person(
        app_engine, settings, t.c.branch, {t.c.branch: (Role.ADVISER,), t.c.member: (Role.INVESTIGATOR,)}
    )
    panel_investigator = await person(app_engine, settings, t.c.member, {t.c.member: (Role.INVESTIGATOR,)})
    await as_(client, t.c.decider)
    refusals = {
        "adviser": seat_body(branch_adviser),
        "role-not-held": seat_body(t.c.expert),
        "on-the-panel": seat_body(t.c.decider),
        "time-box": seat_body(t.investigator, valid_to=(TODAY - timedelta(days=1)).isoformat()),
    }
    for reason, body in refusals.items():
        refused = await client.post(f"{url}/investigator", json=body)
        assert refused.status_code == 409, (reason, refused.text)
        assert refused.json()["type"].endswith("/investigator-refused"), reason
    assert "vertrouwenspersoon" in (await client.post(f"{url}/investigator", json=refusals["adviser"])).json()["detail"]
    bad = await client.post(f"{url}/investigator", json={**seat_body(t.investigator), "licence_number": "<script>"})
    assert bad.status_code == 400

    # Declaring a link ends the seat and keeps the person out of the case.
    assert (await client.post(f"{url}/investigator", json=seat_body(panel_investigator))).status_code == 201
    await as_(client, panel_investigator)
    linked = await client.post(f"{url}/declaration", json={"involved": True, "statement": STATEMENT})
    assert linked.status_code == 201 and linked.json()["assignment"] is None
    assert (await client.get(f"{url}/brief")).status_code == 403
    await as_(client, t.c.decider)
    excluded = await client.post(f"{url}/investigator", json=seat_body(panel_investigator))
    assert excluded.status_code == 409 and "uitgesloten" in excluded.json()["detail"]
    tomorrow = (TODAY + timedelta(days=1)).isoformat()
    assert (
        await client.post(f"{url}/investigator", json=seat_body(t.investigator, valid_from=tomorrow))
    ).status_code == 201
    second = await client.post(f"{url}/investigator", json=seat_body(t.firm))
    assert second.status_code == 409 and "al een aangestelde" in second.json()["detail"]  # one, even from tomorrow


async def test_a_firms_licence_is_checked_before_each_interview_and_nothing_before_the_agreed_protocol(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    t = await team(app_engine, settings, make_tenant)
    case, ids = await decided(client, t, app_engine, ["fact_investigation"], ("accused", ACCUSED))
    base, iid = await commissioned(client, t, case, commission_body("fact", (ids[ACCUSED],)))
    url = f"{base}/{iid}"
    until = TODAY + timedelta(days=10)
    licence = {"licence_number": "POB 77", "licence_valid_until": until.isoformat()}
    await as_(client, t.c.decider)
    assert (
        await client.post(f"{url}/investigator", json=seat_body(t.firm, external=True, **licence))
    ).status_code == 201
    await as_(client, t.firm)
    interview = {"party_id": ids[ACCUSED], "scheduled_at": in_a_while(), "companion_told_on": TODAY.isoformat()}
    assert (await client.post(f"{url}/interviews", json=interview)).status_code == 403  # declare first
    assert (
        await client.post(f"{url}/declaration", json={"involved": False, "statement": STATEMENT})
    ).status_code == 201
    early = await client.post(f"{url}/interviews", json=interview)
    assert early.status_code == 409 and "protocol" in early.json()["detail"]
    assert (await client.post(f"{url}/agreement")).status_code == 201
    after_expiry = {**interview, "scheduled_at": in_a_while(30)}
    expired = await client.post(f"{url}/interviews", json=after_expiry)
    assert expired.status_code == 409 and "Wpbr" in expired.json()["detail"]
    naive = await client.post(f"{url}/interviews", json={**interview, "scheduled_at": "2030-01-01T10:00:00"})
    assert naive.status_code == 409
    scheduled = await client.post(f"{url}/interviews", json=interview)
    assert scheduled.status_code == 201
    [planned] = scheduled.json()["process"]["interviews"]
    record = {"held_on": TODAY.isoformat(), "record": "Verslag.", "respond_by": SOON}
    # The licence lapses (its validity date as the firm reported it) before the interview is held.
    await in_tenant(
        app_engine,
        t.c.member,
        "UPDATE investigator_seats SET licence_valid_until = :d WHERE investigation_id = :i",
        d=TODAY - timedelta(days=1),
        i=iid,
    )
    lapsed = await client.post(f"{url}/interviews/{planned['id']}/record", json=record)
    assert lapsed.status_code == 409 and "Wpbr" in lapsed.json()["detail"]


async def test_the_accused_is_heard_first_a_term_is_extended_with_a_reason_and_reuse_needs_the_panel(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    t = await team(app_engine, settings, make_tenant)
    case, ids = await decided(client, t, app_engine, ["fact_investigation"], ("accused", ACCUSED), ("witness", WITNESS))
    base, iid = await commissioned(client, t, case, commission_body("fact", (ids[ACCUSED],)))
    url = f"{base}/{iid}"
    await seated_and_agreed(client, t, url, t.investigator)
    witness = await interviewed(client, url, ids[WITNESS], "Verslag getuige.")
    heads = await portal_of(client, t, case, ids[WITNESS])
    await answer(client, t, heads, witness["share_id"], "commented", "Eén correctie.")
    await as_(client, t.investigator)
    unheard = await client.post(f"{url}/drafts", json={**DRAFT, "to": [ids[ACCUSED]], "respond_by": SOON})
    assert unheard.status_code == 409 and "gehoord" in unheard.json()["detail"]
    accused = await interviewed(client, url, ids[ACCUSED], "Verslag beschuldigde.")
    accused_heads = await portal_of(client, t, case, ids[ACCUSED])
    await answer(client, t, accused_heads, accused["share_id"], "approved")
    await as_(client, t.investigator)
    drafted = await client.post(f"{url}/drafts", json={**DRAFT, "to": [ids[ACCUSED], ids[WITNESS]], "respond_by": SOON})
    assert drafted.status_code == 201
    reaction = drafted.json()["process"]["reactions"][0]
    ext = f"{url}/reactions/{reaction['id']}/extension"
    assert (await client.post(ext, json={"respond_by": SOON, "reason": "Meer tijd."})).status_code == 409
    assert (await client.post(ext, json={"respond_by": "2099-01-01", "reason": ""})).status_code == 400
    later = (TODAY + timedelta(days=28)).isoformat()
    extended = await client.post(ext, json={"respond_by": later, "reason": "Ziek; gevraagd per brief."})
    assert extended.status_code == 201
    moved = next(r for r in extended.json()["process"]["reactions"] if r["id"] == reaction["id"])
    assert moved["respond_by"] == later and moved["extensions"] == 1
    again = await client.post(f"{url}/drafts", json={**DRAFT, "to": [ids[ACCUSED]], "respond_by": SOON})
    assert again.status_code == 409 and "wezenlijke" in again.json()["detail"]
    reminded = (
        "SELECT responsible_role, responsible_id FROM deadlines "
        "WHERE id IN (SELECT deadline_id FROM investigation_reactions)"
    )
    assert {row[0] for row in await in_tenant(app_engine, t.c.member, reminded)} == {"investigator"}
    assert (await client.post(f"{url}/return", json={"reason": "Ik ben ziek en kan niet verder."})).status_code == 201
    assert set(await in_tenant(app_engine, t.c.member, reminded)) == {("decision_maker", None)}

    # A second investigation of the case: the first one's record only after the panel's recorded decision.
    await as_(client, t.c.decider)
    second = await client.post(f"{base}/", json=commission_body("fact", (ids[ACCUSED],)))
    second_url = f"{base}/{second.json()['process']['id']}"
    await seated_and_agreed(client, t, second_url, t.firm)
    refused = await client.get(f"{second_url}/interviews/{witness['id']}/record")
    assert refused.status_code == 409 and "besluit" in refused.json()["detail"]
    await as_(client, t.c.decider)
    decided_reuse = await client.post(
        f"{second_url}/reuse", json={"interview_id": witness["id"], "reasons": "Dezelfde feiten; getuige stemde in."}
    )
    assert decided_reuse.status_code == 201
    await as_(client, t.firm)
    reused = await client.get(f"{second_url}/interviews/{witness['id']}/record")
    assert reused.status_code == 200 and reused.json() == {
        "interview_id": witness["id"],
        "record": "Verslag getuige.",
        "answer": "commented",
    }


async def test_a_stage_term_reminds_the_investigator_alone_and_its_breach_reaches_the_process_guardian(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    t = await team(app_engine, settings, make_tenant)
    case, ids = await decided(client, t, app_engine, ["fact_investigation"], ("accused", ACCUSED))
    in_three_days = (TODAY + timedelta(days=2)).isoformat()  # through the end of that day: three days left
    body = commission_body("fact", (ids[ACCUSED],), terms={"draft_by": in_three_days})
    base, iid = await commissioned(client, t, case, body)
    await seated_and_agreed(client, t, f"{base}/{iid}", t.investigator)
    await in_tenant(  # the protocol stage is overdue (it was met at the agreement: open it again, a day ago)
        app_engine,
        t.c.member,
        "UPDATE deadlines SET met_at = NULL, due_at = now() - interval '1 day' WHERE id = CAST(:d AS uuid)",
        d=(await in_tenant(app_engine, t.c.member, "SELECT facts FROM investigations"))[0][0]["deadlines"]["protocol"],
    )
    async with create_sessionmaker(app_engine)() as session:
        await sweep_tenant(session, t.c.member.id, datetime.now(UTC))
        await session.commit()
    sent = await in_tenant(
        app_engine, t.c.member, "SELECT kind, account_id FROM notifications WHERE kind LIKE 'case.deadline%'"
    )
    assert ("case.deadline_reminder", t.investigator.account_id) in {(k, a) for k, a in sent}  # the draft, in 3 days
    assert ("case.deadline_breach", t.c.pooled.account_id) in {(k, a) for k, a in sent}
    breached = await in_tenant(
        app_engine, t.c.member, "SELECT details->>'kind' FROM audit_entries WHERE action = 'deadline.breached'"
    )
    assert breached == [("follow_up",)]

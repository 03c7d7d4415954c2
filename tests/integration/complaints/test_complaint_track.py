"""The complaint track through the API against real PostgreSQL and Redis: a branch committee takes a member's
complaint from registration to closure (admissible and decided; inadmissible; withdrawn; suspended for
mediation and resumed; unfounded with its duties), every refusal on the way, and who sees what."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from meldpunt.settings import Settings
from tests.conftest import MakeTenant
from tests.integration.cases.test_case_handling import as_
from tests.integration.complaints.conftest import (
    NOT_LINKED,
    RECEIPTS,
    TERMS,
    TODAY,
    Committee,
    committee,
    post,
    registered,
    routed_complaint,
    seat_of,
    set_procedure,
)


async def rows(engine: AsyncEngine, c: Committee, sql: str) -> list[Any]:
    async with engine.begin() as connection:
        await connection.execute(text(f"SET LOCAL meldpunt.tenant_ids = '{{{c.member.id}}}'"))
        return list((await connection.execute(text(sql))).all())


def problem(response: Any, status: int, slug: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["type"].endswith(slug), response.text


async def _heard(client: Any, c: Committee, url: str) -> None:
    await post(client, c.chair, f"{url}/admissibility", {"admissible": True})
    await post(client, c.secretary, f"{url}/records", {"kind": "defence", "text": "Ik ontken dit ten stelligste."})
    for party in ("complainant", "accused"):
        hearing = {
            "party": party,
            "mode": "separately",
            "invited_on": TODAY,
            "held_on": TODAY,
            "attendance": "attended",
            "brought_someone": party == "accused",
            "record": f"Verslag van het horen van de {party}.",
        }
        await post(client, c.secretary, f"{url}/hearings", hearing)


async def test_an_admissible_complaint_is_heard_advised_decided_notified_and_closed(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings, owner_engine: AsyncEngine
) -> None:
    c = await committee(app_engine, settings, make_tenant, owner_engine)
    case, url = await registered(client, c, app_engine)
    await _heard(client, c, url)
    await as_(client, c.chair)
    early = await client.post(f"{url}/advice", json={"outcome": "well_founded", "text": "Gegrond."})
    problem(early, 409, "complaint-refused")  # the hearing records' reaction term runs
    await post(client, c.secretary, f"{url}/records", {"kind": "reaction", "party": "accused", "text": "Akkoord."})
    await post(client, c.secretary, f"{url}/records", {"kind": "reaction", "party": "complainant", "text": "Ok."})
    await post(client, c.chair, f"{url}/records", {"kind": "deliberation", "text": "Intern: twijfel over getuige."})
    advised = await post(
        client, c.chair, f"{url}/advice", {"outcome": "partly", "measures": "Training.", "text": "Deels gegrond."}
    )
    assert advised["status"] == "advised" and advised["advice_outcome"] == "partly"

    # The decision maker is seated now; the accused's manager rule and HR are checked at the seat.
    await as_(client, c.secretary)
    hr = await client.post(f"{url}/seats", json=seat_of(c.hr_decider, "decision_maker", "this_member"))
    problem(hr, 409, "complaint-seat-refused")
    await post(client, c.secretary, f"{url}/seats", seat_of(c.decider, "decision_maker", "this_member"))
    await as_(client, c.decider)
    before = await client.get(f"{url}/")
    assert before.status_code == 200 and before.json()["records"] is None  # the process only, until declared
    await post(client, c.decider, f"{url}/declaration", NOT_LINKED)
    seen = (await client.get(f"{url}/")).json()
    kinds = {r["kind"] for r in seen["records"]}
    assert "deliberation" not in kinds and {"advice", "defence", "hearing_record"} <= kinds
    assert seen["content"] is None

    departing = await client.post(f"{url}/decision", json={"outcome": "well_founded", "follows_advice": False})
    problem(departing, 409, "complaint-refused")  # reasons required when departing from the advice
    decided = await post(
        client,
        c.decider,
        f"{url}/decision",
        {"outcome": "partly", "follows_advice": True, "measures": "Training.", "measures_due_on": TODAY},
    )
    assert decided["status"] == "decided"
    await post(client, c.secretary, f"{url}/notification")
    await as_(client, c.secretary)
    blocked = await client.post(f"{url}/closure", json={"reason": "Afgehandeld."})
    problem(blocked, 409, "complaint-refused")  # aftercare first
    aftercare = {"for_complainant": "Gesprek met vp.", "for_accused": "Coaching.", "due_on": TODAY}
    await post(client, c.secretary, f"{url}/aftercare", aftercare)
    open_notice = await client.post(f"{url}/closure", json={"reason": "Afgehandeld."})
    problem(open_notice, 409, "closure-refused")  # the accused's one-month notice is still open
    await rows(app_engine, c, "UPDATE deadlines SET met_at = now() WHERE kind = 'inform_accused' RETURNING id")
    closed = await post(client, c.secretary, f"{url}/closure", {"reason": "Afgehandeld."})
    assert closed["status"] == "closed"
    (status,) = await rows(app_engine, c, f"SELECT status FROM cases WHERE id = '{case}'")
    assert status.status == "closed"


async def test_the_procedure_is_refused_until_its_terms_are_set_and_informal_options_never_block(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings, owner_engine: AsyncEngine
) -> None:
    c = await committee(app_engine, settings, make_tenant, owner_engine)
    case = await routed_complaint(client, c, app_engine)
    await set_procedure(
        owner_engine, c.member, {"terms": {k: v for k, v in TERMS.items() if k != "complaint_defence_days"}}
    )
    body = {"case_id": case, "informal": "considered", "employer": "branch"}
    await as_(client, c.secretary)
    inactive = await client.post(f"/api/v1/t/{c.slug}/complaints/", json=body)
    problem(inactive, 409, "complaint-procedure-inactive")
    assert "verweer" in inactive.json()["detail"].lower()
    await set_procedure(owner_engine, c.member, {"terms": TERMS})
    skipped = await client.post(f"/api/v1/t/{c.slug}/complaints/", json={**body, "informal": "skipped"})
    problem(skipped, 409, "complaint-refused")  # why it was skipped is recorded; any reason will do
    member_employed = await client.post(f"/api/v1/t/{c.slug}/complaints/", json={**body, "employer": "this_member"})
    problem(member_employed, 409, "complaint-seat-refused")
    await as_(client, c.chair)
    not_secretary = await client.post(f"/api/v1/t/{c.slug}/complaints/", json=body)
    problem(not_secretary, 409, "complaint-refused")
    done = await post(client, c.secretary, f"/api/v1/t/{c.slug}/complaints/", body)
    assert done["status"] == "registered" and done["facts"]["informal"] == "considered"
    notice = [d for d in done["deadlines"] if d["kind"] == "inform_accused"]
    assert notice and notice[0]["responsible_role"] == "committee_secretary"
    again = await client.post(f"/api/v1/t/{c.slug}/complaints/", json=body)
    problem(again, 409, "complaint-refused")


async def test_an_inadmissible_complaint_keeps_the_accused_notice_and_closes(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings, owner_engine: AsyncEngine
) -> None:
    c = await committee(app_engine, settings, make_tenant, owner_engine)
    _, url = await registered(client, c, app_engine)
    await as_(client, c.chair)
    no_reason = await client.post(f"{url}/admissibility", json={"admissible": False})
    problem(no_reason, 409, "complaint-refused")
    unknown = await client.post(f"{url}/admissibility", json={"admissible": False, "reason": "bored"})
    assert unknown.status_code == 400
    not_in_rules = await client.post(
        f"{url}/admissibility", json={"admissible": False, "reason": "internal_route_first"}
    )
    problem(not_in_rules, 409, "complaint-refused")
    out = await post(client, c.chair, f"{url}/admissibility", {"admissible": False, "reason": "too_late"})
    assert out["status"] == "inadmissible" and out["inadmissible_reason"] == "too_late"
    open_kinds = {d["kind"] for d in out["deadlines"] if d["met_at"] is None}
    assert open_kinds == {"inform_accused"}
    closed = await post(client, c.secretary, f"{url}/closure", {"reason": "Niet-ontvankelijk."}, status=409)
    assert closed["type"].endswith("closure-refused")


async def test_a_withdrawal_until_the_advice_and_a_mediation_that_resumes_with_its_terms_recomputed(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings, owner_engine: AsyncEngine
) -> None:
    c = await committee(app_engine, settings, make_tenant, owner_engine)
    _, url = await registered(client, c, app_engine)
    await post(client, c.chair, f"{url}/admissibility", {"admissible": True})
    (before,) = await rows(app_engine, c, "SELECT due_at FROM deadlines WHERE kind = 'complaint_defence'")
    consent = {"complainant_consented_on": TODAY, "accused_consented_on": TODAY}
    suspended = await post(client, c.chair, f"{url}/suspension", consent)
    assert suspended["status"] == "suspended"
    notice = next(d for d in suspended["deadlines"] if d["kind"] == "inform_accused")
    assert notice["met_at"] is None  # the accused's notice never pauses
    await as_(client, c.chair)
    content = await client.post(f"{url}/resumption", json={"settled": False, "agreement": "Wat er gezegd is."})
    problem(content, 409, "complaint-refused")  # no mediation content in the dossier
    resumed = await post(client, c.chair, f"{url}/resumption", {"settled": False})
    assert resumed["status"] == "admissible" and resumed["facts"]["mediation"] == "no_result"
    defence = await rows(
        app_engine, c, "SELECT due_at, met_at, ended_by FROM deadlines WHERE kind = 'complaint_defence'"
    )
    fresh = [d for d in defence if d.met_at is None]
    # What was left of the term when it paused runs again from the resumption (not from the suspension).
    assert len(fresh) == 1 and abs((fresh[0].due_at - before.due_at).total_seconds()) < 60
    assert any(d.ended_by == "suspended" for d in defence)

    withdrawn = await post(client, c.secretary, f"{url}/withdrawal", {"withdrawn_on": TODAY, "in_writing": True})
    assert withdrawn["status"] == "withdrawn"
    again = await client.post(f"{url}/suspension", json=consent)
    assert again.status_code == 403  # the secretary does not suspend; the chair does
    await as_(client, c.chair)
    after = await client.post(f"{url}/suspension", json=consent)
    problem(after, 409, "complaint-refused")


async def test_a_declared_link_ends_the_seat_and_the_complaint_is_gone_for_them(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings, owner_engine: AsyncEngine
) -> None:
    c = await committee(app_engine, settings, make_tenant, owner_engine)
    _, url = await registered(client, c, app_engine)
    linked = c.members[1]
    await as_(client, linked)
    assert (await client.get(f"{url}/")).status_code == 404  # not seated: nothing, not even that it exists
    assert (await client.get(f"/api/v1/t/{c.slug}/complaints/")).json() == []
    await post(client, c.secretary, f"{url}/seats", seat_of(linked, "committee_member"))
    await as_(client, linked)
    pending = await client.get(f"{url}/")
    assert pending.status_code == 200 and pending.json()["records"] is None  # seated: the process until declared
    out = await post(client, linked, f"{url}/declaration", {**NOT_LINKED, "reporting_line": True})
    assert out["seated"] is False
    assert (await client.get(f"{url}/")).status_code == 404
    assert (await client.get(f"/api/v1/t/{c.slug}/complaints/")).json() == []
    notified = await rows(app_engine, c, "SELECT kind FROM notifications WHERE kind = 'complaint.deputy_needed'")
    assert notified
    deputy = seat_of(c.members[1], "committee_member", deputy_for=out["seat_id"])
    await as_(client, c.secretary)
    problem(await client.post(f"{url}/seats", json=deputy), 409, "complaint-seat-refused")  # one seat a person


async def test_an_unfounded_decision_sets_the_duties_and_the_accused_manager_decides_only_beside_another(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings, owner_engine: AsyncEngine
) -> None:
    c = await committee(app_engine, settings, make_tenant, owner_engine)
    case, url = await registered(client, c, app_engine)
    async with app_engine.begin() as connection:
        await connection.execute(text(f"SET LOCAL meldpunt.tenant_ids = '{{{c.member.id}}}'"))
        await connection.execute(
            text(
                "INSERT INTO case_exclusions (tenant_id, id, case_id, account_tenant_id, account_id, reason) "
                "VALUES (:t, gen_random_uuid(), :c, :at, :a, 'accused_manager')"
            ),
            {"t": c.member.id, "c": case, "at": c.decider.account_tenant_id, "a": c.decider.account_id},
        )
    await _heard(client, c, url)
    await rows(
        app_engine,
        c,
        "UPDATE deadlines SET due_at = now() - interval '1 hour' WHERE kind = 'complaint_record_reply' RETURNING id",
    )
    await post(client, c.chair, f"{url}/advice", {"outcome": "not_established", "text": "Niet vast te stellen."})
    await as_(client, c.secretary)
    alone = await client.post(f"{url}/seats", json=seat_of(c.decider, "decision_maker", "this_member"))
    problem(alone, 409, "complaint-seat-refused")  # manager-not-alone
    await post(client, c.secretary, f"{url}/seats", seat_of(c.second_decider, "decision_maker", "this_member"))
    await as_(client, c.secretary)
    no_reason = await client.post(f"{url}/seats", json=seat_of(c.decider, "decision_maker", "this_member"))
    problem(no_reason, 409, "complaint-seat-refused")
    beside = seat_of(
        c.decider, "decision_maker", "this_member", escalation_reason="Kleine organisatie; RvT beslist mee."
    )
    await post(client, c.secretary, f"{url}/seats", beside)
    await post(client, c.second_decider, f"{url}/declaration", NOT_LINKED)
    await post(client, c.decider, f"{url}/declaration", NOT_LINKED)
    await as_(client, c.decider)
    manager = await client.post(f"{url}/decision", json={"outcome": "not_established", "follows_advice": True})
    problem(manager, 409, "complaint-refused")  # the independent one records the decision
    decided = await post(
        client, c.second_decider, f"{url}/decision", {"outcome": "not_established", "follows_advice": True}
    )
    assert decided["facts"]["unfounded_duties"][:3] == [
        "minimal_communication",
        "reputation_restored",
        "career_neutral_record",
    ]
    aftercare = await rows(
        app_engine, c, f"SELECT count(*) AS n FROM deadlines WHERE case_id = '{case}' AND kind = 'aftercare'"
    )
    assert aftercare[0].n == 6


async def test_content_stays_sealed_and_the_audit_names_acts_only(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings, owner_engine: AsyncEngine
) -> None:
    c = await committee(app_engine, settings, make_tenant, owner_engine)
    _, url = await registered(client, c, app_engine)
    secret = "geheim-verweer-5d1e"
    await post(client, c.chair, f"{url}/admissibility", {"admissible": True})
    await post(client, c.secretary, f"{url}/records", {"kind": "defence", "text": secret})
    dumped = ""
    for table in ("complaints", "complaint_seats", "complaint_records", "audit_entries", "deadlines", "documents"):
        dumped += " ".join(str(row) for row in await rows(app_engine, c, f"SELECT * FROM {table}"))
    assert secret not in dumped


async def test_a_withdrawal_in_the_receipt_inbox_withdraws_the_complaint_until_the_advice(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings, owner_engine: AsyncEngine
) -> None:
    c = await committee(app_engine, settings, make_tenant, owner_engine)
    case, url = await registered(client, c, app_engine)
    client.cookies.clear()
    client.headers.pop("x-csrf-token", None)
    inbox = f"/api/v1/public/{c.slug}/inbox"
    opened = (await client.post(inbox, json={"receipt": RECEIPTS[case]})).json()
    assert "klachtencommissie heeft uw klacht ontvangen" in str(opened)  # procedure words only
    withdrawn = await client.post(f"{inbox}/withdrawal", json={"receipt": RECEIPTS[case]})
    assert withdrawn.status_code == 204, withdrawn.text
    await as_(client, c.chair)
    seen = (await client.get(f"{url}/")).json()
    assert seen["status"] == "withdrawn" and seen["facts"]["withdrawn_through"] == "inbox"
    assert not [d for d in seen["deadlines"] if d["met_at"] is None and d["kind"] != "inform_accused"]

    case_two, url_two = await registered(client, c, app_engine)
    await _heard(client, c, url_two)
    await rows(
        app_engine,
        c,
        "UPDATE deadlines SET due_at = now() - interval '1 hour' WHERE kind = 'complaint_record_reply' RETURNING id",
    )
    await post(client, c.chair, f"{url_two}/advice", {"outcome": "well_founded", "text": "Gegrond."})
    client.cookies.clear()
    client.headers.pop("x-csrf-token", None)
    late = await client.post(f"{inbox}/withdrawal", json={"receipt": RECEIPTS[case_two]})
    assert late.status_code == 409  # judged: the advice ends the right to withdraw
    await as_(client, c.secretary)
    problem(
        await client.post(f"{url_two}/withdrawal", json={"withdrawn_on": TODAY, "in_writing": True}),
        409,
        "complaint-refused",
    )


async def test_each_party_reads_in_the_portal_what_the_committee_relies_on_for_their_side(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings, owner_engine: AsyncEngine
) -> None:
    c = await committee(app_engine, settings, make_tenant, owner_engine)
    _, url = await registered(client, c, app_engine)
    await as_(client, c.members[0])
    assert (await client.post(f"{url}/parties", json={"role": "accused", "name": "Bram Verhoeven"})).status_code == 403
    added = await post(client, c.secretary, f"{url}/parties", {"role": "accused", "name": "Bram Verhoeven"})
    witness = await client.post(f"{url}/parties", json={"role": "witness", "name": "Een getuige"})
    problem(witness, 409, "complaint-refused")
    accused = added[0]["id"]
    await post(client, c.secretary, f"{url}/parties", {"role": "external_complainant", "name": "Sanne de Vries"})
    await _heard(client, c, url)
    await post(client, c.chair, f"{url}/records", {"kind": "deliberation", "text": "Alleen voor de commissie."})
    invitation = await post(client, c.secretary, f"{url}/parties/{accused}/invitation")
    client.cookies.clear()
    client.headers.pop("x-csrf-token", None)
    token = invitation["link"].rsplit("/", 1)[1]
    base = f"/api/v1/p/{c.slug}"
    key = (await client.post(f"{base}/activation", json={"token": token, "code": invitation["code"]})).json()["key"]
    portal = (await client.get(f"{base}/portal", headers={"X-Party-Link": token, "X-Party-Key": key})).json()
    titles = sorted(item["title"] for item in portal["shared"])
    assert titles == ["Verslag van de hoorzitting", "Verweerschrift"]  # their own record, not the complainant's
    assert "Alleen voor de commissie" not in str(portal)


async def test_a_reply_round_on_the_draft_advice_and_an_objection_where_the_regulation_provides_them(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings, owner_engine: AsyncEngine
) -> None:
    c = await committee(app_engine, settings, make_tenant, owner_engine)
    rounds = {**TERMS, "complaint_draft_reply_days": 10, "complaint_objection_days": 42}
    await set_procedure(owner_engine, c.member, {"terms": rounds})
    _, url = await registered(client, c, app_engine)
    await _heard(client, c, url)
    for party in ("complainant", "accused"):
        await post(client, c.secretary, f"{url}/records", {"kind": "reaction", "party": party, "text": "Gezien."})
    advice = {"outcome": "well_founded", "text": "Gegrond.", "measures": "Een waarschuwing."}
    await as_(client, c.chair)
    problem(await client.post(f"{url}/advice", json=advice), 409, "complaint-refused")  # the draft first
    drafted = await post(client, c.chair, f"{url}/draft-advice", advice)
    assert drafted["status"] == "draft_advice"
    await as_(client, c.chair)
    problem(await client.post(f"{url}/advice", json=advice), 409, "complaint-refused")  # the reply round runs
    await post(client, c.secretary, f"{url}/records", {"kind": "reaction", "party": "accused", "text": "Oneens."})
    await as_(client, c.chair)
    problem(await client.post(f"{url}/advice", json=advice), 409, "complaint-refused")  # one side only
    await post(client, c.secretary, f"{url}/records", {"kind": "reaction", "party": "complainant", "text": "Eens."})
    await post(client, c.chair, f"{url}/advice", advice)
    await post(client, c.secretary, f"{url}/seats", seat_of(c.decider, "decision_maker", "this_member"))
    await post(client, c.decider, f"{url}/declaration", NOT_LINKED)
    await as_(client, c.decider)
    no_term = await client.post(
        f"{url}/decision", json={"outcome": "well_founded", "follows_advice": True, "measures": "Waarschuwing."}
    )
    problem(no_term, 409, "complaint-refused")  # measures need the term they are realised in
    decided = {"outcome": "well_founded", "follows_advice": True, "measures": "Waarschuwing.", "measures_due_on": TODAY}
    await post(client, c.decider, f"{url}/decision", decided)
    notified = await post(client, c.secretary, f"{url}/notification")
    assert any(d["kind"] == "complaint_objection" and d["met_at"] is None for d in notified["deadlines"])
    aftercare = {"for_complainant": "Gesprek met vp.", "for_accused": "Coaching.", "due_on": TODAY}
    await as_(client, c.secretary)
    problem(await client.post(f"{url}/aftercare", json=aftercare), 409, "complaint-refused")  # objection term runs
    problem(await client.post(f"{url}/objection", json={"lodged": True}), 409, "complaint-refused")  # by whom
    lodged = await post(client, c.secretary, f"{url}/objection", {"lodged": True, "party": "accused"})
    assert lodged["status"] == "objection"
    assert (await post(client, c.secretary, f"{url}/aftercare", aftercare))["status"] == "aftercare"

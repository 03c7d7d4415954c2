"""Two rules the complaint track shares with the panel, through the API against real PostgreSQL and Redis: a
registered complaint's case is the committee's (routing sends it nowhere else), and a complaint's process guardian
is refused where the panel would refuse it (the member's own guardian where the member uses the branch's pool)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from meldpunt.identity.roles import Role
from meldpunt.settings import Settings
from tests.conftest import MakeTenant
from tests.integration.cases.test_case_handling import ROUTE, as_, person
from tests.integration.complaints.conftest import (
    NOT_LINKED,
    TERMS,
    Committee,
    committee,
    post,
    registered,
    routed_complaint,
    seat_of,
    set_procedure,
)
from tests.integration.complaints.test_complaint_track import problem, rows

ELSEWHERE = [
    {**ROUTE, "classified_as": "complaint", "route": "decision_panel"},
    {**ROUTE, "classified_as": "report", "route": "adviser_only"},
    {**ROUTE, "classified_as": "complaint", "route": "complaints_committee"},  # routed again: its terms reset
]


async def _route(client: Any, c: Committee, case: str, body: dict[str, Any], language: str = "nl") -> Any:
    await as_(client, c.point)
    url = f"/api/v1/t/{c.slug}/cases/{case}/routing"
    return await client.post(url, json=body, headers={"accept-language": language})


async def test_a_registered_complaints_case_is_not_routed_elsewhere(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings, owner_engine: AsyncEngine
) -> None:
    c = await committee(app_engine, settings, make_tenant, owner_engine)
    waiting = await routed_complaint(client, c, app_engine)
    rerouted = await _route(client, c, waiting, ELSEWHERE[0])
    assert rerouted.status_code == 201, rerouted.text  # not registered yet: the reporting point may still choose

    case, url = await registered(client, c, app_engine)
    for body in ELSEWHERE:
        refused = await _route(client, c, case, body)
        problem(refused, 400, "routing-refused")
        assert "klachtencommissie heeft deze klacht ingeschreven" in refused.json()["detail"]
    english = await _route(client, c, case, ELSEWHERE[0], "en")
    problem(english, 400, "routing-refused")
    assert "committee has registered this complaint" in english.json()["detail"]
    (routed,) = await rows(app_engine, c, f"SELECT route, status, kind FROM cases WHERE id = '{case}'")
    assert tuple(routed) == ("complaints_committee", "routed", "complaint")
    routings = await rows(app_engine, c, f"SELECT id FROM case_routings WHERE case_id = '{case}'")
    assert len(routings) == 1

    # Admissible (the case in progress) it stays the committee's too; the committee goes on with it.
    await post(client, c.chair, f"{url}/admissibility", {"admissible": True})
    problem(await _route(client, c, case, ELSEWHERE[0]), 400, "routing-refused")
    defended = await post(client, c.secretary, f"{url}/records", {"kind": "defence", "text": "Verweer."})
    assert defended["status"] == "hearing"


async def test_inadmissible_for_the_internal_route_first_hands_the_case_back_for_that_route(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings, owner_engine: AsyncEngine
) -> None:
    c = await committee(app_engine, settings, make_tenant, owner_engine)
    await set_procedure(owner_engine, c.member, {"terms": TERMS, "complaint_rules": {"internal_route_first": True}})
    case, url = await registered(client, c, app_engine)
    out = await post(client, c.chair, f"{url}/admissibility", {"admissible": False, "reason": "internal_route_first"})
    assert out["status"] == "inadmissible"
    terms = await rows(app_engine, c, f"SELECT kind FROM deadlines WHERE case_id = '{case}' AND met_at IS NULL")
    assert "route" in {kind for (kind,) in terms}  # the reporting point routes it again, within its term

    rerouted = await _route(client, c, case, ELSEWHERE[0])  # the internal route: the decision panel
    assert rerouted.status_code == 201, rerouted.text
    (routed,) = await rows(app_engine, c, f"SELECT route, status FROM cases WHERE id = '{case}'")
    assert tuple(routed) == ("decision_panel", "routed")
    audit = await rows(app_engine, c, "SELECT action FROM audit_entries WHERE action = 'case.handed_back'")
    assert len(audit) == 1
    # The committee closes its complaint; the case goes on at the panel.
    closed = await post(client, c.secretary, f"{url}/closure", {"reason": "Eerst de interne weg."})
    assert closed["status"] == "closed"
    (after,) = await rows(app_engine, c, f"SELECT route, status FROM cases WHERE id = '{case}'")
    assert tuple(after) == ("decision_panel", "routed")


async def test_inadmissible_for_another_reason_keeps_the_case_with_the_committee(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings, owner_engine: AsyncEngine
) -> None:
    c = await committee(app_engine, settings, make_tenant, owner_engine)
    case, url = await registered(client, c, app_engine)
    await post(client, c.chair, f"{url}/admissibility", {"admissible": False, "reason": "already_judged"})
    problem(await _route(client, c, case, ELSEWHERE[0]), 400, "routing-refused")


async def _register(client: Any, c: Committee, engine: AsyncEngine) -> str:
    case = await routed_complaint(client, c, engine)
    body = {"case_id": case, "informal": "considered", "employer": "branch"}
    complaint = await post(client, c.secretary, f"/api/v1/t/{c.slug}/complaints/", body)
    url = f"/api/v1/t/{c.slug}/complaints/{complaint['id']}"
    await post(client, c.secretary, f"{url}/declaration", NOT_LINKED)
    return url


async def test_a_members_own_guardian_is_refused_where_the_member_uses_the_branchs_pool(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings, owner_engine: AsyncEngine
) -> None:
    c = await committee(app_engine, settings, make_tenant, owner_engine)
    own = await person(app_engine, settings, c.member, {c.member: (Role.PROCESS_GUARDIAN,)})
    url = await _register(client, c, app_engine)
    await as_(client, c.secretary)
    refused = await client.post(f"{url}/seats", json=seat_of(own, "process_guardian", "this_member"))
    problem(refused, 409, "complaint-seat-refused")
    assert "procesbewakers van de branche" in refused.json()["detail"]
    english = await client.post(
        f"{url}/seats", json=seat_of(own, "process_guardian", "this_member"), headers={"accept-language": "en"}
    )
    assert "branch's process guardians" in english.json()["detail"]
    seated = await post(client, c.secretary, f"{url}/seats", seat_of(c.guardian, "process_guardian"))
    assert [s["account_id"] for s in seated["seats"] if s["role"] == "process_guardian"] == [str(c.guardian.account_id)]
    guardians = await rows(app_engine, c, "SELECT account_id FROM complaint_seats WHERE role = 'process_guardian'")
    assert [str(g.account_id) for g in guardians] == [str(c.guardian.account_id)]


async def test_a_member_without_the_pool_seats_its_own_guardian(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings, owner_engine: AsyncEngine
) -> None:
    c = await committee(app_engine, settings, make_tenant, owner_engine, services=("complaints_committee",))
    own = await person(app_engine, settings, c.member, {c.member: (Role.PROCESS_GUARDIAN,)})
    url = await _register(client, c, app_engine)
    seated = await post(client, c.secretary, f"{url}/seats", seat_of(own, "process_guardian", "this_member"))
    assert [s["account_id"] for s in seated["seats"] if s["role"] == "process_guardian"] == [str(own.account_id)]
    await post(client, own, f"{url}/declaration", NOT_LINKED)
    await as_(client, own)
    assert (await client.get(f"{url}/")).json()["status"] == "registered"

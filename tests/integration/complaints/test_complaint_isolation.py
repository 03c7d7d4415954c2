"""Who reaches a complaint, route by route: another tenant's professional is refused (and finds nothing in their
own tenant); a branch committee member reaches the complaints of the members it serves where it sits, and
nothing else; a member's decision maker never sees another member's complaint; a complaint one does not sit at
answers exactly as a missing one, on every route."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from meldpunt.identity.roles import Role
from meldpunt.settings import Settings
from tests.conftest import MakeTenant
from tests.integration.cases.test_case_handling import as_, person
from tests.integration.complaints.conftest import (
    NOT_LINKED,
    TODAY,
    committee,
    post,
    registered,
    routed_complaint,
    seat_of,
)


def every_route(url: str, who: Any) -> list[tuple[str, str, dict[str, Any] | None]]:
    """Every route of one complaint, each with a body that passes validation (so the seat is what answers)."""
    advice = {"outcome": "partly", "text": "Deels gegrond."}
    return [
        ("GET", f"{url}/", None),
        ("GET", f"{url}/status", None),
        ("POST", f"{url}/seats", seat_of(who, "committee_member")),
        ("POST", f"{url}/declaration", NOT_LINKED),
        ("POST", f"{url}/admissibility", {"admissible": True}),
        ("POST", f"{url}/records", {"kind": "evidence", "text": "Een stuk."}),
        ("POST", f"{url}/without-defence", None),
        (
            "POST",
            f"{url}/hearings",
            {"party": "accused", "mode": "together", "invited_on": TODAY, "attendance": "refused"},
        ),
        ("POST", f"{url}/draft-advice", advice),
        ("POST", f"{url}/advice", advice),
        ("POST", f"{url}/decision", {"outcome": "partly", "follows_advice": True}),
        ("POST", f"{url}/notification", None),
        ("POST", f"{url}/objection", {"lodged": False}),
        ("POST", f"{url}/aftercare", {"for_complainant": "Gesprek.", "for_accused": "Gesprek.", "due_on": TODAY}),
        ("POST", f"{url}/closure", {"reason": "Afgehandeld."}),
        ("POST", f"{url}/withdrawal", {"withdrawn_on": TODAY, "in_writing": True}),
        ("POST", f"{url}/suspension", {"complainant_consented_on": TODAY, "accused_consented_on": TODAY}),
        ("POST", f"{url}/resumption", {"settled": False}),
        (
            "POST",
            f"{url}/extensions",
            {"term": "complaint_defence", "days": 7, "reason": "Ziekte van de beschuldigde."},
        ),
        ("POST", f"{url}/notice", {"party_id": str(uuid.uuid4())}),
        ("GET", f"{url}/parties", None),
        ("POST", f"{url}/parties", {"role": "accused", "name": "Iemand Anders"}),
        ("POST", f"{url}/parties/{uuid.uuid4()}/invitation", None),
        (
            "POST",
            f"{url}/records/{uuid.uuid4()}/restriction",
            {"withheld_from": "accused", "reason": "rights_of_others", "explanation": "Een getuige."},
        ),
        ("POST", f"{url}/records/{uuid.uuid4()}/restriction/lifting", {"withheld_from": "accused"}),
    ]


async def test_every_complaint_route_refuses_another_tenants_professional(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings, owner_engine: AsyncEngine
) -> None:
    c = await committee(app_engine, settings, make_tenant, owner_engine)
    _, url = await registered(client, c, app_engine)
    elsewhere = await make_tenant()
    roles = (Role.COMMITTEE_CHAIR, Role.COMMITTEE_SECRETARY, Role.DECISION_MAKER, Role.REPORTING_POINT)
    stranger = await person(app_engine, settings, elsewhere, {elsewhere: roles})
    await as_(client, stranger)
    for method, path, body in [
        *every_route(url, stranger),
        ("GET", f"/api/v1/t/{c.slug}/complaints/", None),
        ("GET", f"/api/v1/t/{c.slug}/complaints/counts?year=2026", None),
        ("GET", f"/api/v1/t/{c.slug}/reports/committee/2026", None),
        ("GET", f"/app/t/{c.slug}/jaarverslag/klachtencommissie/2026", None),
    ]:
        response = await client.request(method, path, json=body)
        assert response.status_code == 403, (method, path, response.status_code)
        own = await client.request(method, path.replace(f"/t/{c.slug}/", f"/t/{elsewhere.slug}/"), json=body)
        expected = 200 if path.endswith(("/complaints/", "year=2026", "/2026")) else 404
        assert own.status_code == expected, (method, path, own.status_code)
    assert (await client.get(f"/api/v1/t/{elsewhere.slug}/complaints/")).json() == []


async def test_a_branch_committee_member_reaches_only_the_complaints_it_sits_at_in_the_members_it_serves(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings, owner_engine: AsyncEngine
) -> None:
    c = await committee(app_engine, settings, make_tenant, owner_engine)
    _, url = await registered(client, c, app_engine)
    complaint_id = url.rsplit("/", 1)[1]
    other_case = await routed_complaint(client, c, app_engine, c.other)
    body = {"case_id": other_case, "informal": "considered", "employer": "branch"}
    other = await post(client, c.secretary, f"/api/v1/t/{c.other.slug}/complaints/", body)
    other_url = f"/api/v1/t/{c.other.slug}/complaints/{other['id']}"

    await as_(client, c.chair)  # seated and declared at the member's complaint only
    assert (await client.get(f"{url}/")).status_code == 200
    assert [e["id"] for e in (await client.get(f"/api/v1/t/{c.slug}/complaints/")).json()] == [complaint_id]
    assert (await client.get(f"{other_url}/")).status_code == 404
    assert (await client.get(f"/api/v1/t/{c.other.slug}/complaints/")).json() == []
    # The member's complaint under the other member's address is missing, as is any id.
    assert (await client.get(f"/api/v1/t/{c.other.slug}/complaints/{complaint_id}/")).status_code == 404

    # The other member's decision maker: no door at the member, nothing under its own address.
    await as_(client, c.other_decider)
    assert (await client.get(f"{url}/")).status_code == 403
    assert (await client.get(f"/api/v1/t/{c.other.slug}/complaints/{complaint_id}/")).status_code == 404
    assert (await client.get(f"/api/v1/t/{c.other.slug}/complaints/")).json() == []

    # The member's own reporting point sees the status, not the dossier; the other's nothing of it.
    await as_(client, c.point)
    status = await client.get(f"{url}/status")
    assert status.status_code == 200 and set(status.json()) == {"id", "case_id", "status", "registered_at", "ended_at"}
    assert (await client.get(f"{url}/")).status_code == 404
    await as_(client, c.other_point)
    assert (await client.get(f"/api/v1/t/{c.other.slug}/complaints/{complaint_id}/status")).status_code == 404


async def test_every_complaint_route_answers_a_complaint_one_does_not_sit_at_as_missing(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings, owner_engine: AsyncEngine
) -> None:
    c = await committee(app_engine, settings, make_tenant, owner_engine)
    _, url_one = await registered(client, c, app_engine)
    await post(client, c.secretary, f"{url_one}/seats", seat_of(c.decider, "decision_maker", "this_member"))
    await post(client, c.decider, f"{url_one}/declaration", NOT_LINKED)
    second_secretary = await person(app_engine, settings, c.branch, {c.member: (Role.COMMITTEE_SECRETARY,)})
    case_two = await routed_complaint(client, c, app_engine)
    body = {"case_id": case_two, "informal": "considered", "employer": "external"}
    two = await post(client, second_secretary, f"/api/v1/t/{c.slug}/complaints/", body)
    url_two = f"/api/v1/t/{c.slug}/complaints/{two['id']}"
    missing_url = f"/api/v1/t/{c.slug}/complaints/{uuid.uuid4()}"
    for who in (c.chair, c.members[0], c.decider, c.guardian):
        await as_(client, who)
        for (method, path, body), (_, missing, _) in zip(
            every_route(url_two, c.members[1]), every_route(missing_url, c.members[1]), strict=True
        ):
            response = await client.request(method, path, json=body)
            if response.status_code == 403:  # a route this role may not use at all answers 403 first
                continue
            assert response.status_code == 404, (who, method, path, response.status_code)
            assert (await client.request(method, missing, json=body)).status_code == 404
    await as_(client, second_secretary)
    untouched = (await client.get(f"{url_two}/")).json()
    assert untouched["status"] == "registered" and len(untouched["seats"]) == 1

"""A branch committee serving two members, each with its decision makers and reporting point, and a complaint
routed to the committee: what every complaint test starts from."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from meldpunt.identity.roles import Role
from meldpunt.settings import Settings
from tests.conftest import MakeTenant, TenantRef
from tests.integration.cases.test_case_handling import ROUTE, STATEMENT, Person, as_, case_ids, person
from tests.integration.intake.test_submissions import submit

TERMS = {
    "complaint_receipt_days": 7,
    "complaint_admissibility_days": 14,
    "complaint_defence_days": 14,
    "complaint_hearing_days": 28,
    "complaint_record_reply_days": 7,
    "committee_advice_days": 56,
    "complaint_decision_days": 28,
}
COMPLAINT = {
    "kind": "complaint",
    "anonymity": "confidential",
    "identity": {"name": "Sanne de Vries", "contact": "sanne@example.org"},
    "accused_role": "colleague",
}
TODAY = date.today().isoformat()
RECEIPTS: dict[str, str] = {}  # each routed complaint's receipt, for the complainant's inbox
NOT_LINKED = {"involved": False, "interest": False, "reporting_line": False, "statement": STATEMENT}


@dataclass
class Committee:
    branch: TenantRef
    member: TenantRef
    other: TenantRef  # a second member the same committee serves
    chair: Person
    members: tuple[Person, Person]
    secretary: Person
    guardian: Person
    point: Person
    decider: Person
    second_decider: Person
    other_decider: Person
    hr_decider: Person
    other_point: Person

    @property
    def slug(self) -> str:
        return self.member.slug


async def set_procedure(owner_engine: AsyncEngine, tenant: TenantRef, procedure: dict[str, Any]) -> None:
    async with owner_engine.begin() as connection:
        await connection.execute(
            text("UPDATE tenants SET procedure = CAST(:p AS jsonb) WHERE id = :id"),
            {"p": json.dumps(procedure), "id": tenant.id},
        )


async def committee(
    app_engine: AsyncEngine,
    settings: Settings,
    make_tenant: MakeTenant,
    owner_engine: AsyncEngine,
    services: tuple[str, ...] = ("complaints_committee", "process_guardians"),
) -> Committee:
    """``services``: the branch services both members use (by default the committee and the guardians' pool)."""
    branch = await make_tenant()
    member = await make_tenant(branch=branch, services=services)
    other = await make_tenant(branch=branch, services=services)
    for tenant in (member, other):
        await set_procedure(owner_engine, tenant, {"terms": TERMS})

    async def shared(*roles: Role) -> Person:
        return await person(app_engine, settings, branch, {member: roles, other: roles})

    async def own(*roles: Role, at: TenantRef = member) -> Person:
        return await person(app_engine, settings, at, {at: roles})

    return Committee(
        branch,
        member,
        other,
        await shared(Role.COMMITTEE_CHAIR),
        (await shared(Role.COMMITTEE_MEMBER), await shared(Role.COMMITTEE_MEMBER)),
        await shared(Role.COMMITTEE_SECRETARY),
        await shared(Role.PROCESS_GUARDIAN),
        await own(Role.REPORTING_POINT),
        await own(Role.DECISION_MAKER),
        await own(Role.DECISION_MAKER),
        await own(Role.DECISION_MAKER, at=other),
        await own(Role.DECISION_MAKER, Role.HR),
        await own(Role.REPORTING_POINT, at=other),
    )


async def routed_complaint(client: Any, c: Committee, engine: AsyncEngine, tenant: TenantRef | None = None) -> str:
    """A named complaint by the affected person at the member, routed to the committee by its reporting point."""
    where = tenant or c.member
    client.cookies.clear()
    client.headers.pop("x-csrf-token", None)
    submitted = await submit(client, where.slug, **COMPLAINT)
    assert submitted.status_code == 201, submitted.text
    case = (await case_ids(engine, where))[-1]
    RECEIPTS[case] = submitted.json()["receipt"]
    await as_(client, c.point if where == c.member else c.other_point)
    routed = await client.post(
        f"/api/v1/t/{where.slug}/cases/{case}/routing",
        json={**ROUTE, "classified_as": "complaint", "route": "complaints_committee"},
    )
    assert routed.status_code == 201, routed.text
    return case


def seat_of(who: Person, role: str, employer: str = "branch", **more: Any) -> dict[str, Any]:
    return {**who.seat(role), "employer": employer, **more}


async def post(client: Any, who: Person, url: str, body: dict[str, Any] | None = None, status: int = 201) -> Any:
    await as_(client, who)
    response = await client.post(url, json=body or {})
    assert response.status_code == status, response.text
    return response.json()


async def registered(client: Any, c: Committee, engine: AsyncEngine) -> tuple[str, str]:
    """A routed complaint registered by the secretary, who declared; the chair, two members and the process
    guardian seated and declared. Returns the case and the complaint's url."""
    case = await routed_complaint(client, c, engine)
    body = {"case_id": case, "informal": "skipped", "skipped_because": "complainant_choice", "employer": "branch"}
    complaint = await post(client, c.secretary, f"/api/v1/t/{c.slug}/complaints/", body)
    url = f"/api/v1/t/{c.slug}/complaints/{complaint['id']}"
    await post(client, c.secretary, f"{url}/declaration", NOT_LINKED)
    for who, role in (
        (c.chair, "committee_chair"),
        (c.members[0], "committee_member"),
        (c.guardian, "process_guardian"),
    ):
        await post(client, c.secretary, f"{url}/seats", seat_of(who, role))
        await post(client, who, f"{url}/declaration", NOT_LINKED)
    return case, url

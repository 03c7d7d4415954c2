"""The investigator's independence across the case (seed-000 §1.4 "Internal investigators must not play a role in
the later follow-up", H7 B–C), through the API against real PostgreSQL: the organisation's internal investigator
is never seated afterwards at the panel or at an intervention of the same case, even after leaving; whoever held
a role in the case is never seated as its investigator; an external firm's investigator is not bound by it; and
an investigation has one investigator at a time."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from meldpunt.identity.roles import Role
from meldpunt.settings import Settings
from tests.conftest import MakeTenant
from tests.integration.cases.test_case_handling import Person, as_, person
from tests.integration.interventions.test_interventions_api import in_tenant
from tests.integration.investigations.support import (
    ACCUSED,
    LATER,
    TODAY,
    Team,
    api,
    commission_body,
    commissioned,
    decided,
    seat_body,
    seated_and_agreed,
    team,
)

LICENCE = {"licence_number": "POB 0815", "licence_valid_until": (TODAY + timedelta(days=365)).isoformat()}


async def many_roles(app_engine: AsyncEngine, settings: Settings, t: Team) -> Person:
    """Someone of the member who may investigate, sit as expert and lead a group conversation."""
    member = t.c.member
    return await person(app_engine, settings, member, {member: (Role.INVESTIGATOR, Role.EXPERT, Role.FACILITATOR)})


async def group_conversation(client: Any, t: Team, case: str) -> str:
    await as_(client, t.c.decider)
    started = await client.post(f"{api(t, case)}/interventions/", json={"kind": "group_conversation"})
    assert started.status_code == 201, started.text
    return f"{api(t, case)}/interventions/{started.json()['process']['id']}"


def intervention_seat(who: Person, role: str) -> dict[str, Any]:
    return {
        "account_tenant_id": str(who.account_tenant_id),
        "account_id": str(who.account_id),
        "role": role,
        "valid_from": TODAY.isoformat(),
        "valid_to": LATER,
    }


async def test_the_internal_investigator_takes_no_later_role_in_the_case_even_after_leaving(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    t = await team(app_engine, settings, make_tenant)
    internal = await many_roles(app_engine, settings, t)
    case, ids = await decided(client, t, app_engine, ["fact_investigation", "group_conversation"], ("accused", ACCUSED))
    base, iid = await commissioned(client, t, case, commission_body("fact", (ids[ACCUSED],)))
    await seated_and_agreed(client, t, f"{base}/{iid}", internal)
    held = await in_tenant(
        app_engine,
        t.c.member,
        "SELECT role, internal FROM case_roles_held WHERE account_id = :a",
        a=internal.account_id,
    )
    assert [tuple(row) for row in held] == [("investigator", True)]

    await as_(client, internal)  # leaving the seat does not make the investigator someone else
    returned = await client.post(f"{base}/{iid}/return", json={"reason": "De opdracht moet breder."})
    assert returned.status_code == 201, returned.text

    await as_(client, t.c.point)  # the reporting point seats the panel
    expert = await client.post(f"{api(t, case)}/panel", json=internal.seat("expert"))
    assert expert.status_code == 409 and expert.json()["type"].endswith("/seat-refused")
    assert "interne onderzoeker" in expert.json()["detail"]
    expert_en = await client.post(f"{api(t, case)}/panel?lang=en", json=internal.seat("expert"))
    assert "internal investigator" in expert_en.json()["detail"]
    allowed = await client.post(f"{api(t, case)}/panel", json=t.c.second_expert.seat("expert"))
    assert allowed.status_code == 201, allowed.text  # the panel takes other experts still

    url = await group_conversation(client, t, case)
    facilitator = await client.post(f"{url}/seats", json=intervention_seat(internal, "facilitator"))
    assert facilitator.status_code == 409 and facilitator.json()["type"].endswith("/intervention-seat-refused")
    assert "interne onderzoeker" in facilitator.json()["detail"]
    assert (
        "internal investigator"
        in (await client.post(f"{url}/seats?lang=en", json=intervention_seat(internal, "facilitator"))).json()["detail"]
    )

    # Investigating is still their role: a second investigation of the same case may have them.
    _, second = await commissioned(client, t, case, commission_body("fact", (ids[ACCUSED],)))
    again = await client.post(f"{base}/{second}/investigator", json=seat_body(internal))
    assert again.status_code == 201, again.text

    other, _ = await decided(client, t, app_engine, ["group_conversation"])  # another case knows nothing of it
    elsewhere = await group_conversation(client, t, other)
    assert (await client.post(f"{elsewhere}/seats", json=intervention_seat(internal, "facilitator"))).status_code == 201


async def test_who_held_a_role_in_the_case_is_never_its_investigator_and_a_firm_is_not_bound_afterwards(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    t = await team(app_engine, settings, make_tenant)
    facilitator, outsider = await many_roles(app_engine, settings, t), await many_roles(app_engine, settings, t)
    case, ids = await decided(client, t, app_engine, ["fact_investigation", "group_conversation"], ("accused", ACCUSED))
    url = await group_conversation(client, t, case)
    assert (await client.post(f"{url}/seats", json=intervention_seat(facilitator, "facilitator"))).status_code == 201

    base, iid = await commissioned(client, t, case, commission_body("fact", (ids[ACCUSED],)))
    refused = await client.post(f"{base}/{iid}/investigator", json=seat_body(facilitator))
    assert refused.status_code == 409 and refused.json()["type"].endswith("/investigator-refused")
    assert "onpartijdige onderzoeker" in refused.json()["detail"]
    refused_en = await client.post(f"{base}/{iid}/investigator?lang=en", json=seat_body(facilitator))
    assert "impartial investigator" in refused_en.json()["detail"]
    firm = await client.post(f"{base}/{iid}/investigator", json=seat_body(facilitator, external=True, **LICENCE))
    assert firm.status_code == 409  # an external seat of someone with a role in the case is no different

    # An external firm's investigator is not the organisation's own: the rule binds the internal one.
    await seated_and_agreed(client, t, f"{base}/{iid}", outsider, external=True, **LICENCE)
    await as_(client, t.c.decider)
    later = await client.post(f"{url}/seats", json=intervention_seat(outsider, "facilitator"))
    assert later.status_code == 201, later.text


async def test_an_investigation_has_one_investigator_at_a_time(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    t = await team(app_engine, settings, make_tenant)
    case, ids = await decided(client, t, app_engine, ["fact_investigation"], ("accused", ACCUSED))
    base, iid = await commissioned(client, t, case, commission_body("fact", (ids[ACCUSED],)))
    url = f"{base}/{iid}"
    await seated_and_agreed(client, t, url, t.investigator)
    await as_(client, t.c.decider)
    second = await client.post(f"{url}/investigator", json=seat_body(t.firm, external=True, **LICENCE))
    assert second.status_code == 409 and second.json()["type"].endswith("/investigator-refused")
    assert "al een aangestelde" in second.json()["detail"]
    second_en = await client.post(f"{url}/investigator?lang=en", json=seat_body(t.firm, external=True, **LICENCE))
    assert second_en.status_code == 409 and "investigator" in second_en.json()["detail"].lower()

    await as_(client, t.investigator)  # the first leaves by returning the assignment: now another may sit
    assert (await client.post(f"{url}/return", json={"reason": "Ik ben ziek."})).status_code == 201
    await as_(client, t.c.decider)
    later_start = seat_body(t.firm, external=True, **LICENCE, valid_from=(TODAY + timedelta(days=7)).isoformat())
    assert (await client.post(f"{url}/investigator", json=later_start)).status_code == 201
    while_waiting = await client.post(f"{url}/investigator", json=seat_body(t.investigator))
    assert while_waiting.status_code == 409  # a seat from a later date holds the place too
    [view] = (await client.get(f"{base}/")).json()
    assert [s["returned_at"] is not None for s in view["process"]["investigators"]] == [True, False]

    _, other = await commissioned(client, t, case, commission_body("fact", (ids[ACCUSED],)))
    own = await client.post(f"{base}/{other}/investigator", json=seat_body(t.investigator))
    assert own.status_code == 201, own.text  # one at a time per investigation, not per case

"""Every investigation route refuses another tenant's professional (403 in the tenant they hold no role in, 404
for these ids in their own), answers an investigation, interview or reaction of another case as missing, and
the investigator's own list shows only their own seats."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from meldpunt.identity.roles import Role
from meldpunt.settings import Settings
from tests.conftest import MakeTenant
from tests.integration.cases.test_case_handling import STATEMENT, as_, person
from tests.integration.investigations.support import (
    ACCUSED,
    SOON,
    TODAY,
    Team,
    answer,
    commission_body,
    commissioned,
    decided,
    in_a_while,
    interviewed,
    portal_of,
    protocol,
    seat_body,
    seated_and_agreed,
    team,
)
from tests.integration.investigations.test_fact_finding import DRAFT, FINAL


def every_route(base: str, iid: str, interview: str, reaction: str, seat: dict[str, Any]) -> list[tuple[str, str, Any]]:
    url = f"{base}/{iid}"
    return [
        ("GET", f"{base}/", None),
        ("GET", f"{base}/process", None),
        ("POST", f"{base}/", commission_body("culture")),
        ("POST", f"{url}/protocol", {"protocol": protocol("fact")}),
        ("POST", f"{url}/investigator", seat),
        ("POST", f"{url}/assignment", {"cause": "new_information", "reasons": "Nieuwe informatie."}),
        ("POST", f"{url}/reuse", {"interview_id": interview, "reasons": "Besloten."}),
        ("POST", f"{url}/stop", {"reason": "Gestopt."}),
        (
            "POST",
            f"{url}/adoption",
            {
                "conclusions_adopted": True,
                "recommendations_adopted": True,
                "reasons": "Goed.",
                "outcome_letter": "Uitkomst.",
                "told": [],
            },
        ),
        ("GET", f"{url}/brief", None),
        ("POST", f"{url}/declaration", {"involved": False, "statement": STATEMENT}),
        ("POST", f"{url}/agreement", None),
        ("POST", f"{url}/return", {"reason": "Terug."}),
        (
            "POST",
            f"{url}/interviews",
            {"party_id": str(uuid.uuid4()), "scheduled_at": in_a_while(), "companion_told_on": TODAY.isoformat()},
        ),
        (
            "POST",
            f"{url}/interviews/{interview}/record",
            {"held_on": TODAY.isoformat(), "record": "V.", "respond_by": SOON},
        ),
        ("POST", f"{url}/interviews/{interview}/cancel", None),
        ("GET", f"{url}/interviews/{interview}/record", None),
        ("POST", f"{url}/drafts", {**DRAFT, "to": [str(uuid.uuid4())], "respond_by": SOON}),
        ("POST", f"{url}/reactions/{reaction}/extension", {"respond_by": "2099-01-01", "reason": "Ziek."}),
        ("POST", f"{url}/reactions/{reaction}/handling", {"handling": "annexed"}),
        ("POST", f"{url}/final", FINAL),
    ]


async def with_a_reaction(client: Any, t: Team, app_engine: AsyncEngine) -> tuple[str, str, str, str]:
    """A fact-finding with an answered interview and a draft round: (base, investigation, interview, reaction)."""
    case, ids = await decided(client, t, app_engine, ["fact_investigation"], ("accused", ACCUSED))
    base, iid = await commissioned(client, t, case, commission_body("fact", (ids[ACCUSED],)))
    await seated_and_agreed(client, t, f"{base}/{iid}", t.investigator)
    heard = await interviewed(client, f"{base}/{iid}", ids[ACCUSED], "Verslag.")
    await answer(client, t, await portal_of(client, t, case, ids[ACCUSED]), heard["share_id"], "approved")
    await as_(client, t.investigator)
    drafted = await client.post(f"{base}/{iid}/drafts", json={**DRAFT, "to": [ids[ACCUSED]], "respond_by": SOON})
    assert drafted.status_code == 201
    return base, iid, heard["id"], drafted.json()["process"]["reactions"][0]["id"]


async def test_every_investigation_route_refuses_another_tenants_professional(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    t = await team(app_engine, settings, make_tenant)
    base, iid, interview, reaction = await with_a_reaction(client, t, app_engine)
    other = await make_tenant()
    stranger = await person(
        app_engine, settings, other, {other: (Role.DECISION_MAKER, Role.INVESTIGATOR, Role.PROCESS_GUARDIAN)}
    )
    await as_(client, stranger)
    for method, path, body in every_route(base, iid, interview, reaction, seat_body(stranger)):
        response = await client.request(method, path, json=body)
        assert response.status_code == 403, (method, path, response.status_code)
        own = await client.request(method, path.replace(f"/t/{t.slug}/", f"/t/{other.slug}/"), json=body)
        assert own.status_code == 404, (method, path, own.status_code, own.text)
        assert own.headers["content-type"].startswith("application/problem+json")
    assert (await client.get(f"/api/v1/t/{t.slug}/investigator-assignments")).status_code == 403
    assert (await client.get(f"/api/v1/t/{other.slug}/investigator-assignments")).json() == []


async def test_every_investigation_route_answers_an_investigation_of_another_case_as_missing(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    t = await team(app_engine, settings, make_tenant)
    base_one, iid, interview, reaction = await with_a_reaction(client, t, app_engine)
    two, two_ids = await decided(client, t, app_engine, ["fact_investigation"], ("accused", "Iemand Anders"))
    base_two, iid_two = await commissioned(client, t, two, commission_body("fact", (two_ids["Iemand Anders"],)))
    await seated_and_agreed(client, t, f"{base_two}/{iid_two}", t.firm)
    for who in (t.c.decider, t.investigator, t.firm):
        await as_(client, who)
        for method, path, body in every_route(base_two, iid, interview, reaction, seat_body(t.firm))[3:]:
            response = await client.request(method, path, json=body)
            allowed = response.status_code != 403  # a route this role may not use at all answers 403 first
            assert response.status_code == 404 or not allowed, (who, method, path, response.status_code)
            missing = await client.request(method, path.replace(iid, str(uuid.uuid4())), json=body)
            assert missing.status_code == response.status_code, (method, path)
    # An interview or reaction of the other case, through the firm's own investigation: missing too.
    await as_(client, t.firm)
    for method, path, body in every_route(base_two, iid_two, interview, reaction, seat_body(t.firm))[14:]:
        if "/interviews/" in path or "/reactions/" in path:
            response = await client.request(method, path, json=body)
            assert response.status_code == 404, (method, path, response.status_code, response.text)
    mine = (await client.get(f"/api/v1/t/{t.slug}/investigator-assignments")).json()
    assert [(a["investigation_id"], a["declared"]) for a in mine] == [(iid_two, True)]
    await as_(client, t.c.decider)
    untouched = (await client.get(f"{base_one}/")).json()[0]["process"]
    assert untouched["status"] == "draft" and untouched["reactions"][0]["extensions"] == 0


def _with_nul(value: Any) -> Any:
    if isinstance(value, str):
        return value[:1] + "\x00" + value[1:]
    if isinstance(value, dict):
        return {key: _with_nul(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_with_nul(item) for item in value]
    return value


async def test_hostile_bodies_on_every_route_are_refused_without_a_server_error(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    t = await team(app_engine, settings, make_tenant)
    base, iid, interview, reaction = await with_a_reaction(client, t, app_engine)
    extremes = {"respond_by": "9999-12-31", "scheduled_at": "9999-12-31T23:59:59-12:00", "valid_to": "9999-12-31"}
    for who in (t.investigator, t.c.decider):
        await as_(client, who)
        for method, path, body in every_route(base, iid, interview, reaction, seat_body(t.firm)):
            variants = [_with_nul(body), {**body, **extremes} if isinstance(body, dict) else body, [], "x" * 10]
            for variant in variants:
                response = await client.request(method, path, json=variant)
                assert response.status_code < 500, (method, path, variant, response.text[:300])
                assert response.status_code < 300 or response.headers["content-type"].startswith(
                    "application/problem+json"
                )

"""A party's terms over HTTP: the declared decision maker asks a party for something by a date; it is a case
deadline (``party_term``, the party as subject, the decision maker responsible) and shows in that party's
portal, where the party answers it (which meets it), or the panel marks it met. A term of another party, case
or tenant answers 404 like a missing one; another tenant's professional is refused every new route."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from meldpunt.identity.roles import Role
from meldpunt.settings import Settings
from tests.conftest import MakeTenant
from tests.integration.cases.test_case_handling import TODAY, Cast, as_, cast, declared_panel, person
from tests.integration.parties.test_panel_side import ACCUSED, _base

ASK = {"ask": "Uw schriftelijke reactie op de melding.", "due_on": (TODAY + timedelta(days=14)).isoformat()}


async def _party_with_key(
    client: Any, c: Cast, case: str, role: dict[str, str] = ACCUSED
) -> tuple[str, dict[str, str]]:
    """A party of the case, invited and activated: its id and the headers that open its portal."""
    await as_(client, c.decider)
    base = _base(c, case)
    party = (await client.post(f"{base}/parties", json=role)).json()["id"]
    if role["role"] != "accused":  # a person newly named: the panel declares again before going on
        again = await client.post(f"{base}/declaration", json={"involved": False, "statement": "Niet betrokken."})
        assert again.status_code == 201
    link = (await client.post(f"{base}/parties/{party}/invitation")).json()
    token = link["link"].rsplit("/", 1)[1]
    client.cookies.clear()
    activated = await client.post(f"/api/v1/p/{c.member.slug}/activation", json={"token": token, "code": link["code"]})
    return party, {"X-Party-Link": token, "X-Party-Key": activated.json()["key"]}


async def _deadlines(app_engine: AsyncEngine, c: Cast, party: str) -> list[tuple[str, bool, str]]:
    async with app_engine.begin() as connection:
        await connection.execute(text(f"SET LOCAL meldpunt.tenant_ids = '{{{c.member.id}}}'"))
        rows = await connection.execute(
            text("SELECT kind, met_at IS NOT NULL, responsible_role FROM deadlines WHERE subject_id = :p"),
            {"p": party},
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


async def test_a_term_is_a_case_deadline_shown_in_the_portal_and_met_when_the_party_answers(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    c = await cast(app_engine, settings, make_tenant)
    case = await declared_panel(client, c, app_engine)
    party, heads = await _party_with_key(client, c, case)
    await as_(client, c.decider)
    set_ = await client.post(f"{_base(c, case)}/parties/{party}/terms", json=ASK)
    assert set_.status_code == 201, set_.text
    term = set_.json()
    assert (term["ask"], term["due_on"], term["met_at"]) == (ASK["ask"], ASK["due_on"], None)
    assert await _deadlines(app_engine, c, party) == [("party_term", False, "decision_maker")]
    process = (await client.get(f"{_base(c, case)}/process")).json()
    assert "party_term" in [d["kind"] for d in process["deadlines"]]
    async with app_engine.begin() as connection:  # what is asked is sealed with the case key
        await connection.execute(text(f"SET LOCAL meldpunt.tenant_ids = '{{{c.member.id}}}'"))
        sealed = (await connection.execute(text("SELECT sealed_ask FROM party_terms"))).scalar()
    assert b"schriftelijke" not in sealed

    client.cookies.clear()
    portal = f"/api/v1/p/{c.member.slug}"
    [shown] = (await client.get(f"{portal}/portal", headers=heads)).json()["deadlines"]
    assert (shown["title"], shown["respond_by"], shown["answered"], shown["term_id"]) == (
        ASK["ask"],
        ASK["due_on"],
        False,
        term["id"],
    )
    empty = await client.post(f"{portal}/terms/{term['id']}", json={"text": " "}, headers=heads)
    assert empty.status_code == 409
    answered = await client.post(f"{portal}/terms/{term['id']}", json={"text": "Ik was er niet bij."}, headers=heads)
    assert answered.status_code == 201, answered.text
    assert answered.json()["deadlines"][0]["answered"] is True
    assert [m["text"] for m in answered.json()["messages"]] == ["Ik was er niet bij."]
    again = await client.post(f"{portal}/terms/{term['id']}", json={"text": "Nog iets."}, headers=heads)
    assert again.status_code == 409 and again.json()["type"].endswith("/party-refused")
    assert await _deadlines(app_engine, c, party) == [("party_term", True, "decision_maker")]
    await as_(client, c.decider)
    [listed] = (await client.get(f"{_base(c, case)}/parties/{party}/terms")).json()
    assert listed["met_by_party"] is True and listed["met_at"] is not None


async def test_the_panel_marks_a_term_met_and_a_term_needs_words_and_a_date_to_come(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    c = await cast(app_engine, settings, make_tenant)
    case = await declared_panel(client, c, app_engine)
    party, _ = await _party_with_key(client, c, case)
    await as_(client, c.decider)
    base = f"{_base(c, case)}/parties/{party}/terms"
    past = await client.post(base, json={**ASK, "due_on": (TODAY - timedelta(days=1)).isoformat()})
    assert past.status_code == 409 and "verleden" in past.json()["detail"]
    blank = await client.post(base, json={**ASK, "ask": "   "})
    assert blank.status_code == 409 and "Schrijf op wat u" in blank.json()["detail"]
    assert (await client.post(base, json={**ASK, "ask": ""})).status_code == 400
    term = (await client.post(base, json=ASK)).json()
    met = await client.post(f"{base}/{term['id']}/met")
    assert met.status_code == 200 and met.json()[0]["met_by_party"] is False
    assert (await client.post(f"{base}/{term['id']}/met")).status_code == 409
    assert await _deadlines(app_engine, c, party) == [("party_term", True, "decision_maker")]
    await as_(client, c.expert)  # a declared expert reads the terms but sets none
    assert (await client.get(base)).status_code == 200
    assert (await client.post(base, json=ASK)).status_code == 403


async def test_a_term_of_another_party_or_case_is_not_found_and_another_tenant_is_refused(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    c = await cast(app_engine, settings, make_tenant)
    case, other_case = await declared_panel(client, c, app_engine), await declared_panel(client, c, app_engine)
    party, heads = await _party_with_key(client, c, case)
    witness, witness_heads = await _party_with_key(client, c, case, {"role": "witness", "name": "Wim Getuige"})
    elsewhere, elsewhere_heads = await _party_with_key(client, c, other_case)
    await as_(client, c.decider)
    witness_term = (await client.post(f"{_base(c, case)}/parties/{witness}/terms", json=ASK)).json()
    other_term = (await client.post(f"{_base(c, other_case)}/parties/{elsewhere}/terms", json=ASK)).json()
    missing = uuid.uuid4()
    # Case A's path with case B's party or term: as missing as a random id.
    for path in (f"parties/{elsewhere}/terms", f"parties/{missing}/terms"):
        assert (await client.post(f"{_base(c, case)}/{path}", json=ASK)).status_code == 404
    for term_id in (other_term["id"], missing):
        assert (await client.post(f"{_base(c, case)}/parties/{party}/terms/{term_id}/met")).status_code == 404
    assert (await client.get(f"{_base(c, case)}/parties/{elsewhere}/terms")).json() == []
    # In the portal: another party's term of the same case, and a term of another case, are not there.
    client.cookies.clear()
    portal = f"/api/v1/p/{c.member.slug}"
    for term_id in (witness_term["id"], other_term["id"], missing):
        refused = await client.post(f"{portal}/terms/{term_id}", json={"text": "Mijn antwoord."}, headers=heads)
        assert refused.status_code == 404, (term_id, refused.text)
    assert (await client.get(f"{portal}/portal", headers=heads)).json()["deadlines"] == []
    assert len((await client.get(f"{portal}/portal", headers=witness_heads)).json()["deadlines"]) == 1
    # Another tenant's link and key, valid there, answer no term here.
    other_tenant = await make_tenant()
    foreign = await client.post(
        f"/api/v1/p/{other_tenant.slug}/terms/{other_term['id']}", json={"text": "x"}, headers=elsewhere_heads
    )
    assert foreign.status_code == 403
    stranger = await person(app_engine, settings, other_tenant, {other_tenant: (Role.DECISION_MAKER, Role.EXPERT)})
    await as_(client, stranger)
    for method, path, body in (
        ("POST", f"parties/{party}/terms", ASK),
        ("GET", f"parties/{party}/terms", None),
        ("POST", f"parties/{party}/terms/{witness_term['id']}/met", None),
        ("GET", "shares", None),
    ):
        response = await client.request(method, f"{_base(c, case)}/{path}", json=body)
        assert response.status_code == 403, (method, path, response.status_code)

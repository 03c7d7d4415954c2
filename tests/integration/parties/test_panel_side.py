"""The panel's side of the party portal over HTTP, end to end: the declared decision maker adds the accused,
invites them, sends the written notice (only after the reporter was told, never during an art. 23
deferral), the accused opens the portal and reads it, replies, and the panel reads the reply. Every route
refuses another tenant's professional and a seat that has not declared; cases about the same accused are
found and linked."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from meldpunt.identity.roles import Role
from meldpunt.settings import Settings
from tests.conftest import MakeTenant
from tests.integration.cases.test_case_handling import (
    STATEMENT,
    TODAY,
    Cast,
    as_,
    cast,
    declared_panel,
    person,
)

ACCUSED = {"role": "accused", "name": "Jan de Vries", "contact": "jan.devries@example.test"}


def _base(c: Cast, case: str) -> str:
    return f"/api/v1/t/{c.member.slug}/cases/{case}"


async def _tell_the_reporter(client: Any, c: Cast, case: str) -> None:
    await as_(client, c.decider)
    told = await client.post(f"{_base(c, case)}/steps", json={"type": "reporter_told", "told_on": TODAY.isoformat()})
    assert told.status_code == 201, told.text


async def test_the_accused_is_added_invited_told_in_writing_reads_it_and_replies(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    c = await cast(app_engine, settings, make_tenant)
    case = await declared_panel(client, c, app_engine)
    base = _base(c, case)
    await as_(client, c.decider)
    added = await client.post(f"{base}/parties", json=ACCUSED)
    assert added.status_code == 201, added.text
    party = added.json()
    assert (party["name"], party["invited"]) == ("Jan de Vries", False)
    invitation = await client.post(f"{base}/parties/{party['id']}/invitation")
    assert invitation.status_code == 201
    link, code = invitation.json()["link"], invitation.json()["code"]
    token = link.rsplit("/", 1)[1]
    assert link.startswith(f"{settings.public_url.rstrip('/')}/p/{c.member.slug}/uitnodiging/")

    first = await client.post(f"{base}/parties/{party['id']}/notice")
    assert first.status_code == 409 and first.json()["type"].endswith("/reporter-first")
    await _tell_the_reporter(client, c, case)
    notice = await client.post(f"{base}/parties/{party['id']}/notice")
    assert notice.status_code == 201, notice.text
    process = (await client.get(f"{base}/process")).json()
    assert {d["kind"]: d["met_at"] is not None for d in process["deadlines"]}["inform_accused"]

    client.cookies.clear()
    portal = f"/api/v1/p/{c.member.slug}"
    key = (await client.post(f"{portal}/activation", json={"token": token, "code": code})).json()["key"]
    heads = {"X-Party-Link": token, "X-Party-Key": key}
    seen = (await client.get(f"{portal}/portal", headers=heads)).json()
    [letter] = seen["shared"]
    assert letter["title"] == "Kennisgeving van een melding"
    letter_text = (await client.get(f"{portal}/documents/{letter['document_id']}", headers=heads)).text
    assert "Beste Jan de Vries" in letter_text and "AVG, artikel 14" in letter_text
    assert "niet mee ingestemd" in letter_text  # the reporter is not named without their agreement
    assert (
        await client.post(f"{portal}/messages", json={"text": "Ik wil graag gehoord worden."}, headers=heads)
    ).status_code == 201

    await as_(client, c.decider)
    thread = (await client.get(f"{base}/parties/{party['id']}/messages")).json()
    assert [(m["from_party"], m["text"]) for m in thread] == [(True, "Ik wil graag gehoord worden.")]
    async with app_engine.begin() as connection:  # the panel's read of the thread is audited, without its words
        await connection.execute(text(f"SET LOCAL meldpunt.tenant_ids = '{{{c.member.id}}}'"))
        reads = (
            await connection.execute(
                text("SELECT actor, details::text FROM audit_entries WHERE action = 'party.read.thread'")
            )
        ).all()
    assert [actor for actor, _ in reads] == [f"account:{c.decider.account_id}"]
    assert "gehoord" not in str(reads)
    await as_(client, c.expert)
    assert (await client.get(f"{base}/parties")).status_code == 200  # a declared expert reads
    assert (await client.post(f"{base}/parties", json=ACCUSED)).status_code == 403  # but does not decide


async def test_a_deferral_keeps_the_notice_back_until_its_review(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    c = await cast(app_engine, settings, make_tenant)
    case = await declared_panel(client, c, app_engine)
    base = _base(c, case)
    await _tell_the_reporter(client, c, case)
    party = (await client.post(f"{base}/parties", json=ACCUSED)).json()
    review = (TODAY + timedelta(days=20)).isoformat()
    deferred = await client.post(
        f"{base}/steps",
        json={"type": "notice_deferred", "reason": "reprisal_risk", "review_on": review, "explanation": "x" * 12},
    )
    assert deferred.status_code == 201, deferred.text
    kept = await client.post(f"{base}/parties/{party['id']}/notice")
    assert kept.status_code == 409 and kept.json()["type"].endswith("/notice-kept-back")
    assert (TODAY + timedelta(days=20)).strftime("%d-%m-%Y") in kept.json()["detail"]


async def test_a_seat_that_has_not_declared_and_a_professional_of_another_tenant_are_refused(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    c = await cast(app_engine, settings, make_tenant)
    case = await declared_panel(client, c, app_engine)
    base = _base(c, case)
    await as_(client, c.manager)  # a decision maker of this tenant without a seat at this panel
    assert (await client.post(f"{base}/parties", json=ACCUSED)).status_code == 403
    other = await make_tenant()
    stranger = await person(app_engine, settings, other, {other: (Role.DECISION_MAKER, Role.EXPERT)})
    await as_(client, stranger)
    party_id, share_id = uuid.uuid4(), uuid.uuid4()
    for method, path, body in (
        ("POST", f"{base}/parties", ACCUSED),
        ("GET", f"{base}/parties", None),
        ("DELETE", f"{base}/parties/{party_id}", None),
        ("POST", f"{base}/parties/{party_id}/invitation", None),
        ("DELETE", f"{base}/parties/{party_id}/invitation", None),
        ("POST", f"{base}/parties/{party_id}/messages", {"text": "Hallo"}),
        ("GET", f"{base}/parties/{party_id}/messages", None),
        ("POST", f"{base}/parties/{party_id}/notice", None),
        ("POST", f"{base}/shares", {"document_id": str(uuid.uuid4()), "party_role": "accused"}),
        ("GET", f"{base}/shares/{share_id}/responses", None),
        ("GET", f"{base}/pattern", None),
        ("POST", f"{base}/links", {"case_id": str(uuid.uuid4())}),
    ):
        response = await client.request(method, path, json=body)
        assert response.status_code == 403, (method, path, response.status_code)


async def test_cases_about_the_same_accused_are_found_and_linked_by_the_panel(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    c = await cast(app_engine, settings, make_tenant)
    first = await declared_panel(client, c, app_engine)
    second = await declared_panel(client, c, app_engine)
    await as_(client, c.decider)
    for case, name in ((first, "Jan de Vries"), (second, "jan de vries")):
        assert (await client.post(f"{_base(c, case)}/parties", json={**ACCUSED, "name": name})).status_code == 201
    pattern = (await client.get(f"{_base(c, first)}/pattern")).json()
    assert pattern == {"same_accused": [second], "linked": []}
    linked = await client.post(f"{_base(c, first)}/links", json={"case_id": second})
    assert linked.status_code == 201 and linked.json() == {"same_accused": [], "linked": [second]}
    assert (await client.get(f"{_base(c, second)}/pattern")).json()["linked"] == [first]
    assert STATEMENT  # the declared panel of both cases made the same written declaration

"""Phase 2 through the API against real PostgreSQL and Redis: each kind of follow-up carried out end to end,
each precondition refused, the denial that sends a case back to the panel, who sees what (the line manager
never the dossier; their reads audited; the process guardian the process only), and every route refusing
another tenant's professional and an intervention of another case."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from meldpunt.cases.models import CaseStep, StepKind
from meldpunt.cases.services import HANDLING
from meldpunt.db.context import tenant_context
from meldpunt.db.engine import create_sessionmaker
from meldpunt.dossiers.cipher import case_cipher
from meldpunt.dossiers.keys import Keyring, create_root_key
from meldpunt.identity.roles import Role
from meldpunt.settings import Settings
from tests.conftest import MakeTenant, TenantRef
from tests.integration.cases.test_case_handling import (
    LADDER_OPTIONS,
    STATEMENT,
    Cast,
    Person,
    as_,
    cast,
    declared_panel,
    person,
)

TODAY = date.today()
LATER = (TODAY + timedelta(days=60)).isoformat()
# A mediation's preparation: both consents, the agreement signed today, its principles agreed.
MEDIATION_PREPARED = {
    "type": "mediation",
    "reporter_consented_on": TODAY.isoformat(),
    "accused_consented_on": TODAY.isoformat(),
    "agreement_signed_on": TODAY.isoformat(),
    "principles_agreed": True,
}
ACCUSED = "Bram Verhoeven"


@dataclass
class Crew:
    c: Cast
    line_manager: Person
    hr: Person
    facilitator: Person
    mediator: Person

    @property
    def slug(self) -> str:
        return self.c.member.slug


async def crew(app_engine: AsyncEngine, settings: Settings, make_tenant: MakeTenant) -> Crew:
    c = await cast(app_engine, settings, make_tenant)

    async def p(role: Role) -> Person:
        return await person(app_engine, settings, c.member, {c.member: (role,)})

    return Crew(c, await p(Role.LINE_MANAGER), await p(Role.HR), await p(Role.FACILITATOR), await p(Role.MEDIATOR))


async def in_tenant(engine: AsyncEngine, tenant: TenantRef, sql: str, **params: Any) -> list[Any]:
    async with engine.begin() as connection:
        await connection.execute(text(f"SET LOCAL meldpunt.tenant_ids = '{{{tenant.id}}}'"))
        result = await connection.execute(text(sql), params)
        return list(result.all()) if result.returns_rows else []


async def decided(
    client: Any, w: Crew, app_engine: AsyncEngine, chosen: list[str], basis: str | None = None, accused: bool = False
) -> str:
    """A case whose panel weighed and chose ``chosen`` (with ``basis``, the facts that make the behaviour
    plausible, in the weighing), optionally with a named accused among its parties."""
    case = await declared_panel(client, w.c, app_engine)
    base = f"/api/v1/t/{w.slug}/cases/{case}"
    await as_(client, w.c.decider)
    weighing = {
        "type": "weighing",
        "interpretation": "Grensoverschrijdend, eenmalig.",
        "goals": ["restore_safety"],
        "chosen": chosen,
        "reasons_rejected": {o: f"Niet passend: {o}." for o in LADDER_OPTIONS if o not in chosen},
        "reporter_input": "De melder wil dat het stopt.",
        **({"plausibility_basis": basis} if basis else {}),
    }
    assert (await client.post(f"{base}/steps", json=weighing)).status_code == 201
    if accused:
        party = await client.post(f"{base}/parties", json={"role": "accused", "name": ACCUSED})
        assert party.status_code == 201, party.text
    return case


async def seal_plausibility_basis(app_engine: AsyncEngine, settings: Settings, w: Crew, case: str, basis: str) -> None:
    """The weighing's sealed content gets the facts that make the behaviour plausible, as part A's weighing
    records them (``plausibility_basis``, a text field)."""
    async with create_sessionmaker(app_engine)() as session:
        await tenant_context(session, [w.c.member.id])
        step = (
            await session.execute(
                select(CaseStep).where(CaseStep.case_id == uuid.UUID(case), CaseStep.kind == StepKind.WEIGHING)
            )
        ).scalar_one()
        keyring = Keyring(create_root_key(settings))
        cipher = await case_cipher(session, keyring, w.c.member.id, step.case_id)
        content = cipher.open_value(step.sealed_content, dict, HANDLING, step.id) if step.sealed_content else {}
        step.sealed_content = cipher.seal_value({**content, "plausibility_basis": basis}, HANDLING, step.id)
        await session.commit()


def seat(who: Person, role: str, **more: Any) -> dict[str, Any]:
    return {
        "account_tenant_id": str(who.account_tenant_id),
        "account_id": str(who.account_id),
        "role": role,
        "valid_from": TODAY.isoformat(),
        "valid_to": LATER,
        **more,
    }


async def started(client: Any, w: Crew, case: str, kind: str, **more: Any) -> tuple[str, str]:
    await as_(client, w.c.decider)
    base = f"/api/v1/t/{w.slug}/cases/{case}/interventions"
    response = await client.post(f"{base}/", json={"kind": kind, **more})
    assert response.status_code == 201, response.text
    return base, response.json()["process"]["id"]


async def seated_and_declared(client: Any, w: Crew, url: str, *people: tuple[Person, str, dict[str, Any]]) -> None:
    for who, role, more in people:
        await as_(client, w.c.decider)
        response = await client.post(f"{url}/seats", json=seat(who, role, **more))
        assert response.status_code == 201, response.text
    for who, _, _ in people:
        await as_(client, who)
        declared = await client.post(f"{url}/declaration", json={"involved": False, "statement": STATEMENT})
        assert declared.status_code == 201, declared.text


async def as_decider_get(client: Any, w: Crew, base: str, iid: str) -> dict[str, Any]:
    await as_(client, w.c.decider)
    listed = await client.get(f"{base}/")
    assert listed.status_code == 200
    return next(i for i in listed.json() if i["process"]["id"] == iid)


async def test_an_informal_conversation_carried_out_where_the_line_manager_reads_only_the_agreed_points(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    w = await crew(app_engine, settings, make_tenant)
    case = await decided(client, w, app_engine, ["informal_conversation"])
    base, iid = await started(client, w, case, "informal_conversation")
    url = f"{base}/{iid}"
    process = (await client.get(f"/api/v1/t/{w.slug}/cases/{case}/process")).json()
    assert process["status"] == "following_up"
    assert (await client.post(f"{url}/seats", json=seat(w.line_manager, "line_manager"))).status_code == 201

    await as_(client, w.line_manager)
    mine = (await client.get(f"/api/v1/t/{w.slug}/assignments")).json()
    assert [(a["intervention_id"], a["role"], a["declared"]) for a in mine] == [(iid, "line_manager", False)]
    before = (await client.get(f"{url}/brief")).json()
    assert before["agreed_points"] is None and before["declared"] is False
    assert (await client.post(f"{url}/held", json={"held_on": TODAY.isoformat()})).status_code == 403  # declare first
    assert (
        await client.post(f"{url}/declaration", json={"involved": False, "statement": STATEMENT})
    ).status_code == 201

    await as_(client, w.c.decider)
    prepared = await client.post(
        f"{url}/preparation",
        json={
            "type": "informal_conversation",
            "reporter_checked_on": TODAY.isoformat(),
            "agreed_points": "Opmerkingen over uiterlijk in het werkoverleg; marker-agreed-1.",
        },
    )
    assert prepared.status_code == 201 and prepared.json()["process"]["status"] == "prepared"

    await as_(client, w.line_manager)
    brief = (await client.get(f"{url}/brief")).json()
    assert "marker-agreed-1" in brief["agreed_points"] and brief["leads"] is True
    # The line manager never reads the dossier: not the case, not its process, not its parties.
    for path in ("", "/process", "/parties"):
        denied = await client.get(f"/api/v1/t/{w.slug}/cases/{case}{path}")
        assert denied.status_code == 403, path
        assert "Grensoverschrijdend" not in denied.text
    assert (await client.get(f"{base}/")).status_code == 403
    assert (
        await client.post(f"{url}/held", json={"held_on": TODAY.isoformat(), "notes": "Goed gesprek."})
    ).status_code == 201
    not_corrective = await client.post(f"{url}/denial", json={"denied_on": TODAY.isoformat()})
    assert not_corrective.status_code == 409 and "correctief" in not_corrective.json()["detail"]
    redeclared = await client.post(f"{url}/declaration", json={"involved": True, "statement": STATEMENT})
    assert redeclared.status_code == 409 and "al verklaard" in redeclared.json()["detail"]
    done = await client.post(
        f"{url}/completion",
        json={"type": "informal_conversation", "result": "apology", "outcome": "Excuses aangeboden; marker-out-1."},
    )
    assert done.status_code == 201 and done.json()["status"] == "completed"

    full = await as_decider_get(client, w, base, iid)
    assert full["process"]["status"] == "completed" and full["process"]["facts"]["result"] == "apology"
    assert "marker-out-1" in full["content"]["outcome"] and full["content"]["notes"]["line_manager"] == "Goed gesprek."
    [deadline] = full["process"]["deadlines"]
    assert deadline["kind"] == "follow_up" and deadline["met_at"] is not None
    assert deadline["responsible_role"] == "line_manager"

    await as_(client, w.c.pooled)  # the process guardian: process facts and deadlines, never what was said
    guarded = await client.get(f"{base}/process")
    assert guarded.status_code == 200 and guarded.json()[0]["status"] == "completed"
    assert "marker" not in guarded.text and "Goed gesprek" not in guarded.text
    assert (await client.get(f"{base}/")).status_code == 403

    rows = await in_tenant(
        app_engine,
        w.c.member,
        "SELECT action, details::text FROM audit_entries WHERE action LIKE 'intervention.%' ORDER BY seq",
    )
    actions = [row[0] for row in rows]
    assert actions.count("intervention.brief_read") >= 2 and "intervention.content_read" in actions
    assert not any("marker" in row[1] or "Goed gesprek" in row[1] for row in rows)
    stored = await in_tenant(app_engine, w.c.member, "SELECT facts::text, sealed_content FROM interventions")
    assert "marker" not in stored[0][0] and b"marker" not in stored[0][1]
    responsible = await in_tenant(
        app_engine, w.c.member, "SELECT responsible_id FROM deadlines WHERE subject_id = :i", i=iid
    )
    assert str(responsible[0][0]) == str(w.line_manager.account_id)


async def test_a_corrective_conversation_needs_a_plausible_basis_keeps_the_warning_and_a_denial_goes_back_to_the_panel(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    w = await crew(app_engine, settings, make_tenant)
    unfounded = await decided(client, w, app_engine, ["corrective_conversation"], basis="Zij zagen het.")
    await seal_plausibility_basis(app_engine, settings, w, unfounded, "")  # a weighing without the facts
    refused = await client.post(
        f"/api/v1/t/{w.slug}/cases/{unfounded}/interventions/", json={"kind": "corrective_conversation"}
    )
    assert refused.status_code == 409 and "aannemelijk" in refused.json()["detail"]

    case = await decided(
        client, w, app_engine, ["corrective_conversation"], basis="Twee collega's zagen het; hij erkent de toon."
    )
    base, iid = await started(client, w, case, "corrective_conversation")
    url = f"{base}/{iid}"
    await seated_and_declared(client, w, url, (w.line_manager, "line_manager", {}), (w.hr, "hr", {}))
    await as_(client, w.c.decider)
    preparation = {
        "type": "corrective_conversation",
        "reporter_checked_on": TODAY.isoformat(),
        "purpose_told_on": TODAY.isoformat(),
        "may_bring_someone_told": True,
        "agreed_points": "Het gedrag in de kantine.",
    }
    untold = await client.post(f"{url}/preparation", json={**preparation, "may_bring_someone_told": False})
    assert untold.status_code == 400
    assert (await client.post(f"{url}/preparation", json=preparation)).status_code == 201

    await as_(client, w.line_manager)
    early = await client.post(
        f"{url}/completion", json={"type": "corrective_conversation", "warning": "W", "outcome": "O"}
    )
    assert early.status_code == 409 and early.json()["type"].endswith("/intervention-move-refused")
    assert (await client.post(f"{url}/held", json={"held_on": TODAY.isoformat()})).status_code == 201
    await as_(client, w.hr)  # the third person's notes, sealed; the third person does not lead
    assert (
        await client.post(f"{url}/held", json={"held_on": TODAY.isoformat(), "notes": "Notitie derde marker-hr."})
    ).status_code == 201
    not_leading = await client.post(f"{url}/denial", json={"denied_on": TODAY.isoformat()})
    assert not_leading.status_code == 409
    await as_(client, w.line_manager)
    assert (await client.get(f"{url}/brief")).json()["own_notes"] is None  # the third person's notes stay theirs
    done = await client.post(
        f"{url}/completion",
        json={"type": "corrective_conversation", "warning": "Officiële waarschuwing marker-w.", "outcome": "Begrepen."},
    )
    assert done.status_code == 201
    full = await as_decider_get(client, w, base, iid)
    assert full["process"]["document_id"] and full["content"]["notes"]["hr"] == "Notitie derde marker-hr."
    documents = await in_tenant(
        app_engine, w.c.member, "SELECT record_class FROM documents WHERE id = :d", d=full["process"]["document_id"]
    )
    assert documents == [("sanction",)]

    # A second corrective conversation: the accused denies, and the case goes back to the panel.
    again, second = await started(client, w, case, "corrective_conversation")
    url = f"{again}/{second}"
    await seated_and_declared(client, w, url, (w.line_manager, "line_manager", {}))
    await as_(client, w.c.decider)
    assert (await client.post(f"{url}/preparation", json=preparation)).status_code == 201
    await as_(client, w.line_manager)
    assert (await client.post(f"{url}/held", json={"held_on": TODAY.isoformat()})).status_code == 201
    denied = await client.post(f"{url}/denial", json={"denied_on": TODAY.isoformat()})
    assert denied.status_code == 201 and denied.json()["status"] == "back_to_panel"
    await as_(client, w.c.pooled)
    process = (await client.get(f"/api/v1/t/{w.slug}/cases/{case}/process")).json()
    assert process["status"] == "in_progress"
    assert all(d["met_at"] is not None for d in process["deadlines"] if d["kind"] == "follow_up")


async def test_a_group_conversation_needs_every_consent_and_stores_nothing_traceable(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    w = await crew(app_engine, settings, make_tenant)
    case = await decided(client, w, app_engine, ["group_conversation"], accused=True)
    base, iid = await started(client, w, case, "group_conversation")
    url = f"{base}/{iid}"
    wrong = await client.post(f"{url}/seats", json=seat(w.mediator, "mediator"))
    assert wrong.status_code == 409 and wrong.json()["type"].endswith("/intervention-seat-refused")
    no_prep = {
        "type": "group_conversation",
        "affected_count": 3,
        "consents_on": [TODAY.isoformat()] * 3,
        "leaders_presence_checked": True,
        "agreed_points": "Omgangsvormen in het team.",
    }
    nobody = await client.post(f"{url}/preparation", json=no_prep)
    assert nobody.status_code == 409 and "verklaard" in nobody.json()["detail"]
    await seated_and_declared(client, w, url, (w.facilitator, "facilitator", {}))
    await as_(client, w.c.decider)
    missing = await client.post(f"{url}/preparation", json={**no_prep, "consents_on": [TODAY.isoformat()] * 2})
    assert missing.status_code == 409 and "instemming" in missing.json()["detail"]
    tomorrow = (TODAY + timedelta(days=1)).isoformat()
    ahead = await client.post(
        f"{url}/preparation", json={**no_prep, "consents_on": [TODAY.isoformat()] * 2 + [tomorrow]}
    )
    assert ahead.status_code == 409 and "toekomst" in ahead.json()["detail"]
    unchecked = await client.post(f"{url}/preparation", json={**no_prep, "leaders_presence_checked": False})
    assert unchecked.status_code == 409
    named = await client.post(f"{url}/preparation", json={**no_prep, "agreed_points": f"Over {ACCUSED} praten."})
    assert named.status_code == 409 and "herleidbaar" in named.json()["detail"]
    surname = await client.post(f"{url}/preparation", json={**no_prep, "agreed_points": "Het gedrag van verhoeven."})
    assert surname.status_code == 409
    assert (await client.post(f"{url}/preparation", json=no_prep)).status_code == 201

    await as_(client, w.facilitator)
    traced = await client.post(f"{url}/held", json={"held_on": TODAY.isoformat(), "notes": "Bram was er niet."})
    assert traced.status_code == 409
    assert (
        await client.post(f"{url}/held", json={"held_on": TODAY.isoformat(), "notes": "Open gesprek."})
    ).status_code == 201
    monitor = (TODAY + timedelta(days=30)).isoformat()
    done = await client.post(
        f"{url}/completion",
        json={"type": "group_conversation", "agreements": [{"text": "We spreken elkaar aan.", "monitor_on": monitor}]},
    )
    assert done.status_code == 201, done.text
    full = await as_decider_get(client, w, base, iid)
    assert full["process"]["facts"]["monitor_on"] == [monitor] and full["process"]["facts"]["affected_count"] == 3
    assert full["content"]["agreements"] == ["We spreken elkaar aan."]


async def test_bemiddeling_needs_both_consents_no_power_or_severity_bar_and_never_the_adviser(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    w = await crew(app_engine, settings, make_tenant)
    case = await decided(client, w, app_engine, ["bemiddeling", "informal_conversation"])
    base, iid = await started(client, w, case, "bemiddeling")
    url = f"{base}/{iid}"
    branch_adviser = await person(
        app_engine, settings, w.c.branch, {w.c.branch: (Role.ADVISER,), w.c.member: (Role.MEDIATOR,)}
    )
    await as_(client, w.c.decider)
    adviser = await client.post(f"{url}/seats", json=seat(branch_adviser, "mediator"))
    assert adviser.status_code == 409 and "vertrouwenspersoon" in adviser.json()["detail"]
    await seated_and_declared(client, w, url, (w.mediator, "mediator", {}))
    await as_(client, w.c.decider)
    prep = {
        "type": "bemiddeling",
        "reporter_consented_on": TODAY.isoformat(),
        "accused_consented_on": TODAY.isoformat(),
        "power_difference": "small",
        "severity": "limited",
        "sharing_afterwards": "Alleen aan de leidinggevende: of er afspraken zijn.",
    }
    power = await client.post(f"{url}/preparation", json={**prep, "power_difference": "large"})
    assert power.status_code == 409 and "machtsverschil" in power.json()["detail"]
    serious = await client.post(f"{url}/preparation", json={**prep, "severity": "serious"})
    assert serious.status_code == 409 and "ernstig" in serious.json()["detail"]
    one_consent = {k: v for k, v in prep.items() if k != "accused_consented_on"}
    assert (await client.post(f"{url}/preparation", json=one_consent)).status_code == 400
    tomorrow = (TODAY + timedelta(days=1)).isoformat()
    ahead = await client.post(f"{url}/preparation", json={**prep, "accused_consented_on": tomorrow})
    assert ahead.status_code == 409 and "toekomst" in ahead.json()["detail"]
    other_kind = await client.post(
        f"{url}/preparation",
        json={"type": "informal_conversation", "reporter_checked_on": TODAY.isoformat(), "agreed_points": "x"},
    )
    assert other_kind.status_code == 409
    assert (await client.post(f"{url}/preparation", json=prep)).status_code == 201
    # In parallel: an informal conversation alongside (seed-000 §3.1's example combination).
    _, parallel = await started(client, w, case, "informal_conversation")
    await as_(client, w.mediator)
    brief = (await client.get(f"{url}/brief")).json()
    assert brief["agreed_points"] is None  # a mediator reads no agreed points: none were given for them
    assert (await client.post(f"{url}/held", json={"held_on": TODAY.isoformat()})).status_code == 201
    done = await client.post(f"{url}/completion", json={"type": "bemiddeling", "result": "restored"})
    assert done.status_code == 201
    await as_(client, w.c.decider)
    listed = (await client.get(f"{base}/")).json()
    assert {(i["process"]["kind"], i["process"]["status"]) for i in listed} == {
        ("bemiddeling", "completed"),
        ("informal_conversation", "planned"),
    }
    assert parallel in {i["process"]["id"] for i in listed}


async def test_mediation_needs_a_registered_mediator_and_stores_only_its_outcome(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    w = await crew(app_engine, settings, make_tenant)
    case = await decided(client, w, app_engine, ["mediation"])
    base, iid = await started(client, w, case, "mediation", due_on=(TODAY + timedelta(days=20)).isoformat())
    url = f"{base}/{iid}"
    unregistered = await client.post(f"{url}/seats", json=seat(w.mediator, "mediator"))
    assert unregistered.status_code == 409 and "registratienummer" in unregistered.json()["detail"]
    await seated_and_declared(client, w, url, (w.mediator, "mediator", {"registration_number": "MfN-12345"}))
    await as_(client, w.c.decider)
    assert (await client.post(f"{url}/preparation", json=MEDIATION_PREPARED)).status_code == 201
    await as_(client, w.mediator)
    unsigned = await client.post(f"{url}/held", json={"held_on": TODAY.isoformat()})
    assert unsigned.status_code == 409 and "getekende mediationovereenkomst" in unsigned.json()["detail"]
    signed = ("overeenkomst.txt", b"Getekend door beide partijen.", "text/plain")
    two = await client.post(f"{url}/agreement", files=[("agreement", signed), ("agreement", signed)])
    assert two.status_code == 409 and two.json()["detail"].startswith("Voeg precies")
    handed_in = await client.post(f"{url}/agreement", files={"agreement": signed})
    assert handed_in.status_code == 201 and handed_in.json()["agreement_on_file"] is True
    again = await client.post(f"{url}/agreement", files={"agreement": signed})
    assert again.status_code == 409
    notes = await client.post(f"{url}/held", json={"held_on": TODAY.isoformat(), "notes": "Wat er gezegd is."})
    assert notes.status_code == 409 and "alleen de uitkomst" in notes.json()["detail"]
    assert (await client.post(f"{url}/held", json={"held_on": TODAY.isoformat()})).status_code == 201
    with_text = await client.post(
        f"{url}/completion", json={"type": "mediation", "result": "agreement_reached", "outcome": "x"}
    )
    assert with_text.status_code == 400
    assert (
        await client.post(f"{url}/completion", json={"type": "mediation", "result": "agreement_reached"})
    ).status_code == 201
    full = await as_decider_get(client, w, base, iid)
    assert full["content"] == {} and full["process"]["facts"]["result"] == "agreement_reached"
    assert full["process"]["seats"][0]["facts"] == {"registration_number": "MfN-12345"}
    assert full["process"]["due_at"].startswith((TODAY + timedelta(days=20)).isoformat())


async def test_a_follow_up_starts_only_from_the_weighing_and_seats_only_who_may_carry_it_out(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    w = await crew(app_engine, settings, make_tenant)
    early = await declared_panel(client, w.c, app_engine)
    await as_(client, w.c.decider)
    undecided = await client.post(f"/api/v1/t/{w.slug}/cases/{early}/interventions/", json={"kind": "mediation"})
    assert undecided.status_code == 409 and "afweging" in undecided.json()["detail"]

    case = await decided(client, w, app_engine, ["informal_conversation"])
    base = f"/api/v1/t/{w.slug}/cases/{case}/interventions"
    unchosen = await client.post(f"{base}/", json={"kind": "mediation"})
    assert unchosen.status_code == 409 and unchosen.json()["type"].endswith("/intervention-not-chosen")
    past = await client.post(f"{base}/", json={"kind": "informal_conversation", "due_on": "2020-01-01"})
    assert past.status_code == 409
    await as_(client, w.c.expert)  # not the decision maker
    assert (await client.post(f"{base}/", json={"kind": "informal_conversation"})).status_code == 403
    _, first = await started(client, w, case, "informal_conversation")
    _, second = await started(client, w, case, "informal_conversation", after_id=first)
    url = f"{base}/{second}"

    hr_as_manager = await client.post(f"{url}/seats", json=seat(w.hr, "line_manager"))
    assert hr_as_manager.status_code == 409 and "die rol niet" in hr_as_manager.json()["detail"]
    backwards = await client.post(f"{url}/seats", json=seat(w.line_manager, "line_manager", valid_to="2020-01-01"))
    assert backwards.status_code == 409 and "einddatum" in backwards.json()["detail"]
    excluded = await person(app_engine, settings, w.c.member, {w.c.member: (Role.LINE_MANAGER,)})
    await as_(client, w.c.point)
    exclusion = {"account_tenant_id": str(excluded.account_tenant_id), "account_id": str(excluded.account_id)}
    assert (
        await client.post(f"/api/v1/t/{w.slug}/cases/{case}/exclusions", json={**exclusion, "reason": "accused"})
    ).status_code == 204
    # The accused's own line manager stays off the panel, yet holds the conversation with their employee.
    manager = await person(app_engine, settings, w.c.member, {w.c.member: (Role.LINE_MANAGER,)})
    kept_out = {"account_tenant_id": str(manager.account_tenant_id), "account_id": str(manager.account_id)}
    exclusions = f"/api/v1/t/{w.slug}/cases/{case}/exclusions"
    assert (await client.post(exclusions, json={**kept_out, "reason": "accused_manager"})).status_code == 204
    await as_(client, w.c.decider)
    refused = await client.post(f"{url}/seats", json=seat(excluded, "line_manager"))
    assert refused.status_code == 409 and "uitgesloten" in refused.json()["detail"]
    assert (await client.post(f"{base}/{first}/seats", json=seat(manager, "line_manager"))).status_code == 201

    involved = await person(app_engine, settings, w.c.member, {w.c.member: (Role.LINE_MANAGER,)})
    assert (await client.post(f"{url}/seats", json=seat(involved, "line_manager"))).status_code == 201
    twice = await client.post(f"{url}/seats", json=seat(involved, "line_manager"))
    assert twice.status_code == 409 and "al aangewezen" in twice.json()["detail"]
    await as_(client, involved)
    said = await client.post(f"{url}/declaration", json={"involved": True, "statement": "Ik ken de melder goed."})
    assert said.status_code == 201
    assert (await client.get(f"{url}/brief")).status_code == 403  # their seat ended
    assert (await client.get(f"/api/v1/t/{w.slug}/assignments")).json() == []
    await as_(client, w.c.decider)
    again = await client.post(f"{base}/{first}/seats", json=seat(involved, "line_manager"))
    assert again.status_code == 409 and "uitgesloten" in again.json()["detail"]

    await seated_and_declared(client, w, url, (w.line_manager, "line_manager", {}))
    await as_(client, w.c.decider)
    prep = {"type": "informal_conversation", "reporter_checked_on": TODAY.isoformat(), "agreed_points": "Punten."}
    waits = await client.post(f"{url}/preparation", json=prep)
    assert waits.status_code == 409 and "volgt op een andere" in waits.json()["detail"]
    stopped = await client.post(f"{base}/{first}/stop", json={"reason": "Niet meer nodig na het eerste gesprek."})
    assert stopped.status_code == 201 and stopped.json()["process"]["status"] == "stopped"
    assert stopped.json()["process"]["deadlines"][0]["met_at"] is not None
    assert (await client.post(f"{base}/{first}/stop", json={"reason": "Nog eens."})).status_code == 409
    ended = await client.post(f"{base}/{first}/seats", json=seat(w.line_manager, "line_manager"))
    assert ended.status_code == 409 and "afgerond of gestopt" in ended.json()["detail"]
    assert (await client.post(f"{url}/preparation", json=prep)).status_code == 201


async def test_a_follow_up_is_due_by_the_tenants_term_unless_the_panel_sets_one(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, owner_engine: AsyncEngine, settings: Settings
) -> None:
    w = await crew(app_engine, settings, make_tenant)
    async with owner_engine.begin() as connection:
        await connection.execute(
            text("UPDATE tenants SET procedure = CAST(:p AS jsonb) WHERE id = :t"),
            {"p": json.dumps({"terms": {"follow_up_days": 10}}), "t": w.c.member.id},
        )
    case = await decided(client, w, app_engine, ["informal_conversation"])
    base, iid = await started(client, w, case, "informal_conversation")
    due = (await as_decider_get(client, w, base, iid))["process"]["due_at"]
    assert due.startswith((TODAY + timedelta(days=10)).isoformat())
    _, panel = await started(client, w, case, "informal_conversation", due_on=(TODAY + timedelta(days=3)).isoformat())
    process = {p["id"]: p for p in (await client.get(f"{base}/process")).json()}
    assert process[panel]["due_at"].startswith((TODAY + timedelta(days=3)).isoformat())
    assert process[panel]["facts"]["panel_term"] is True and process[iid]["facts"]["panel_term"] is False


async def test_a_seat_ends_with_its_time(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    w = await crew(app_engine, settings, make_tenant)
    case = await decided(client, w, app_engine, ["informal_conversation"])
    base, iid = await started(client, w, case, "informal_conversation")
    await seated_and_declared(client, w, f"{base}/{iid}", (w.line_manager, "line_manager", {}))
    await in_tenant(
        app_engine,
        w.c.member,
        "UPDATE intervention_seats SET valid_to = now() - interval '1 minute', valid_from = now() - interval '2 days'",
    )
    await as_(client, w.line_manager)
    assert (await client.get(f"{base}/{iid}/brief")).status_code == 403
    assert (await client.get(f"/api/v1/t/{w.slug}/assignments")).json() == []


def every_route(base: str, iid: str) -> list[tuple[str, str, Any]]:
    url = f"{base}/{iid}"
    return [
        ("GET", f"{base}/", None),
        ("GET", f"{base}/process", None),
        ("POST", f"{base}/", {"kind": "informal_conversation"}),
        ("POST", f"{url}/seats", None),
        (
            "POST",
            f"{url}/preparation",
            {"type": "informal_conversation", "reporter_checked_on": TODAY.isoformat(), "agreed_points": "Punten."},
        ),
        ("POST", f"{url}/stop", {"reason": "Gestopt."}),
        ("POST", f"{url}/declaration", {"involved": False, "statement": STATEMENT}),
        ("GET", f"{url}/brief", None),
        ("POST", f"{url}/held", {"held_on": TODAY.isoformat()}),
        ("POST", f"{url}/completion", {"type": "informal_conversation", "result": "support", "outcome": "Steun."}),
        ("POST", f"{url}/denial", {"denied_on": TODAY.isoformat()}),
        ("POST", f"{url}/agreement", None),
    ]


async def test_every_intervention_route_refuses_another_tenants_professional(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    w = await crew(app_engine, settings, make_tenant)
    case = await decided(client, w, app_engine, ["informal_conversation"])
    base, iid = await started(client, w, case, "informal_conversation")
    assert (await client.post(f"{base}/{iid}/seats", json=seat(w.line_manager, "line_manager"))).status_code == 201
    other = await make_tenant()
    stranger = await person(
        app_engine,
        settings,
        other,
        {other: (Role.DECISION_MAKER, Role.LINE_MANAGER, Role.PROCESS_GUARDIAN, Role.FACILITATOR)},
    )
    await as_(client, stranger)
    for method, path, body in every_route(base, iid):
        if path.endswith("/seats"):
            body = seat(stranger, "line_manager")
        response = await client.request(method, path, json=body)
        assert response.status_code == 403, (method, path, response.status_code)
        own = await client.request(method, path.replace(f"/t/{w.slug}/", f"/t/{other.slug}/"), json=body)
        assert own.status_code == 404, (method, path, own.status_code)
    assert (await client.get(f"/api/v1/t/{w.slug}/assignments")).status_code == 403
    assert (await client.get(f"/api/v1/t/{other.slug}/assignments")).json() == []


async def test_every_intervention_route_answers_an_intervention_of_another_case_as_missing(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    w = await crew(app_engine, settings, make_tenant)
    one = await decided(client, w, app_engine, ["informal_conversation"])
    base_one, iid = await started(client, w, one, "informal_conversation")
    await seated_and_declared(client, w, f"{base_one}/{iid}", (w.line_manager, "line_manager", {}))
    two = await decided(client, w, app_engine, ["informal_conversation"])
    base_two = f"/api/v1/t/{w.slug}/cases/{two}/interventions"
    for who in (w.c.decider, w.line_manager):
        await as_(client, who)
        for method, path, body in every_route(base_two, iid)[3:]:
            if path.endswith("/seats"):
                body = seat(w.hr, "hr")
            response = await client.request(method, path, json=body)
            allowed = response.status_code != 403  # a route this role may not use at all answers 403 first
            assert response.status_code == 404 or not allowed, (who, method, path, response.status_code)
            missing = await client.request(method, path.replace(iid, str(uuid.uuid4())), json=body)
            assert missing.status_code == response.status_code, (method, path)
    await as_(client, w.c.decider)
    untouched = await as_decider_get(client, w, base_one, iid)
    assert untouched["process"]["status"] == "planned" and len(untouched["process"]["seats"]) == 1

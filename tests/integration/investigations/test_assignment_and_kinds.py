"""The assignment changed by the panel (casus Abigail/Douwe: a witness points to earlier conduct): recorded with
reasons as a new version, the investigator and every seated member declaring again; the investigator returning
the assignment; a culture investigation that holds no person identifiers, drifts towards persons only through a
new person-directed assignment, and whose report goes out as the panel distributes it; a system investigation
stopped with a reason; and a new investigation of the same person placing the legal hold on their other case."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from meldpunt.settings import Settings
from tests.conftest import MakeTenant
from tests.integration.cases.test_case_handling import STATEMENT, as_
from tests.integration.interventions.test_interventions_api import in_tenant
from tests.integration.investigations.support import (
    ACCUSED,
    SOON,
    WITNESS,
    Team,
    answer,
    api,
    commission_body,
    commissioned,
    decided,
    in_a_while,
    interviewed,
    portal_of,
    seated_and_agreed,
    team,
)
from tests.integration.investigations.test_fact_finding import DRAFT, FINAL


async def test_a_changed_assignment_is_a_new_version_and_everyone_seated_declares_again(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    t = await team(app_engine, settings, make_tenant)
    case, ids = await decided(client, t, app_engine, ["fact_investigation"], ("accused", ACCUSED), ("witness", WITNESS))
    base, iid = await commissioned(client, t, case, commission_body("fact", (ids[ACCUSED],)))
    url = f"{base}/{iid}"
    await seated_and_agreed(client, t, url, t.investigator)
    await as_(client, t.investigator)
    returned = await client.post(f"{url}/return", json={"reason": "De getuige noemt eerder gedrag in 2023."})
    assert returned.status_code == 201 and returned.json()["status"] == "commissioned"
    assert returned.json()["investigators"][0]["returned_at"] is not None
    assert (await client.get(f"{url}/brief")).status_code == 403  # the seat ended with the return

    await as_(client, t.c.decider)
    no_reason = await client.post(f"{url}/assignment", json={"cause": "investigator_request", "reasons": ""})
    assert no_reason.status_code == 400
    change = {
        "cause": "investigator_request",
        "reasons": "Uitbreiding naar het voorval van 2023 marker-change.",
        "questions": ["Wat gebeurde er in 2023?", "Wat is er recent gebeurd?"],
        "scope": "De periode 2023 tot nu.",
    }
    changed = await client.post(f"{url}/assignment", json=change)
    assert changed.status_code == 201, changed.text
    assert changed.json()["process"]["assignment_version"] == 2
    again = await client.get(f"{api(t, case)}/investigations/")
    assert again.status_code == 403 and again.json()["type"].endswith("/declare-again")
    process = (await client.get(f"{api(t, case)}/process")).json()
    assert all(m["redeclare"] for m in process["members"] if m["active"])
    assert (
        await client.post(f"{api(t, case)}/declaration", json={"involved": False, "statement": STATEMENT})
    ).status_code == 201
    [view] = (await client.get(f"{api(t, case)}/investigations/")).json()
    assert view["content"]["questions"][0] == "Wat gebeurde er in 2023?"
    assert view["content"]["changes"][0]["cause"] == "investigator_request"
    kinds = [d["what"] for d in view["process"]["facts"]["documents"]]
    assert kinds == ["assignment", "assignment_change"]

    # A new investigator seated for the changed assignment agrees it; its record then counts.
    await seated_and_agreed(client, t, url, t.firm)
    await as_(client, t.firm)
    assert (await client.get(f"{url}/brief")).json()["assignment"]["protocol"]["scope"] == "De periode 2023 tot nu."
    await as_(client, t.c.decider)
    mid = await client.post(f"{url}/assignment", json={**change, "reasons": "Nog een voorval."})
    assert mid.status_code == 201
    await as_(client, t.firm)  # the investigator declares again and agrees the new version
    assert (await client.post(f"{url}/agreement")).status_code == 403
    assert (
        await client.post(f"{url}/declaration", json={"involved": False, "statement": STATEMENT})
    ).status_code == 201
    agreed = await client.post(f"{url}/agreement")
    assert agreed.status_code == 201 and agreed.json()["process"]["status"] == "under_way"
    rows = await in_tenant(
        app_engine,
        t.c.member,
        "SELECT details::text FROM audit_entries WHERE action = 'investigation.assignment_changed'",
    )
    assert len(rows) == 2 and not any("marker" in row[0] for row in rows)


async def _culture_until_final(client: Any, t: Team, case: str, ids: dict[str, str], kind: str = "culture") -> str:
    base, iid = await commissioned(client, t, case, commission_body(kind))
    url = f"{base}/{iid}"
    await seated_and_agreed(client, t, url, t.investigator)
    await as_(client, t.investigator)
    scheduled = await client.post(
        f"{url}/interviews",
        json={"party_id": ids[WITNESS], "scheduled_at": "2099-01-01T10:00:00+01:00", "companion_told_on": "2020-01-01"},
    )
    assert scheduled.status_code == 409  # too far ahead: investigations must not take months
    cancelled = await client.post(
        f"{url}/interviews",
        json={"party_id": ids[ACCUSED], "scheduled_at": in_a_while(), "companion_told_on": "2020-01-01"},
    )
    [planned] = cancelled.json()["process"]["interviews"]
    assert (await client.post(f"{url}/interviews/{planned['id']}/cancel")).json()["process"]["interviews"][0][
        "status"
    ] == "cancelled"
    named = await client.post(
        f"{url}/interviews",
        json={"party_id": ids[WITNESS], "scheduled_at": in_a_while(), "companion_told_on": "2020-01-01"},
    )
    [named_id] = [i["id"] for i in named.json()["process"]["interviews"] if i["status"] == "scheduled"]
    record = {"held_on": "2020-06-01", "record": "Mevrouw Mensah vertelt over de pauze.", "respond_by": SOON}
    traced = await client.post(f"{url}/interviews/{named_id}/record", json=record)
    assert traced.status_code == 409 and "persoonsgegevens" in traced.json()["detail"]
    assert (await client.post(f"{url}/interviews/{named_id}/cancel")).status_code == 201
    interview = await interviewed(client, url, ids[WITNESS], "Het team zwijgt over grappen in de pauze.")
    heads = await portal_of(client, t, case, ids[WITNESS])
    await answer(client, t, heads, interview["share_id"], "approved")
    await as_(client, t.investigator)
    traceable = await client.post(
        f"{url}/drafts", json={**DRAFT, "findings": "Hoekstra maakt grappen.", "to": [ids[WITNESS]], "respond_by": SOON}
    )
    assert traceable.status_code == 409 and "persoonsgegevens" in traceable.json()["detail"]
    drafted = await client.post(f"{url}/drafts", json={**DRAFT, "to": [ids[WITNESS]], "respond_by": SOON})
    assert drafted.status_code == 201
    [reaction] = drafted.json()["process"]["reactions"]
    await answer(client, t, heads, reaction["share_id"], "approved")
    await as_(client, t.investigator)
    handled = await client.post(f"{url}/reactions/{reaction['id']}/handling", json={"handling": "incorporated"})
    assert handled.status_code == 201
    assert (await client.post(f"{url}/final", json=FINAL)).status_code == 201
    return url


async def test_a_culture_investigation_names_nobody_needs_a_new_assignment_for_persons_and_a_distribution(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    t = await team(app_engine, settings, make_tenant)
    case, ids = await decided(
        client, t, app_engine, ["culture_investigation"], ("accused", ACCUSED), ("witness", WITNESS)
    )
    url = await _culture_until_final(client, t, case, ids)
    await as_(client, t.c.decider)
    adoption = {
        "conclusions_adopted": True,
        "recommendations_adopted": True,
        "reasons": "Het beeld herkennen we.",
        "outcome_letter": "Het cultuuronderzoek is afgerond; het rapport gaat naar alle deelnemers.",
        "told": [{"party_id": ids[WITNESS], "channel": "letter"}],
    }
    undistributed = await client.post(f"{url}/adoption", json=adoption)
    assert undistributed.status_code == 409 and "deelnemende medewerkers" in undistributed.json()["detail"]
    named = await client.post(
        f"{url}/adoption", json={**adoption, "outcome_letter": "Abigail heeft gelijk.", "distribution": ["management"]}
    )
    assert named.status_code == 409
    adopted = await client.post(f"{url}/adoption", json={**adoption, "distribution": ["participating_employees"]})
    assert adopted.status_code == 201, adopted.text
    assert adopted.json()["process"]["facts"]["distribution"] == ["participating_employees"]

    # The culture investigation drifts towards persons: a new, person-directed assignment is needed.
    base = url.rsplit("/", 1)[0]
    second_base, second = await commissioned(client, t, case, commission_body("culture"))
    second_url = f"{second_base}/{second}"
    towards = await client.post(
        f"{second_url}/assignment",
        json={"cause": "new_information", "reasons": "Het gaat over één persoon.", "subjects": [ids[ACCUSED]]},
    )
    assert towards.status_code == 409 and "feitenonderzoek" in towards.json()["detail"]
    await seated_and_agreed(client, t, second_url, t.firm)
    await as_(client, t.firm)
    drift = await client.post(
        f"{second_url}/return", json={"reason": "Het wijst naar één persoon.", "towards_persons": True}
    )
    assert drift.status_code == 201 and drift.json()["facts"]["towards_persons"] is True
    await as_(client, t.c.decider)
    assert (
        await client.post(f"{second_url}/stop", json={"reason": "Vervangen door een feitenonderzoek."})
    ).status_code == 201
    fact = await client.post(f"{base}/", json=commission_body("fact", (ids[ACCUSED],)))
    assert fact.status_code == 409 and fact.json()["type"].endswith("/investigation-not-chosen")


async def test_a_new_investigation_of_the_same_person_holds_their_other_case_and_a_stop_leaves_the_decision(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    t = await team(app_engine, settings, make_tenant)
    earlier, _ = await decided(client, t, app_engine, ["system_investigation"], ("accused", ACCUSED))
    case, ids = await decided(client, t, app_engine, ["fact_investigation"], ("accused", ACCUSED))
    base, iid = await commissioned(client, t, case, commission_body("fact", (ids[ACCUSED],)))
    holds = await in_tenant(
        app_engine,
        t.c.member,
        "SELECT case_id, kind, sealed_reason FROM legal_holds WHERE released_at IS NULL",
    )
    assert [(str(h[0]), h[1]) for h in holds] == [(earlier, "new_investigation")]
    assert b"Nieuw onderzoek" not in holds[0][2]  # the reason is sealed
    _, again = await commissioned(client, t, case, commission_body("fact", (ids[ACCUSED],)))
    assert len(await in_tenant(app_engine, t.c.member, "SELECT id FROM legal_holds")) == 1  # one hold per case

    await as_(client, t.c.decider)
    for investigation in (iid, again):
        stopped = await client.post(f"{base}/{investigation}/stop", json={"reason": "De melder trekt in."})
        assert stopped.status_code == 201 and stopped.json()["process"]["status"] == "stopped"
    twice = await client.post(f"{base}/{iid}/stop", json={"reason": "Nog eens."})
    assert twice.status_code == 409 and twice.json()["type"].endswith("/investigation-move-refused")
    process = (await client.get(f"{api(t, case)}/process")).json()
    assert all(d["met_at"] for d in process["deadlines"] if d["kind"] == "follow_up")
    assert [d["met_at"] for d in process["deadlines"] if d["kind"] == "decision"] == [None]

    system_base, system = await commissioned(client, t, earlier, commission_body("system"))
    system_view = (await client.get(f"{system_base}/")).json()[0]
    assert system_view["process"]["kind"] == "system" and system_view["process"]["facts"]["subjects"] == []
    assert system == system_view["process"]["id"]


async def test_a_system_investigation_at_a_small_gym_runs_to_its_adoption_without_naming_anyone(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    t = await team(app_engine, settings, make_tenant)
    case, ids = await decided(
        client, t, app_engine, ["system_investigation"], ("accused", ACCUSED), ("witness", WITNESS)
    )
    url = await _culture_until_final(client, t, case, ids, "system")
    await as_(client, t.c.decider)
    adoption = {
        "conclusions_adopted": True,
        "recommendations_adopted": True,
        "reasons": "Het toezicht in de zaal schiet tekort.",
        "outcome_letter": "Het systeemonderzoek is afgerond; de aanbevelingen worden uitgevoerd.",
        "told": [{"party_id": ids[WITNESS], "channel": "portal"}],
        "distribution": ["all_employees", "management"],
    }
    adopted = await client.post(f"{url}/adoption", json=adoption)
    assert adopted.status_code == 201, adopted.text
    assert adopted.json()["process"]["kind"] == "system" and adopted.json()["process"]["status"] == "adopted"
    process = (await client.get(f"{api(t, case)}/process")).json()
    assert [d["met_at"] for d in process["deadlines"] if d["kind"] == "decision"] == [None]

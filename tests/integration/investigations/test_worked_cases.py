"""The four investigation cases of seed-000 H7 (*Casus feitenonderzoek*, *Casus wijziging onderzoeksopdracht*,
*Casus cultuuronderzoek*, *Casus systeemonderzoek*), each carried through the API of the real app against real
PostgreSQL and Redis from the panel's commissioning to the adoption of the report, the decision and the case's
closure, asserting what each step does on the way."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from meldpunt.settings import Settings
from tests.conftest import MakeTenant
from tests.integration.cases.test_case_handling import STATEMENT, as_
from tests.integration.interventions.test_interventions_api import in_tenant
from tests.integration.investigations.support import (
    SOON,
    TODAY,
    Team,
    answer,
    api,
    commission_body,
    commissioned,
    decided,
    declared_again,
    interviewed,
    portal_of,
    protocol,
    seat_body,
    seated_and_agreed,
    team,
)

LICENCE = {"licence_number": "POB 4711", "licence_valid_until": (TODAY + timedelta(days=365)).isoformat()}
EVALUATION = {
    "perspectives": {
        "reporter": "De melders voelden zich serieus genomen.",
        "accused": "De beschuldigde kreeg het conceptrapport en reageerde.",
        "panel": "Het onderzoek liep binnen de termijn.",
        "others": "Het team wist waar het terecht kon.",
    },
    "findings": "De opvolging was zorgvuldig.",
    "actions": "Het meldprotocol blijft zoals het is.",
}


def draft(findings: str, to: list[str]) -> dict[str, Any]:
    return {
        "approach_and_question": "De vraag en de aanpak van het onderzoek.",
        "how_obtained": "Gesprekken met de betrokkenen en documenten.",
        "functionaries": "De onderzoeker.",
        "findings": findings,
        "conclusions": "Concept van de conclusie.",
        "recommendations": "Concept van de aanbevelingen.",
        "to": to,
        "respond_by": SOON,
    }


def final(findings: str, recommendations: str) -> dict[str, str]:
    return {
        "findings": findings,
        "conclusions": "De conclusie van het onderzoek.",
        "recommendations": recommendations,
        "reactions_dealt_with": "Elke reactie is verwerkt of als bijlage opgenomen.",
    }


async def phase_one_steps(client: Any, t: Team, case: str) -> None:
    """The first conversation, the reporter told, the accused the report names (a manager, an instructor)
    informed in writing, and the report acknowledged: phase 1's terms met, so only the investigation holds it."""
    await as_(client, t.c.decider)
    today = TODAY.isoformat()
    steps: list[dict[str, Any]] = [
        {
            "type": "first_conversation",
            "held_on": today,
            "staff_present": 2,
            "adviser_offered": True,
            "notes": "Gehoord.",
        },
        {"type": "reporter_told", "told_on": today},
        {"type": "accused_informed", "informed_on": today, "in_writing": True, "summary": "Brief."},
    ]
    for step in steps:
        recorded = await client.post(f"{api(t, case)}/steps", json=step)
        assert recorded.status_code == 201, recorded.text
    await as_(client, t.c.point)  # the reporting point acknowledges the report in the reporter's inbox
    acknowledged = await client.post(f"/api/v1/t/{t.slug}/submissions/{case}/messages", json={"text": "Ontvangen."})
    assert acknowledged.status_code == 201, acknowledged.text
    await as_(client, t.c.decider)


async def heard_and_approved(client: Any, t: Team, case: str, url: str, who: Any, party: str, record: str) -> None:
    """An interview held by ``who``, its record approved by the interviewee in the party portal."""
    await as_(client, who)
    interview = await interviewed(client, url, party, record)
    heads = await portal_of(client, t, case, party)
    await answer(client, t, heads, interview["share_id"], "approved")
    await as_(client, who)


async def reactions_handled(client: Any, t: Team, case: str, url: str, who: Any, drafted: Any) -> None:
    """Every party who got the draft reacts in the portal; the investigator incorporates each reaction."""
    for reaction in drafted.json()["process"]["reactions"]:
        heads = await portal_of(client, t, case, reaction["party_id"])
        await answer(client, t, heads, reaction["share_id"], "commented", "Mijn reactie op het concept.")
        await as_(client, who)
        handled = await client.post(f"{url}/reactions/{reaction['id']}/handling", json={"handling": "incorporated"})
        assert handled.status_code == 201, handled.text


async def decide(client: Any, t: Team, case: str, decision: dict[str, Any]) -> dict[str, Any]:
    """After the adoption: the decision that was due (the case may not close before it)."""
    await as_(client, t.c.decider)
    process = (await client.get(f"{api(t, case)}/process")).json()
    assert process["status"] == "following_up"
    assert [d["met_at"] for d in process["deadlines"] if d["kind"] == "decision"] == [None]
    early = await client.post(f"{api(t, case)}/outcome/closure", json={})
    assert early.status_code == 409  # the decision first
    made = await client.post(f"{api(t, case)}/outcome/decision", json=decision)
    assert made.status_code == 201, made.text
    assert made.json()["status"] == "concluded"
    return dict(made.json())


async def evaluated_and_closed(client: Any, t: Team, case: str) -> dict[str, Any]:
    """The evaluation of the procedure, then the closure (and its retention event)."""
    await as_(client, t.c.decider)
    assert (await client.post(f"{api(t, case)}/outcome/evaluation", json=EVALUATION)).status_code == 201
    closed = await client.post(f"{api(t, case)}/outcome/closure", json={})
    assert closed.status_code == 201, closed.text
    assert closed.json()["status"] == "closed"
    return dict(closed.json())


async def decided_and_closed(client: Any, t: Team, case: str, decision: dict[str, Any]) -> dict[str, Any]:
    await decide(client, t, case, decision)
    return await evaluated_and_closed(client, t, case)


async def case_events(app_engine: AsyncEngine, t: Team, case: str) -> list[str]:
    rows = await in_tenant(app_engine, t.c.member, "SELECT trigger FROM case_events WHERE case_id = :c", c=case)
    return sorted(row[0] for row in rows)


# ---------------------------------------------------------------- Casus feitenonderzoek (John)

JOHN = "John Verbeek"
REPORTERS = ("Melder Anouk", "Melder Bram", "Melder Chantal", "Oud-medewerker Dirk")


async def test_casus_john_a_manager_accused_by_four_people_is_investigated_transferred_and_the_case_closed(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    """Three reports and one by a former employee about the same manager: the panel, deciding a level above
    John's own manager, puts him on leave, commissions a person-directed fact-finding by an external firm with its
    Wpbr licence; every reporter and John are heard, John reacts to the draft; the panel adopts the report,
    John is transferred and follows an improvement plan, the reporters get aftercare, and the case closes."""
    t = await team(app_engine, settings, make_tenant)
    case, ids = await decided(
        client,
        t,
        app_engine,
        ["fact_investigation"],
        ("accused", JOHN),
        *(("affected", reporter) for reporter in REPORTERS),
    )
    await phase_one_steps(client, t, case)
    routing = (await client.get(f"{api(t, case)}/process")).json()
    assert routing["escalation"] == "higher_manager"  # decided a level above John's manager
    leave = {
        "type": "interim_measure",
        "measure": "leave_with_pay",
        "starts_on": TODAY.isoformat(),
        "review_on": (TODAY + timedelta(days=21)).isoformat(),
        "reason": "De melders voelen zich niet meer veilig in zijn omgeving.",
    }
    assert (await client.post(f"{api(t, case)}/steps", json=leave)).status_code == 201

    body = commission_body("fact", (ids[JOHN],), goal="Vaststellen of de vier meldingen over John aannemelijk zijn.")
    base, iid = await commissioned(client, t, case, body)
    url = f"{base}/{iid}"
    unlicensed = await client.post(f"{url}/investigator", json=seat_body(t.firm, external=True))
    assert unlicensed.status_code == 409 and "Wpbr" in unlicensed.json()["detail"]
    await seated_and_agreed(client, t, url, t.firm, external=True, **LICENCE)

    await heard_and_approved(client, t, case, url, t.firm, ids[JOHN], "John ontkent een deel van de meldingen.")
    for reporter in REPORTERS:
        await heard_and_approved(
            client, t, case, url, t.firm, ids[reporter], f"Verslag van het gesprek met {reporter}."
        )
    process = (await client.get(f"{url}/brief")).json()["process"]
    assert [i["answer"] for i in process["interviews"]] == ["approved"] * 5

    unheard_recipient = await client.post(
        f"{url}/drafts", json=draft("De meldingen zijn aannemelijk.", [ids[REPORTERS[0]]])
    )
    assert unheard_recipient.status_code == 409  # the person it is about gets the draft (hoor en wederhoor)
    drafted = await client.post(f"{url}/drafts", json=draft("De meldingen zijn aannemelijk.", [ids[JOHN]]))
    assert drafted.status_code == 201, drafted.text
    await reactions_handled(client, t, case, url, t.firm, drafted)
    finished = await client.post(f"{url}/final", json=final("De aantijgingen zijn gegrond.", "Overplaatsing."))
    assert finished.status_code == 201 and finished.json()["process"]["status"] == "final"

    await as_(client, t.c.decider)
    told = [{"party_id": ids[name], "channel": "portal"} for name in (JOHN, *REPORTERS)]
    adoption = {
        "conclusions_adopted": True,
        "recommendations_adopted": True,
        "reasons": "Het onderzoek verklaart de aantijgingen gegrond.",
        "outcome_letter": "Het onderzoek is afgerond; de beslistafel neemt de conclusies over.",
        "told": told[:1],
    }
    untold = await client.post(f"{url}/adoption", json=adoption)
    assert untold.status_code == 409 and "schriftelijk" in untold.json()["detail"]  # every reporter too
    adopted = await client.post(f"{url}/adoption", json={**adoption, "told": told})
    assert adopted.status_code == 201, adopted.text
    assert adopted.json()["process"]["status"] == "adopted" and len(adopted.json()["process"]["facts"]["told"]) == 5

    review = {
        "type": "interim_review",
        "measure_id": await _measure_id(app_engine, t, case),
        "outcome": "end",
        "reviewed_on": TODAY.isoformat(),
        "notes": "John wordt overgeplaatst; het verlof eindigt.",
    }
    assert (await client.post(f"{api(t, case)}/steps", json=review)).status_code == 201
    reasons = "Het onderzoek verklaart de aantijgingen gegrond."
    measures = [
        {"kind": kind, "description": what, "reasons": reasons, "heard_on": TODAY.isoformat()}
        for kind, what in (
            ("transfer", "Overplaatsing naar een andere afdeling."),
            ("improvement_plan", "Verbetertraject."),
        )
    ]
    await decide(client, t, case, {"finding": "well_founded", "reasons": reasons, "measures": measures})
    aftercare = {
        "party": "reporter",
        "kind": "support",
        "owner_tenant_id": str(t.c.decider.account_tenant_id),
        "owner_id": str(t.c.decider.account_id),
        "due_on": (TODAY + timedelta(days=30)).isoformat(),
        "text": "Nazorg voor de melders: John blijft bij het bedrijf werken.",
    }
    assert (await client.post(f"{api(t, case)}/outcome/aftercare", json=aftercare)).status_code == 201
    closed = await evaluated_and_closed(client, t, case)
    assert closed["closure"]["route"] == "decision_panel"
    assert await case_events(app_engine, t, case) == ["case_closed", "decision_taken"]
    await as_(client, t.c.decider)
    outcome = (await client.get(f"{api(t, case)}/outcome")).json()
    assert sorted(m["kind"] for m in outcome["decisions"][0]["measures"]) == ["improvement_plan", "transfer"]


async def _measure_id(app_engine: AsyncEngine, t: Team, case: str) -> str:
    rows = await in_tenant(
        app_engine,
        t.c.member,
        "SELECT id::text FROM case_steps WHERE case_id = :c AND kind = 'interim_measure'",
        c=case,
    )
    return str(rows[0][0])


# ---------------------------------------------------------------- Casus wijziging onderzoeksopdracht (Abigail/Douwe)

DOUWE, ABIGAIL = "Douwe Hoekstra", "Abigail Mensah"
COLLEAGUE, ANONYMOUS = "Teamgenoot Ilse", "Medewerker Kees"
EARLIER = ("Vroegere collega Fenna", "Vroegere collega Greet")


async def test_casus_abigail_and_douwe_the_panel_widens_the_assignment_when_a_witness_points_to_earlier_conduct(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    """Abigail reports her manager Douwe; external investigators hear Douwe (who admits remarks and messages,
    denies touching), Abigail and the team. A witness tells of Douwe's conduct in his previous position: the
    investigators ask to widen the assignment, the panel changes it with reasons (a new version), every seated
    member of the panel and the investigator declare again, the investigator agrees the new protocol and hears
    the former subordinates; the report covers both periods, is adopted, and the case is decided and closed."""
    t = await team(app_engine, settings, make_tenant)
    case, ids = await decided(
        client,
        t,
        app_engine,
        ["fact_investigation"],
        ("accused", DOUWE),
        ("affected", ABIGAIL),
        ("witness", COLLEAGUE),
        ("witness", ANONYMOUS),
    )
    await phase_one_steps(client, t, case)
    base, iid = await commissioned(client, t, case, commission_body("fact", (ids[DOUWE],)))
    url = f"{base}/{iid}"
    await seated_and_agreed(client, t, url, t.firm, external=True, **LICENCE)
    for name, record in (
        (DOUWE, "Douwe erkent opmerkingen en berichtjes; aanrakingen ontkent hij."),
        (ABIGAIL, "Abigail vertelt over het opdringerige gedrag."),
        (COLLEAGUE, "Het flirtgedrag wordt herkend; fysiek gedrag niet gezien."),
        (ANONYMOUS, "In zijn vorige functie drong hij zich ook op aan ondergeschikten."),
    ):
        await heard_and_approved(client, t, case, url, t.firm, ids[name], record)

    # The investigators want to hear the former subordinates: only the panel changes the assignment.
    change = {
        "cause": "investigator_request",
        "reasons": "Een getuige wijst op eerder gedrag in zijn vorige functie binnen het bedrijf.",
        "questions": ["Wat is er met Abigail gebeurd?", "Wat gebeurde er in de vorige functie?"],
        "scope": "Ook de vorige functie binnen hetzelfde bedrijf.",
    }
    assert (await client.post(f"{url}/assignment", json=change)).status_code == 403  # not the investigator's
    await as_(client, t.c.decider)
    changed = await client.post(f"{url}/assignment", json=change)
    assert changed.status_code == 201, changed.text
    assert changed.json()["process"]["assignment_version"] == 2
    assert changed.json()["process"]["status"] == "commissioned"
    members = (await client.get(f"{api(t, case)}/process")).json()["members"]
    assert all(m["redeclare"] for m in members if m["active"])  # every seated member declares again
    blocked = await client.get(f"{api(t, case)}/investigations/")
    assert blocked.status_code == 403 and blocked.json()["type"].endswith("/declare-again")
    for who in (t.c.decider, t.c.expert, t.c.pooled):
        await as_(client, who)
        again = await client.post(f"{api(t, case)}/declaration", json={"involved": False, "statement": STATEMENT})
        assert again.status_code == 201, again.text

    await as_(client, t.firm)  # the investigator declares again, then agrees the changed protocol
    brief = (await client.get(f"{url}/brief")).json()
    assert brief["declared"] is False and brief["assignment"] is None
    assert (await client.post(f"{url}/agreement")).status_code == 403
    redeclared = await client.post(f"{url}/declaration", json={"involved": False, "statement": STATEMENT})
    assert redeclared.status_code == 201
    agreed = await client.post(f"{url}/agreement")
    assert agreed.status_code == 201 and agreed.json()["process"]["status"] == "under_way"
    brief = (await client.get(f"{url}/brief")).json()
    assert brief["assignment"]["protocol"]["scope"] == change["scope"]
    assert brief["assignment"]["questions"][1] == "Wat gebeurde er in de vorige functie?"

    await as_(client, t.c.decider)  # the former subordinates become parties of the case
    for name in EARLIER:
        added = await client.post(f"{api(t, case)}/parties", json={"role": "witness", "name": name})
        assert added.status_code == 201, added.text
        ids[name] = added.json()["id"]
        await declared_again(client, t, case)  # each newly named person: every seat declares again
    for name in EARLIER:
        await heard_and_approved(client, t, case, url, t.firm, ids[name], "Ook toen drong hij zich op.")
    drafted = await client.post(
        f"{url}/drafts", json=draft("Aannemelijk in beide functies.", [ids[DOUWE], ids[ABIGAIL]])
    )
    assert drafted.status_code == 201, drafted.text
    await reactions_handled(client, t, case, url, t.firm, drafted)
    assert (await client.post(f"{url}/final", json=final("Aannemelijk.", "Een maatregel."))).status_code == 201

    await as_(client, t.c.decider)
    [view] = (await client.get(f"{base}/")).json()
    assert [d["what"] for d in view["process"]["facts"]["documents"] if d["what"].startswith("assignment")] == [
        "assignment",
        "assignment_change",
    ]
    assert view["content"]["changes"][0]["cause"] == "investigator_request"
    everyone = (DOUWE, ABIGAIL, COLLEAGUE, ANONYMOUS, *EARLIER)
    adopted = await client.post(
        f"{url}/adoption",
        json={
            "conclusions_adopted": True,
            "recommendations_adopted": True,
            "reasons": "Het gedrag is aannemelijk, ook in de vorige functie.",
            "outcome_letter": "Het onderzoek is afgerond.",
            "told": [{"party_id": ids[name], "channel": "letter"} for name in everyone],
        },
    )
    assert adopted.status_code == 201, adopted.text
    measure = {
        "kind": "official_warning",
        "description": "Officiële waarschuwing.",
        "reasons": "Aannemelijk.",
        "heard_on": TODAY.isoformat(),
    }
    await decided_and_closed(
        client, t, case, {"finding": "well_founded", "reasons": "Aannemelijk.", "measures": [measure]}
    )
    changes = await in_tenant(
        app_engine,
        t.c.member,
        "SELECT details::text FROM audit_entries WHERE action = 'investigation.assignment_changed'",
    )
    assert len(changes) == 1 and "vorige functie" not in changes[0][0]


# ---------------------------------------------------------------- Casus cultuuronderzoek (a small care institution)

CARERS = ("Sanne Visser", "Karim Bouzid")  # two carers of the institution


async def test_casus_a_small_care_institution_culture_investigation_names_nobody_and_goes_to_every_participant(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    """Signals at a small care institution of private contact with clients: the panel commissions a culture
    investigation by an external investigator; no text of it may name a person of the case (refused, in the
    assignment, a record, the draft and the adoption); the investigator hears the carers and advises training;
    the panel adopts the conclusion and the report goes to every participating employee; the case closes."""
    t = await team(app_engine, settings, make_tenant)
    case, ids = await decided(
        client, t, app_engine, ["culture_investigation"], *(("witness", carer) for carer in CARERS)
    )
    await phase_one_steps(client, t, case)
    await as_(client, t.c.decider)
    named = commission_body("culture", goal="De normen rond Sanne en haar cliënten in kaart brengen.")
    refused = await client.post(f"{api(t, case)}/investigations/", json=named)
    assert refused.status_code == 409 and "persoonsgegevens" in refused.json()["detail"]
    subjects = await client.post(f"{api(t, case)}/investigations/", json=commission_body("culture", (ids[CARERS[0]],)))
    assert subjects.status_code == 409  # "geen onderzoek naar personen"
    body = commission_body(
        "culture",
        goal="De heersende normen en waarden rond contact met cliënten in privétijd in kaart brengen.",
        questions=["Welke normen gelden voor contact buiten het werk?", "Is een melding aan de IGJ nodig?"],
    )
    base, iid = await commissioned(client, t, case, body)
    url = f"{base}/{iid}"
    await seated_and_agreed(client, t, url, t.firm, external=True)  # a culture investigation needs no licence

    await as_(client, t.firm)
    scheduled = await client.post(
        f"{url}/interviews",
        json={
            "party_id": ids[CARERS[0]],
            "scheduled_at": (TODAY + timedelta(days=2)).isoformat() + "T10:00:00+00:00",
            "companion_told_on": TODAY.isoformat(),
        },
    )
    [planned] = [i for i in scheduled.json()["process"]["interviews"] if i["status"] == "scheduled"]
    traced = await client.post(
        f"{url}/interviews/{planned['id']}/record",
        json={"held_on": TODAY.isoformat(), "record": "Karim spreekt cliënten na werktijd.", "respond_by": SOON},
    )
    assert traced.status_code == 409 and "persoonsgegevens" in traced.json()["detail"]
    assert (await client.post(f"{url}/interviews/{planned['id']}/cancel")).status_code == 201
    for carer in CARERS:
        await heard_and_approved(
            client, t, case, url, t.firm, ids[carer], "Afspraken met cliënten lopen vaak uit; privénummers zijn gewoon."
        )
    named_draft = await client.post(f"{url}/drafts", json=draft("Sanne loopt vaak uit.", [ids[c] for c in CARERS]))
    assert named_draft.status_code == 409 and "persoonsgegevens" in named_draft.json()["detail"]
    drafted = await client.post(
        f"{url}/drafts", json=draft("Een glijdende schaal in het contact met cliënten.", [ids[c] for c in CARERS])
    )
    assert drafted.status_code == 201, drafted.text
    await reactions_handled(client, t, case, url, t.firm, drafted)
    finished = await client.post(
        f"{url}/final",
        json=final("Een glijdende schaal in privécontact.", "Scholing van zorgverleners; het bespreekbaar maken."),
    )
    assert finished.status_code == 201

    await as_(client, t.c.decider)
    adoption = {
        "conclusions_adopted": True,
        "recommendations_adopted": True,
        "reasons": "De beslistafel neemt de conclusie over en zet in op preventie.",
        "outcome_letter": "Het cultuuronderzoek is afgerond; het rapport gaat naar alle deelnemers.",
        "told": [{"party_id": ids[c], "channel": "portal"} for c in CARERS],
    }
    undistributed = await client.post(f"{url}/adoption", json=adoption)
    assert undistributed.status_code == 409 and "deelnemende medewerkers" in undistributed.json()["detail"]
    naming = await client.post(
        f"{url}/adoption",
        json={**adoption, "outcome_letter": "Karim moet stoppen.", "distribution": ["participating_employees"]},
    )
    assert naming.status_code == 409 and "persoonsgegevens" in naming.json()["detail"]
    adopted = await client.post(f"{url}/adoption", json={**adoption, "distribution": ["participating_employees"]})
    assert adopted.status_code == 201, adopted.text
    facts = adopted.json()["process"]["facts"]
    assert facts["distribution"] == ["participating_employees"] and facts["subjects"] == []
    for carer in CARERS:  # each participating employee has the outcome in their portal
        heads = await portal_of(client, t, case, ids[carer])
        titles = [s["title"] for s in (await client.get(f"/api/v1/p/{t.slug}/portal", headers=heads)).json()["shared"]]
        assert "Uitkomst van het onderzoek" in titles

    await decided_and_closed(
        client, t, case, {"finding": "not_established", "reasons": "Geen persoon; de cultuur verandert."}
    )
    assert await case_events(app_engine, t, case) == ["case_closed", "decision_taken"]
    for table in ("investigations", "investigation_interviews", "investigation_reactions"):
        dumped = await in_tenant(app_engine, t.c.member, f"SELECT row_to_json(t)::text FROM {table} t")
        assert dumped and not any("Sanne" in row[0] or "Karim" in row[0] for row in dumped), table


# ---------------------------------------------------------------- Casus systeemonderzoek (a small gym)

NEW_STAFF = ("Lotte Smit", "Mo Amrani")  # two new employees of the gym


async def test_casus_a_small_gym_system_investigation_finds_no_code_no_adviser_and_no_reporting_point(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    """Anonymous reports at a small gym of instructors touching new staff: the panel commissions a system
    investigation of the organisation's policy (no persons) by an external investigator; employees take part and
    are told before, during and after; the report recommends a code of conduct, an external confidential adviser
    and a reporting protocol; the panel adopts it, distributes it to all employees and management, and closes."""
    t = await team(app_engine, settings, make_tenant)
    case, ids = await decided(client, t, app_engine, ["system_investigation"], *(("witness", s) for s in NEW_STAFF))
    await phase_one_steps(client, t, case)
    fact = await client.post(f"{api(t, case)}/investigations/", json=commission_body("fact", (ids[NEW_STAFF[0]],)))
    assert fact.status_code == 409 and fact.json()["type"].endswith("/investigation-not-chosen")
    body = commission_body(
        "system",
        goal="Nagaan of het beleid fysiek contact tijdens lessen en het melden van grensoverschrijdend gedrag regelt.",
        questions=["Zijn er afspraken over fysiek contact in de les?", "Kunnen medewerkers ergens terecht?"],
    )
    base, iid = await commissioned(client, t, case, body)
    url = f"{base}/{iid}"
    await as_(client, t.c.decider)
    incomplete = await client.post(f"{url}/protocol", json={"protocol": protocol("system", leave_out=("scope",))})
    assert incomplete.status_code == 201  # the panel may correct the protocol before the agreement ...
    await seated_and_agreed_refused(client, t, url)
    await as_(client, t.c.decider)
    assert (await client.post(f"{url}/protocol", json={"protocol": protocol("system")})).status_code == 201
    await as_(client, t.firm)
    assert (await client.post(f"{url}/agreement")).status_code == 201

    for staff in NEW_STAFF:
        await heard_and_approved(
            client, t, case, url, t.firm, ids[staff], "Aanraken is hier normaal; melden doet niemand."
        )
    drafted = await client.post(
        f"{url}/drafts", json=draft("Geen afspraken over fysiek contact; geen vertrouwenspersoon.", list(ids.values()))
    )
    assert drafted.status_code == 201, drafted.text
    await reactions_handled(client, t, case, url, t.firm, drafted)
    recommendations = "Een gedragscode, een (externe) vertrouwenspersoon en een goed communiceerbaar meldprotocol."
    finished = await client.post(f"{url}/final", json=final("Geen heldere afspraken; geen meldloket.", recommendations))
    assert finished.status_code == 201

    await as_(client, t.c.decider)
    adopted = await client.post(
        f"{url}/adoption",
        json={
            "conclusions_adopted": True,
            "recommendations_adopted": True,
            "reasons": "De beslistafel zorgt voor de opvolging van de aanbevelingen.",
            "outcome_letter": "Het systeemonderzoek is afgerond; de aanbevelingen worden uitgevoerd.",
            "told": [{"party_id": ids[s], "channel": "letter"} for s in NEW_STAFF],
            "distribution": ["all_employees", "management"],
        },
    )
    assert adopted.status_code == 201, adopted.text
    assert adopted.json()["process"]["facts"]["distribution"] == ["all_employees", "management"]
    assert adopted.json()["process"]["facts"]["recommendations_adopted"] is True
    await decided_and_closed(client, t, case, {"finding": "not_established", "reasons": "Het systeem schoot tekort."})
    assert await case_events(app_engine, t, case) == ["case_closed", "decision_taken"]


async def seated_and_agreed_refused(client: Any, t: Team, url: str) -> None:
    """... but the investigator agrees only a complete protocol (the message names the missing field)."""
    await as_(client, t.c.decider)
    assert (await client.post(f"{url}/investigator", json=seat_body(t.firm, external=True))).status_code == 201
    await as_(client, t.firm)
    assert (
        await client.post(f"{url}/declaration", json={"involved": False, "statement": STATEMENT})
    ).status_code == 201
    refused = await client.post(f"{url}/agreement")
    assert refused.status_code == 409 and "scope" in refused.json()["detail"]

"""The pages of a case's end: each form does what the API does and a refusal shows the page again with what was
typed; the case page shows the timeline; the process guardian sees facts, never words; the aftercare owner marks
their action done on their own page; every page refuses another tenant's professional and another case."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from meldpunt.identity.roles import Role
from meldpunt.settings import Settings
from tests.conftest import MakeTenant
from tests.integration.cases.test_case_handling import Cast, as_, cast, person
from tests.integration.cases.test_outcome import (
    ACCUSED,
    EVALUATION,
    IN_A_MONTH,
    REASONS,
    SUSPENSION,
    YESTERDAY,
    api,
    panel_case_with_receipt,
    phase_one_done,
)

HTML = {"accept": "text/html"}


def page_of(c: Cast, case: str) -> str:
    return f"/app/t/{c.member.slug}/zaken/{case}/afronding"


async def test_the_outcome_forms_do_what_the_api_does_and_a_refusal_keeps_what_was_typed(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    c = await cast(app_engine, settings, make_tenant)
    case, _ = await panel_case_with_receipt(client, c, app_engine)
    await as_(client, c.decider)
    party = (await client.post(f"{api(c, case)}/parties", json=ACCUSED)).json()["id"]
    await phase_one_done(client, c, case)
    await as_(client, c.decider)
    page = page_of(c, case)

    async def post(what: str, **form: Any) -> Any:
        return await client.post(f"{page}/{what}", data=form, headers=HTML, follow_redirects=False)

    shown = await client.get(page, headers=HTML)
    assert shown.status_code == 200 and 'action="' in shown.text and "/besluit" in shown.text
    decision = {
        "finding": "well_founded",
        "reasons": "Redenen marker-41c: aannemelijk door getuigen.",
        "measure_kind": "suspension",
        "measure_description": SUSPENSION["description"],
        "measure_reasons": SUSPENSION["reasons"],
        "measure_heard_on": "",
        "measure_ends_on": IN_A_MONTH.isoformat(),
        "monitor_on": "",
    }
    unheard = await post("besluit", **decision)
    assert unheard.status_code == 409 and 'id="fout"' in unheard.text and "gehoord" in unheard.text
    assert "Redenen marker-41c" in unheard.text  # what was typed is kept
    incomplete = await post("besluit", **{**decision, "reasons": ""})
    assert incomplete.status_code == 400 and "Er ontbreekt iets" in incomplete.text
    assert (await post("besluit", **{**decision, "measure_heard_on": YESTERDAY.isoformat()})).status_code == 303

    assert (await post("melder", note="")).status_code == 303
    assert (await post("beschuldigde", party_id=party, note="")).status_code == 303
    assert (await post("team", template="handled")).status_code == 303
    owner = f"{c.adviser.account_tenant_id}:{c.adviser.account_id}"
    aftercare = {"party": "reporter", "kind": "support", "owner": owner, "text": "Steun bij terugkeer."}
    assert (await post("nazorg", **aftercare, due_on=YESTERDAY.isoformat())).status_code == 409
    assert (await post("nazorg", **aftercare, due_on=IN_A_MONTH.isoformat())).status_code == 303
    assert (await post("monitoring", behaviour_stopped="yes", note="Het gaat beter.", next_on="")).status_code == 303
    partial = {f"perspective_{key}": words for key, words in EVALUATION["perspectives"].items() if key != "accused"}
    evaluation = {**partial, "findings": EVALUATION["findings"], "actions": EVALUATION["actions"]}
    missing = await post("evaluatie", **evaluation)
    assert missing.status_code == 409 and "beschuldigde" in missing.text and EVALUATION["findings"] in missing.text
    assert (await post("evaluatie", **evaluation, perspective_accused="Gehoord.")).status_code == 303
    assert (await post("sluiten", reason="")).status_code == 303

    outcome = (await client.get(f"{api(c, case)}/outcome")).json()
    assert outcome["status"] == "closed"
    assert [m["audience"] for m in outcome["messages"]] == ["reporter", "accused", "team"]
    assert outcome["decisions"][0]["measures"][0]["heard_on"] == YESTERDAY.isoformat()
    assert outcome["monitoring"][0]["behaviour_stopped"] is True and outcome["monitoring"][0]["work_restored"] is False
    done = await client.get(page, headers=HTML)
    assert "Gesloten op" in done.text and "Redenen marker-41c" in done.text and "/sluiten" not in done.text
    english = await client.get(f"{page}?lang=en", headers=HTML)
    assert "Closed on" in english.text and "Suspension" in english.text
    case_page = await client.get(f"/app/t/{c.member.slug}/zaken/{case}", headers=HTML)
    assert "Besluit, nazorg en afsluiting" in case_page.text and "Evaluatie van de procedure" in case_page.text

    await as_(client, c.pooled)  # the process guardian: the timeline's facts, none of the words
    guarded = await client.get(page, headers=HTML)
    assert guarded.status_code == 200 and "Schorsing" in guarded.text and "Gesloten op" in guarded.text
    assert (
        "marker-41c" not in guarded.text
        and "Steun bij terugkeer" not in guarded.text
        and "/besluit" not in guarded.text
    )


async def test_the_aftercare_owner_marks_their_action_done_on_their_own_page(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    c = await cast(app_engine, settings, make_tenant)
    case, _ = await panel_case_with_receipt(client, c, app_engine)
    await phase_one_done(client, c, case)
    await as_(client, c.decider)
    body = {"finding": "well_founded", "reasons": REASONS, "measures": [SUSPENSION]}
    assert (await client.post(f"{api(c, case)}/outcome/decision", json=body)).status_code == 201
    plan = {
        "party": "witnesses",
        "kind": "check_in",
        "owner_tenant_id": str(c.adviser.account_tenant_id),
        "owner_id": str(c.adviser.account_id),
        "due_on": IN_A_MONTH.isoformat(),
        "text": "De getuigen vragen hoe het gaat.",
    }
    action = (await client.post(f"{api(c, case)}/outcome/aftercare", json=plan)).json()["aftercare"][0]["id"]
    mine = f"/app/t/{c.member.slug}/nazorg"
    await as_(client, c.expert)
    assert "De getuigen vragen" not in (await client.get(mine, headers=HTML)).text
    assert (await client.post(f"{mine}/{action}/klaar", data={}, headers=HTML)).status_code == 404
    await as_(client, c.adviser)
    listed = await client.get(mine, headers=HTML)
    assert listed.status_code == 200 and "De getuigen vragen hoe het gaat." in listed.text and "Getuigen" in listed.text
    done = await client.post(f"{mine}/{action}/klaar", data={"note": "Gebeld."}, headers=HTML, follow_redirects=False)
    assert done.status_code == 303
    again = await client.post(f"{mine}/{action}/klaar", data={}, headers=HTML, follow_redirects=False)
    assert again.status_code == 409 and "al afgerond" in again.text
    assert "afgerond op" in (await client.get(mine, headers=HTML)).text


async def test_every_outcome_page_refuses_another_tenant_and_another_case(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    c = await cast(app_engine, settings, make_tenant)
    case, _ = await panel_case_with_receipt(client, c, app_engine)
    other = await make_tenant()
    stranger = await person(
        app_engine,
        settings,
        other,
        {other: (Role.REPORTING_POINT, Role.DECISION_MAKER, Role.PROCESS_GUARDIAN, Role.HR)},
    )
    forms = ("besluit", "melder", "beschuldigde", "team", "monitoring", "nazorg", "evaluatie", "sluiten")

    def paths(case_id: str, action: str) -> list[tuple[str, str]]:
        page = page_of(c, case_id)
        return [
            ("GET", page),
            *(("POST", f"{page}/{what}") for what in forms),
            ("POST", f"/app/t/{c.member.slug}/nazorg/{action}/klaar"),
        ]

    await as_(client, stranger)
    for method, path in (*paths(case, str(uuid.uuid4())), ("GET", f"/app/t/{c.member.slug}/nazorg")):
        response = await client.request(method, path, headers=HTML, data={"reason": "x"} if method == "POST" else None)
        assert response.status_code in (403, 404), (method, path, response.status_code)
        assert "marker-7b2f0a" not in response.text
    own = await client.get(page_of(c, case).replace(f"/t/{c.member.slug}/", f"/t/{other.slug}/"), headers=HTML)
    assert own.status_code == 404
    await as_(client, c.decider)  # seated at this case: another case id answers as a missing one
    for method, path in paths(str(uuid.uuid4()), str(uuid.uuid4())):
        response = await client.request(method, path, headers=HTML, data={"reason": "x"} if method == "POST" else None)
        assert response.status_code == 404, (method, path, response.status_code)
    await as_(client, c.manager)  # a decision maker here without a seat at the case
    assert (await client.get(page_of(c, case), headers=HTML)).status_code == 403

"""A fact-finding through the API against real PostgreSQL and Redis (seed-000 §2.4, casus of the manager accused
by four people): commissioned by the panel with the protocol, an external firm seated with its Wpbr licence,
the investigator's declaration and agreement, an interview whose record the interviewee approves in the party
portal, the draft report with a reaction annexed, the final report, the panel's adoption telling every party
in writing, and the case's decision due. Each guard on the way is refused; nothing said reaches a plain
column, an audit entry or the process guardian."""

from __future__ import annotations

import html
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from meldpunt.catalogues import text
from meldpunt.settings import Settings
from tests.conftest import MakeTenant
from tests.integration.cases.test_case_handling import STATEMENT, as_
from tests.integration.interventions.test_interventions_api import in_tenant
from tests.integration.investigations.support import (
    ACCUSED,
    SOON,
    TODAY,
    WITNESS,
    Team,
    answer,
    api,
    commission_body,
    commissioned,
    decided,
    interviewed,
    portal_of,
    protocol,
    seat_body,
    team,
)

RECORD = "Verslag van het gesprek: marker-record-1."
DRAFT = {
    "approach_and_question": "Vraagstelling en aanpak marker-draft.",
    "how_obtained": "Twee gesprekken.",
    "functionaries": "De onderzoeker.",
    "findings": "Bevindingen.",
    "conclusions": "Concept: aannemelijk.",
    "recommendations": "Een maatregel overwegen.",
}
FINAL = {
    "findings": "Bevindingen marker-final.",
    "conclusions": "Aannemelijk.",
    "recommendations": "Een maatregel.",
    "reactions_dealt_with": "De reactie is als bijlage opgenomen.",
}


async def _firm_seated(client: Any, t: Team, url: str) -> None:
    """The external firm: refused without its licence and with an expired one; seated with a valid one."""
    await as_(client, t.c.decider)
    missing = await client.post(f"{url}/investigator", json=seat_body(t.firm, external=True))
    assert missing.status_code == 409 and "Wpbr" in missing.json()["detail"]
    expired = seat_body(
        t.firm, external=True, licence_number="POB 1234", licence_valid_until=(TODAY - timedelta(days=1)).isoformat()
    )
    assert (await client.post(f"{url}/investigator", json=expired)).json()["type"].endswith("/investigator-refused")
    valid = seat_body(
        t.firm, external=True, licence_number="POB 1234", licence_valid_until=(TODAY + timedelta(days=365)).isoformat()
    )
    seated = await client.post(f"{url}/investigator", json=valid)
    assert seated.status_code == 201, seated.text
    [investigator] = seated.json()["process"]["investigators"]
    assert investigator["licence_number"] == "POB 1234" and investigator["declaration"] is None
    again = await client.post(f"{url}/investigator", json=seat_body(t.investigator))
    assert again.status_code == 409 and "al een aangestelde" in again.json()["detail"]


async def _declared_and_agreed(client: Any, t: Team, url: str) -> None:
    await as_(client, t.firm)
    before = (await client.get(f"{url}/brief")).json()
    assert before["assignment"] is None and before["parties"] is None and before["declared"] is False
    assert (await client.post(f"{url}/agreement")).status_code == 403  # the declaration first
    declared = await client.post(f"{url}/declaration", json={"involved": False, "statement": STATEMENT})
    assert declared.status_code == 201
    incomplete = await client.post(f"{url}/agreement")
    assert incomplete.status_code == 409 and "legal_protocol" in incomplete.json()["detail"]
    await as_(client, t.c.decider)
    completed = await client.post(f"{url}/protocol", json={"protocol": protocol("fact")})
    assert completed.status_code == 201 and completed.json()["process"]["assignment_version"] == 2
    await as_(client, t.firm)
    agreed = await client.post(f"{url}/agreement")
    assert agreed.status_code == 201 and agreed.json()["process"]["status"] == "under_way"
    brief = (await client.get(f"{url}/brief")).json()
    assert brief["assignment"]["norms_framework"].startswith("De gedragscode")
    assert {p["name"] for p in brief["parties"]} == {ACCUSED, WITNESS}


async def test_a_fact_finding_runs_from_commissioning_to_adoption_with_hoor_en_wederhoor(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    t = await team(app_engine, settings, make_tenant)
    case, ids = await decided(client, t, app_engine, ["fact_investigation"], ("accused", ACCUSED), ("witness", WITNESS))
    body = commission_body("fact", (ids[ACCUSED],))
    body["protocol"] = protocol("fact", leave_out=("legal_protocol",))
    base, iid = await commissioned(client, t, case, body)
    url = f"{base}/{iid}"
    process = (await client.get(f"{api(t, case)}/process")).json()
    assert process["status"] == "following_up"
    await _firm_seated(client, t, url)
    await _declared_and_agreed(client, t, url)

    accused = await interviewed(client, url, ids[ACCUSED], RECORD)
    assert accused["status"] == "shared" and accused["answer"] is None
    unanswered = await client.post(f"{url}/drafts", json={**DRAFT, "to": [ids[ACCUSED]], "respond_by": SOON})
    assert unanswered.status_code == 409 and "goedgekeurd of becommentarieerd" in unanswered.json()["detail"]

    heads = await portal_of(client, t, case, ids[ACCUSED])
    seen = (await client.get(f"/api/v1/p/{t.slug}/portal", headers=heads)).json()
    shared = next(s for s in seen["shared"] if s["share_id"] == accused["share_id"])
    record = await client.get(f"/api/v1/p/{t.slug}/documents/{shared['document_id']}", headers=heads)
    assert record.text == RECORD
    await answer(client, t, heads, accused["share_id"], "approved")

    await as_(client, t.firm)
    untold = await client.post(f"{url}/drafts", json={**DRAFT, "to": [ids[WITNESS]], "respond_by": SOON})
    assert untold.status_code == 409 and "conceptrapport" in untold.json()["detail"]
    drafted = await client.post(f"{url}/drafts", json={**DRAFT, "to": [ids[ACCUSED]], "respond_by": SOON})
    assert drafted.status_code == 201, drafted.text
    [reaction] = drafted.json()["process"]["reactions"]
    early = await client.post(f"{url}/final", json=FINAL)
    assert early.status_code == 409 and "reactie" in early.json()["detail"]
    no_reaction = await client.post(f"{url}/reactions/{reaction['id']}/handling", json={"handling": "annexed"})
    assert no_reaction.status_code == 409

    await answer(client, t, heads, reaction["share_id"], "commented", "Ik ben het oneens met punt 2 marker-reaction.")
    await as_(client, t.firm)
    handled = await client.post(f"{url}/reactions/{reaction['id']}/handling", json={"handling": "annexed"})
    assert handled.status_code == 201
    final = await client.post(f"{url}/final", json=FINAL)
    assert final.status_code == 201 and final.json()["process"]["status"] == "final"

    await as_(client, t.c.decider)
    adoption = {
        "conclusions_adopted": True,
        "recommendations_adopted": False,
        "reasons": "De conclusies zijn goed onderbouwd; marker-adoption.",
        "outcome_letter": "Het onderzoek is afgerond; de beslistafel neemt de conclusies over.",
        "told": [],
    }
    not_told = await client.post(f"{url}/adoption", json=adoption)
    assert not_told.status_code == 409 and "schriftelijk" in not_told.json()["detail"]
    adoption["told"] = [{"party_id": ids[ACCUSED], "channel": "portal"}]
    adopted = await client.post(f"{url}/adoption", json=adoption)
    assert adopted.status_code == 201, adopted.text
    assert adopted.json()["process"]["status"] == "adopted"
    assert adopted.json()["content"]["adoption_reasons"].endswith("marker-adoption.")
    await _after_adoption(client, t, app_engine, case, iid, heads)


async def _after_adoption(
    client: Any, t: Team, app_engine: AsyncEngine, case: str, iid: str, heads: dict[str, str]
) -> None:
    """Every follow-up deadline met, the decision due; the accused reads the outcome in the portal; the
    guardian sees stages without content; no content in plain columns or audit entries."""
    process = (await client.get(f"{api(t, case)}/process")).json()
    follow_ups = [d for d in process["deadlines"] if d["kind"] == "follow_up"]
    assert len(follow_ups) >= 4 and all(d["met_at"] is not None for d in follow_ups)
    assert [d["met_at"] for d in process["deadlines"] if d["kind"] == "decision"] == [None]
    client.cookies.clear()
    titles = [s["title"] for s in (await client.get(f"/api/v1/p/{t.slug}/portal", headers=heads)).json()["shared"]]
    assert "Uitkomst van het onderzoek" in titles

    await as_(client, t.c.pooled)
    guarded = await client.get(f"{api(t, case)}/investigations/process")
    assert guarded.status_code == 200 and guarded.json()[0]["status"] == "adopted"
    assert "marker" not in guarded.text and "gedragscode" not in guarded.text
    assert (await client.get(f"{api(t, case)}/investigations/")).status_code == 403
    page = await client.get(f"/app/t/{t.slug}/zaken/{case}", headers={"Accept": "text/html"})
    timeline = page.text.split('data-testid="timeline"', 1)[1].split("</ol>", 1)[0]
    kind = text("nl", "investigation.kind.fact")
    ended = f"Onderzoek {kind}: " + text("nl", "investigation.status.adopted")
    stages = [f"Onderzoek opgedragen: {kind}", "Gesprek gehouden in het onderzoek", html.escape(ended), "Nog te doen: "]
    places = [timeline.find(stage) for stage in stages]
    assert all(place >= 0 for place in places) and places == sorted(places), places  # in the order they happened
    assert "marker" not in timeline

    rows = await in_tenant(
        app_engine, t.c.member, "SELECT action, details::text FROM audit_entries WHERE action LIKE 'investigation.%'"
    )
    actions = {row[0] for row in rows}
    assert {"investigation.brief_read", "investigation.content_read", "investigation.adopted"} <= actions
    assert not any("marker" in row[1] or "gedragscode" in row[1].casefold() for row in rows)
    for table in ("investigations", "investigator_seats", "investigation_interviews", "investigation_reactions"):
        dumped = await in_tenant(app_engine, t.c.member, f"SELECT row_to_json(t)::text FROM {table} t")
        assert dumped and not any("marker" in row[0] or "Ik ben" in row[0] for row in dumped), table
    classes = await in_tenant(app_engine, t.c.member, "SELECT record_class FROM documents WHERE case_id = :c", c=case)
    assert {"investigation_protocol", "interview_record", "investigation_report", "investigation_reaction"} <= {
        row[0] for row in classes
    }

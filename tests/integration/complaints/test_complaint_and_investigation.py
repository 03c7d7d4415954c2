"""What the complaint track knows of an investigation of its case, in the case's own terms (DESIGN §4): the advice
waits while an investigation's ``follow_up`` deadline of the case is open; and the case's internal investigator
(``case_roles_held``) takes no seat at the complaint, while every seat taken is written there for the rule."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from meldpunt.cases import follow_up
from meldpunt.db.context import tenant_context
from meldpunt.db.engine import create_sessionmaker
from meldpunt.identity.models import AccountRef
from meldpunt.intake.models import Case
from meldpunt.intake.services import add_deadline
from meldpunt.settings import Settings
from tests.conftest import MakeTenant
from tests.integration.cases.test_case_handling import as_
from tests.integration.complaints.conftest import Committee, committee, post, registered, seat_of
from tests.integration.complaints.test_complaint_track import _heard, problem, rows


async def _in_case(app_engine: AsyncEngine, c: Committee, case: str, write: object) -> None:
    """A module above the complaint track (``investigations/``) writes what it does in the case's terms."""
    async with create_sessionmaker(app_engine)() as session:
        await tenant_context(session, [c.member.id])
        row = await session.get(Case, (c.member.id, uuid.UUID(case)))
        assert row is not None
        write(session, row)  # type: ignore[operator]
        await session.commit()


async def test_the_advice_waits_for_an_open_investigation_of_the_case(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings, owner_engine: AsyncEngine
) -> None:
    c = await committee(app_engine, settings, make_tenant, owner_engine)
    case, url = await registered(client, c, app_engine)
    await _heard(client, c, url)
    for party in ("accused", "complainant"):
        await post(client, c.secretary, f"{url}/records", {"kind": "reaction", "party": party, "text": "Akkoord."})
    due = datetime.now(UTC) + timedelta(days=30)
    await _in_case(app_engine, c, case, lambda s, row: add_deadline(s, row, "follow_up", due, "decision_maker"))
    await as_(client, c.chair)
    waiting = await client.post(f"{url}/advice", json={"outcome": "well_founded", "text": "Gegrond."})
    problem(waiting, 409, "complaint-refused")
    assert "onderzoek" in waiting.json()["detail"]
    await rows(
        app_engine,
        c,
        f"UPDATE deadlines SET met_at = now() WHERE kind = 'follow_up' AND case_id = '{case}' RETURNING id",
    )
    advised = await post(client, c.chair, f"{url}/advice", {"outcome": "well_founded", "text": "Gegrond."})
    assert advised["status"] == "advised"


async def test_the_cases_internal_investigator_takes_no_seat_at_its_complaint(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings, owner_engine: AsyncEngine
) -> None:
    c = await committee(app_engine, settings, make_tenant, owner_engine)
    case, url = await registered(client, c, app_engine)
    second = c.members[1]
    investigator = AccountRef(second.account_tenant_id, second.account_id)
    await _in_case(
        app_engine,
        c,
        case,
        lambda s, row: follow_up.hold_role(s, row, investigator, follow_up.INVESTIGATOR, internal=True),
    )
    await as_(client, c.secretary)
    refused = await client.post(f"{url}/seats", json=seat_of(second, "committee_member"))
    problem(refused, 409, "complaint-seat-refused")
    assert "interne onderzoeker" in refused.json()["detail"]
    refused_en = await client.post(f"{url}/seats?lang=en", json=seat_of(second, "committee_member"))
    assert "internal investigator" in refused_en.json()["detail"]

    held = await rows(app_engine, c, f"SELECT role FROM case_roles_held WHERE case_id = '{case}' ORDER BY role")
    assert [r.role for r in held] == [
        "committee_chair",
        "committee_member",
        "committee_secretary",
        "investigator",
        "process_guardian",
    ]  # every seat the committee took is written down for the rule

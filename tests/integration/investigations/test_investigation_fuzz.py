"""Property-based fuzzing (schemathesis) of every investigation operation with the ids of a real investigation,
its interview and its reaction, as its investigator and as its decision maker: whatever is sent, valid or not,
the answer is never a server error."""

from __future__ import annotations

import httpx
import schemathesis
from sqlalchemy.ext.asyncio import AsyncEngine

from meldpunt.settings import Settings
from tests.conftest import MakeTenant
from tests.integration.investigations.support import team
from tests.integration.investigations.test_investigation_routes import with_a_reaction
from tests.integration.web.test_fuzz_openapi import fuzz, served, signed_in

__all__ = ["served"]  # the served application, a fixture of the whole fuzzing

TAG = "investigations"


async def test_no_request_of_an_investigation_operation_gets_a_server_error(
    served: str, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    async with httpx.AsyncClient(base_url=served) as client:
        t = await team(app_engine, settings, make_tenant)
        base, iid, interview, reaction = await with_a_reaction(client, t, app_engine)
    case = base.split("/cases/")[1].split("/")[0]
    known = {
        "tenant": t.slug,
        "case_id": case,
        "investigation_id": iid,
        "interview_id": interview,
        "reaction_id": reaction,
    }
    schema = schemathesis.openapi.from_url(f"{served}/schema/openapi.json")
    operations = [result.ok().definition.raw for result in schema.get_all_operations()]
    mine = {raw["operationId"] for raw in operations if TAG in raw.get("tags", [])}
    assert len(mine) == 22
    others = frozenset(raw["operationId"] for raw in operations) - mine
    failures = []
    for who in (t.investigator, t.c.decider):
        persona = await signed_in(served, who.token)
        persona.known = known
        failures += fuzz(served, persona, others)
    assert not failures, "\n\n".join(failures)

"""The retention purge finds an investigation's rows by their foreign keys (to the case, its parties and the
investigation) and destroys them with the case: its own record classes are due like any other."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from meldpunt.audit.services import AuditActor
from meldpunt.db.context import tenant_context
from meldpunt.db.engine import create_sessionmaker
from meldpunt.dossiers.keys import Keyring, LocalRootKey
from meldpunt.dossiers.storage import create_object_store
from meldpunt.retention.models import Trigger
from meldpunt.retention.services import EffectiveRule, purge_tenant, record_case_event, sync_policies
from meldpunt.settings import Settings
from tests.conftest import MakeTenant
from tests.integration.interventions.test_interventions_api import in_tenant
from tests.integration.investigations.support import team
from tests.integration.investigations.test_investigation_routes import with_a_reaction

TABLES = ("investigation_reactions", "investigation_interviews", "investigator_seats", "investigations")
CLASSES = ("report_dossier", "interview_record", "investigation_report", "investigation_protocol")


async def test_destroying_a_case_takes_its_investigations_with_it(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    t = await team(app_engine, settings, make_tenant)
    base, _, _, _ = await with_a_reaction(client, t, app_engine)
    case = uuid.UUID(base.split("/cases/")[1].split("/")[0])
    before = {table: len(await in_tenant(app_engine, t.c.member, f"SELECT id FROM {table}")) for table in TABLES}
    assert all(before.values()), before
    keyring = Keyring(LocalRootKey(Path(settings.root_key_file or "")))
    sessionmaker = create_sessionmaker(app_engine)
    async with sessionmaker() as session:
        await tenant_context(session, [t.c.member.id])
        rules = [EffectiveRule(record_class, "case_closed", 1, False) for record_class in CLASSES]
        await sync_policies(session, t.c.member.id, rules)
        closed = datetime.now(UTC) - timedelta(days=3)
        await record_case_event(session, AuditActor.system("test"), t.c.member.id, case, Trigger.CASE_CLOSED, closed)
        await session.commit()
    await purge_tenant(sessionmaker, keyring, create_object_store(settings), t.c.member.id, datetime.now(UTC))
    left = {table: len(await in_tenant(app_engine, t.c.member, f"SELECT id FROM {table}")) for table in TABLES}
    assert left == dict.fromkeys(TABLES, 0)
    assert await in_tenant(app_engine, t.c.member, "SELECT id FROM cases WHERE id = :c", c=case) == []

"""The demo's complaint at Het Anker: made once through the services, registered by the branch committee's
secretary, with Ingrid de Boer seated as chair and waiting for her declaration."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from meldpunt.cases import services as cases
from meldpunt.complaints.models import ComplaintSeat
from meldpunt.db.context import also_in
from meldpunt.db.engine import create_sessionmaker
from meldpunt.dossiers.keys import Keyring
from meldpunt.identity.models import AccountRef
from meldpunt.provisioning.demo_complaint import make_demo_complaint
from meldpunt.settings import Settings
from tests.integration.provisioning.test_demo_panels import demo_tenants, keyring, open_member

__all__ = ["keyring"]


async def test_the_demo_complaint_is_made_once_and_waits_for_ingrid(
    app_engine: AsyncEngine, settings: Settings, tmp_path: Path, repo_root: Path, keyring: Keyring
) -> None:
    slugs = await demo_tenants(settings, tmp_path, repo_root)
    async with create_sessionmaker(app_engine)() as session:
        tenant = await open_member(session, slugs["het-anker"])
        first = await make_demo_complaint(session, keyring, tenant)
        await session.commit()
        again = await make_demo_complaint(session, keyring, tenant)
        assert again.id == first.id and first.status == "registered"
        seats = list(
            (await session.execute(select(ComplaintSeat).where(ComplaintSeat.complaint_id == first.id))).scalars()
        )
        assert tenant.branch_id is not None
        async with also_in(session, tenant.branch_id):
            names = await cases.account_names(
                session, tenant, [AccountRef(s.account_tenant_id, s.account_id) for s in seats]
            )
        by_role = {s.role.value: (names[s.account_id], s.declaration) for s in seats}
        assert by_role["committee_chair"][0].startswith("Ingrid de Boer") and by_role["committee_chair"][1] is None
        assert by_role["committee_secretary"][0].startswith("Mirjam Koster")
        assert by_role["committee_member"][1] == "not_involved"

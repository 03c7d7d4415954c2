"""Destroying a case destroys its party portal too: the parties, their invitations, what was shared with them,
their messages and answers, and links to other cases; a shared document that is due goes with its shares."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import redis.asyncio as aioredis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from meldpunt.db.context import tenant_context
from meldpunt.db.engine import create_sessionmaker
from meldpunt.dossiers.documents import RecordClass, store_document
from meldpunt.dossiers.keys import Keyring, LocalRootKey
from meldpunt.dossiers.storage import create_object_store
from meldpunt.intake.ratelimit import Limiter
from meldpunt.parties import services
from meldpunt.parties.models import PartyRole
from meldpunt.parties.schemas import PartyIn, ResponseIn, ShareIn, TermIn
from meldpunt.retention.models import Trigger
from meldpunt.retention.services import purge_tenant, record_case_event, sync_policies
from meldpunt.settings import Settings
from meldpunt.tenancy.models import Tenant
from tests.conftest import MakeTenant
from tests.integration.intake.test_submissions import submit
from tests.integration.parties.test_party_services import WHO, _case_ids
from tests.integration.retention.test_retention import ACTOR, META, NOW, RULES, chunks

PORTAL_TABLES = (
    "case_parties",
    "party_invitations",
    "party_shares",
    "party_messages",
    "party_responses",
    "party_terms",
    "case_links",
)


async def test_a_destroyed_case_takes_its_party_portal_with_it(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings, redis_url: str
) -> None:
    ref = await make_tenant()
    for _ in range(2):
        assert (await submit(client, ref.slug)).status_code == 201
    case_id, other_id = await _case_ids(app_engine, ref.id)
    keyring = Keyring(LocalRootKey(Path(settings.root_key_file or "")))
    store = create_object_store(settings)
    redis = aioredis.Redis.from_url(redis_url)
    async with create_sessionmaker(app_engine)() as session:
        await tenant_context(session, [ref.id])
        tenant = await session.get(Tenant, ref.id)
        assert tenant is not None
        await sync_policies(session, tenant.id, RULES)
        accused = await services.add_party(
            session, keyring, WHO, tenant, case_id, PartyIn(role=PartyRole.ACCUSED, name="Jan de Vries")
        )
        await services.add_party(
            session, keyring, WHO, tenant, case_id, PartyIn(role=PartyRole.COMPANION, name="B", accompanies=accused.id)
        )
        record = await store_document(
            session, keyring, store, ACTOR, tenant.id, case_id, RecordClass.REPORT_DOSSIER, chunks(b"verslag"), META
        )
        share = await services.share(
            session, WHO, tenant, case_id, ShareIn(document_id=record.id, party_id=accused.id, for_approval=True)
        )
        invitation = await services.invite(session, WHO, tenant, case_id, accused.id)
        access, _ = await services.activate(session, Limiter(redis), tenant, invitation.token, invitation.code)
        await services.respond(session, keyring, access, share.id, ResponseIn(verdict="commented", comment="Nee."))
        await services.reply(session, keyring, store, access, "Mijn kant.")
        due = TermIn(ask="Uw schriftelijke reactie.", due_on=NOW.date() + timedelta(days=14))
        term = await services.set_term(session, keyring, WHO, tenant, case_id, accused.id, due)
        await services.answer_term(session, keyring, store, access, term.id, "Hierbij.")
        await services.link_cases(session, WHO, tenant, case_id, other_id)
        await record_case_event(session, ACTOR, tenant.id, case_id, Trigger.CASE_CLOSED, NOW - timedelta(days=731))
        await session.commit()
    await redis.aclose()

    await purge_tenant(create_sessionmaker(app_engine), keyring, store, ref.id, NOW)

    async with app_engine.begin() as connection:
        await connection.execute(text(f"SET LOCAL meldpunt.tenant_ids = '{{{ref.id}}}'"))
        left = {
            table: (
                await connection.execute(text(f"SELECT count(*) FROM {table} WHERE case_id = :c"), {"c": case_id})
            ).scalar_one()
            for table in PORTAL_TABLES
        }
        other_links = (
            await connection.execute(text("SELECT count(*) FROM case_links WHERE case_id = :c"), {"c": other_id})
        ).scalar_one()
        certificate = (
            await connection.execute(
                text("SELECT details FROM audit_entries WHERE action = 'retention.destroyed' ORDER BY seq DESC")
            )
        ).scalar_one()
    assert left == dict.fromkeys(PORTAL_TABLES, 0)
    assert other_links == 0  # the other case no longer points at a destroyed one
    assert "party_shares:1" in certificate["rows"] and "case_parties:2" in certificate["rows"]
    assert "party_terms:1" in certificate["rows"]

"""Discrimination grounds (special-category data, AVG art. 9): sealed with the case key, nowhere in plaintext
(no row, binary column, log line or Redis key), still read by the reporting point; and migration 0012 moves
grounds stored in plaintext before into the sealed form, and drops the names files had on a device."""

from __future__ import annotations

import json
import secrets
import uuid
from pathlib import Path

import msgspec
import pytest
import redis.asyncio as aioredis
import structlog
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from meldpunt.audit.services import AuditActor
from meldpunt.db.bootstrap import migrate
from meldpunt.db.context import tenant_context
from meldpunt.db.engine import create_sessionmaker
from meldpunt.dossiers.crypto import associated_data, decrypt_text, encrypt_text
from meldpunt.dossiers.documents import DocumentMeta
from meldpunt.dossiers.keys import Keyring, create_root_key
from meldpunt.dossiers.storage import create_object_store
from meldpunt.intake import attachments, services
from meldpunt.intake.attachments import Upload
from meldpunt.intake.schemas import Attributes, SubmissionIn
from meldpunt.settings import Settings
from meldpunt.tenancy.models import Tenant
from tests.conftest import MakeTenant, MigratedDatabase
from tests.integration.intake.test_attachments import PDF
from tests.integration.intake.test_pages import HTML, VALID
from tests.integration.intake.test_reporting_point import as_professional, reporting_point
from tests.support.dump import where_stored

# Words that occur nowhere else in a case: if one is stored, it is a ground in plaintext.
GROUNDS = ["disability_or_chronic_illness", "sexual_orientation"]


async def test_grounds_are_stored_sealed_and_the_reporting_point_still_reads_them(
    client, make_tenant: MakeTenant, test_database: MigratedDatabase, app_engine: AsyncEngine, settings: Settings
) -> None:
    tenant = await make_tenant()
    with structlog.testing.capture_logs(processors=[structlog.contextvars.merge_contextvars]) as logs:
        api = await client.post(
            f"/api/v1/public/{tenant.slug}/submissions",
            json={
                "kind": "report",
                "anonymity": "anonymous_with_contact",
                "category": "discrimination",
                "reporter_role": "employee",
                "reporter_is_affected": True,
                "narrative": "Opmerkingen over mijn rolstoel en mijn vriend.",
                "attributes": {"repeated": True, "discrimination_grounds": GROUNDS},
            },
        )
        assert api.status_code == 201, api.text
        form = {**VALID, "category": "discrimination", "discrimination_grounds": GROUNDS[::-1]}
        page = await client.post(f"/m/{tenant.slug}/melden", data=form, headers=HTML)
        assert page.status_code == 200 and 'data-testid="receipt"' in page.text
    assert [ground for ground in GROUNDS if ground in json.dumps(logs, default=str)] == []
    assert await where_stored(test_database.url("postgres"), GROUNDS, tenant.id) == []
    store = aioredis.Redis.from_url(settings.redis_url)
    try:
        keys = [key.decode() async for key in store.scan_iter("*")]
    finally:
        await store.aclose()
    assert [key for key in keys if any(ground in key for ground in GROUNDS)] == []

    await as_professional(client, await reporting_point(app_engine, settings, tenant, tenant))
    listed = (await client.get("/api/v1/submissions")).json()
    assert len(listed) == 2 and not [ground for ground in GROUNDS if ground in str(listed)]
    read = [(await client.get(f"/api/v1/t/{tenant.slug}/submissions/{item['id']}")).json() for item in listed]
    assert sorted(sorted(d["attributes"]["discrimination_grounds"]) for d in read) == [sorted(GROUNDS)] * 2
    assert any(d["attributes"]["repeated"] is True for d in read)


async def test_a_case_without_grounds_is_sealed_too_so_the_row_does_not_say_which_have_them(
    client, make_tenant: MakeTenant, owner_engine: AsyncEngine
) -> None:
    tenant = await make_tenant()
    assert (await client.post(f"/m/{tenant.slug}/melden", data=VALID, headers=HTML)).status_code == 200
    async with owner_engine.begin() as connection:
        await connection.execute(text(f"SET LOCAL meldpunt.tenant_ids = '{{{tenant.id}}}'"))
        row = (await connection.execute(text("SELECT attributes, sealed_grounds FROM cases"))).one()
    assert "discrimination_grounds" not in row.attributes and row.sealed_grounds


async def _report_with_a_file(settings: Settings, tenant_id: uuid.UUID) -> uuid.UUID:
    keyring, engine = Keyring(create_root_key(settings)), create_async_engine(settings.database_url)
    try:
        async with create_sessionmaker(engine)() as session:
            tenant = await session.get(Tenant, tenant_id)
            assert tenant is not None
            submission = SubmissionIn(
                kind="report",
                anonymity="anonymous_with_contact",
                category="discrimination",
                reporter_role="employee",
                reporter_is_affected=True,
                narrative="Grappen over mijn geaardheid.",
                attributes=Attributes(discrimination_grounds=("sexual_orientation",)),
            )
            registered = await services.register_submission(session, keyring, tenant, submission)
            checked = await attachments.check_uploads([Upload("aangifte-jansen.pdf", PDF)])
            await attachments.attach(
                session, keyring, create_object_store(settings), tenant.id, registered.case, checked
            )
            await session.commit()
            return registered.case.id
    finally:
        await engine.dispose()


async def test_migration_0012_seals_plaintext_grounds_and_drops_device_names_and_goes_back(
    fresh_database: tuple[Settings, str], tmp_path: Path
) -> None:
    settings, superuser = fresh_database
    engine = create_async_engine(superuser)
    keyring = Keyring(create_root_key(settings))
    tenant_id = uuid.uuid4()
    try:
        await migrate(settings)
        async with engine.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO tenants (id, slug, kind, display_name, locale, fte, sector_code, branch_services, "
                    "branding, identity_provider, procedure, advisers, policy_documents) VALUES (:id, :slug, "
                    "'branch', 'Organisatie', 'nl', 10, '88', '{}', '{}', '{}', '{}', '[]', '[]')"
                ),
                {"id": tenant_id, "slug": f"t-{secrets.token_hex(5)}"},
            )
        case_id = await _report_with_a_file(settings, tenant_id)

        # Down to 0011: the rows as they were before, grounds in plaintext; and a file named as on the device.
        await migrate(settings, downgrade_to="0011")
        async with engine.begin() as connection:
            attributes = (await connection.execute(text("SELECT attributes FROM cases"))).scalar_one()
            assert attributes["discrimination_grounds"] == ["sexual_orientation"]
            document = (await connection.execute(text("SELECT id, sealed_meta FROM documents"))).one()
            async with create_sessionmaker(engine)() as session:
                await tenant_context(session, [tenant_id])
                material = await keyring.case_key(session, tenant_id, case_id)
            aad = associated_data(tenant_id, case_id, document.id, "meta")
            legacy = DocumentMeta("aangifte-jansen.pdf", "application/pdf", source="reporter")
            await connection.execute(
                text("UPDATE documents SET sealed_meta = :m"),
                {"m": encrypt_text(material, msgspec.json.encode(legacy).decode(), aad)},
            )

        # With another root key nothing unwraps: the migration stops with a clear message and changes nothing.
        with pytest.raises(RuntimeError, match="root key settings"):
            await migrate(msgspec.structs.replace(settings, root_key_file=str(tmp_path / "another-key.json")))
        async with engine.begin() as connection:
            assert (await connection.execute(text("SELECT attributes FROM cases"))).scalar_one() == attributes

        await migrate(settings)
        async with engine.begin() as connection:
            row = (await connection.execute(text("SELECT attributes, sealed_grounds FROM cases"))).one()
            sealed_meta = (await connection.execute(text("SELECT sealed_meta FROM documents"))).scalar_one()
        assert "discrimination_grounds" not in row.attributes and b"sexual_orientation" not in row.sealed_grounds
        assert msgspec.json.decode(decrypt_text(material, sealed_meta, aad), type=DocumentMeta).filename == (
            "bijlage-1.pdf"
        )
        assert await where_stored(superuser, ["sexual_orientation", "aangifte-jansen"]) == []
        app = create_async_engine(settings.database_url)
        try:
            async with create_sessionmaker(app)() as session:
                tenant = await session.get(Tenant, tenant_id)
                assert tenant is not None
                detail = await services.read_submission(session, keyring, AuditActor.system("test"), tenant, case_id)
        finally:
            await app.dispose()
        assert detail.attributes["discrimination_grounds"] == ["sexual_orientation"]
        assert [a.filename for a in detail.attachments] == ["bijlage-1.pdf"]
    finally:
        await engine.dispose()

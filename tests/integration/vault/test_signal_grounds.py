"""Discrimination grounds in an adviser's signal (special-category data, AVG art. 9): sealed with the signal's
own key, nowhere in plaintext (no row, no binary column), still read by those who may read signals (API and
page); and migration 0016 seals grounds stored in plaintext before, and its downgrade puts them back."""

from __future__ import annotations

import secrets
import uuid

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from meldpunt.db.bootstrap import migrate
from meldpunt.db.engine import create_sessionmaker
from meldpunt.dossiers.keys import Keyring, create_root_key
from meldpunt.identity.roles import Role
from meldpunt.settings import Settings
from meldpunt.tenancy.models import Tenant
from meldpunt.vault import services
from tests.conftest import MakeTenant, MigratedDatabase
from tests.integration.intake.test_pages import HTML
from tests.integration.intake.test_reporting_point import as_professional, reporting_point
from tests.support.dump import where_stored

# Words that occur nowhere else in a signal: if one is stored, it is a ground in plaintext.
GROUNDS = ["disability_or_chronic_illness", "sexual_orientation"]
SIGNAL = {"category": "discrimination", "setting": "workplace", "attributes": {"repeated": True}}


async def test_signal_grounds_are_stored_sealed_and_whoever_reads_signals_still_sees_them(
    client, make_tenant: MakeTenant, test_database: MigratedDatabase, app_engine: AsyncEngine, settings: Settings
) -> None:
    tenant = await make_tenant()
    await as_professional(client, await reporting_point(app_engine, settings, tenant, tenant, role=Role.ADVISER))
    with_grounds = {**SIGNAL, "attributes": {"repeated": True, "discrimination_grounds": GROUNDS}}
    sent = await client.post(f"/api/v1/t/{tenant.slug}/vault/signals", json=with_grounds)
    assert sent.status_code == 201, sent.text
    assert sent.json()["attributes"]["discrimination_grounds"] == GROUNDS
    assert (await client.post(f"/api/v1/t/{tenant.slug}/vault/signals", json=SIGNAL)).status_code == 201
    assert await where_stored(test_database.url("postgres"), GROUNDS, tenant.id) == []

    # A signal without grounds is sealed too: the rows do not say which signals have them.
    async with app_engine.begin() as connection:
        await connection.execute(text(f"SET LOCAL meldpunt.tenant_ids = '{{{tenant.id}}}'"))
        rows = (await connection.execute(text("SELECT attributes, sealed_grounds FROM adviser_signals"))).all()
    assert len(rows) == 2 and all(r.sealed_grounds and "discrimination_grounds" not in r.attributes for r in rows)

    assert (await client.get(f"/api/v1/t/{tenant.slug}/signals")).status_code == 403  # advisers send, not read
    await as_professional(client, await reporting_point(app_engine, settings, tenant, tenant))
    received = (await client.get(f"/api/v1/t/{tenant.slug}/signals")).json()
    assert sorted(r["attributes"]["discrimination_grounds"] for r in received) == [[], GROUNDS]
    assert all(r["attributes"]["repeated"] is True for r in received)
    page = await client.get(f"/app/t/{tenant.slug}/signalen", headers=HTML)
    assert page.status_code == 200
    assert "Handicap of chronische ziekte" in page.text and "Seksuele gerichtheid" in page.text


async def test_migration_0016_seals_plaintext_signal_grounds_and_goes_back(
    fresh_database: tuple[Settings, str],
) -> None:
    settings, superuser = fresh_database
    engine = create_async_engine(superuser)
    tenant_id, signal_id = uuid.uuid4(), uuid.uuid4()
    try:
        await migrate(settings, revision="0015")
        async with engine.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO tenants (id, slug, kind, display_name, locale, fte, sector_code, branch_services, "
                    "branding, identity_provider, procedure, advisers, policy_documents) VALUES (:id, :slug, "
                    "'branch', 'Organisatie', 'nl', 10, '88', '{}', '{}', '{}', '{}', '[]', '[]')"
                ),
                {"id": tenant_id, "slug": f"t-{secrets.token_hex(5)}"},
            )
            # A signal as 0015 stored it: its grounds in plaintext, no key of its own.
            await connection.execute(
                text(
                    "INSERT INTO adviser_signals (tenant_id, id, month, category, attributes, suggestions) VALUES "
                    "(:t, :s, '2026-01-01', 'discrimination', "
                    """'{"repeated": true, "discrimination_grounds": ["sexual_orientation"]}', '[]')"""
                ),
                {"t": tenant_id, "s": signal_id},
            )

        await migrate(settings)
        async with engine.begin() as connection:
            row = (await connection.execute(text("SELECT attributes, sealed_grounds FROM adviser_signals"))).one()
        assert row.attributes == {"repeated": True} and b"sexual_orientation" not in row.sealed_grounds
        assert await where_stored(superuser, ["sexual_orientation"]) == []
        app = create_async_engine(settings.database_url)
        try:
            async with create_sessionmaker(app)() as session:
                tenant = await session.get(Tenant, tenant_id)
                assert tenant is not None
                signals = await services.list_signals(session, Keyring(create_root_key(settings)), tenant)
        finally:
            await app.dispose()
        assert [s.attributes for s in signals] == [{"repeated": True, "discrimination_grounds": ["sexual_orientation"]}]

        await migrate(settings, downgrade_to="0015")
        async with engine.begin() as connection:
            attributes = (await connection.execute(text("SELECT attributes FROM adviser_signals"))).scalar_one()
            keys = (await connection.execute(text("SELECT count(*) FROM case_keys"))).scalar_one()
        assert attributes == {"repeated": True, "discrimination_grounds": ["sexual_orientation"]} and keys == 0
    finally:
        await engine.dispose()

"""A closed consultation's notes are destroyed after the organisation's period for adviser notes: its key
first, then every row of it; open consultations stay, and a dry run only says what would go."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from meldpunt.db.context import tenant_context
from meldpunt.db.engine import create_sessionmaker
from meldpunt.dossiers.keys import Keyring, create_root_key
from meldpunt.identity.roles import Role
from meldpunt.jobs.runtime import JobRuntime, install_runtime
from meldpunt.jobs.scheduler import schedule_table
from meldpunt.retention.services import EffectiveRule, sync_policies
from meldpunt.settings import Settings
from meldpunt.vault.jobs import sweep_vaults
from meldpunt.vault.services import purge_vaults
from tests.conftest import MakeTenant, TenantRef
from tests.integration.intake.test_reporting_point import as_professional, reporting_point
from tests.integration.vault.test_vault import account_of, open_with_contact, rows_as_app


async def signed_in_adviser_keeping_notes_30_days(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> tuple[TenantRef, str]:
    """A tenant whose adviser notes are kept 30 days after closing, and its adviser signed in on ``client``."""
    tenant = await make_tenant()
    async with create_sessionmaker(app_engine)() as session:
        await tenant_context(session, [tenant.id])
        await sync_policies(session, tenant.id, [EffectiveRule("adviser_note", "case_closed", 30, False)])
        await session.commit()
    await as_professional(client, await reporting_point(app_engine, settings, tenant, tenant, role=Role.ADVISER))
    return tenant, await account_of(client)


async def test_closed_consultations_are_destroyed_when_due_and_open_ones_stay(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    tenant, adviser = await signed_in_adviser_keeping_notes_30_days(client, make_tenant, app_engine, settings)
    sessionmaker = create_sessionmaker(app_engine)
    closed = await open_with_contact(client, tenant.slug)
    await open_with_contact(client, tenant.slug)
    consent = await client.post(
        f"/api/v1/t/{tenant.slug}/vault/consultations/{closed}/consents",
        json={"basis": "consent", "recipient": "police", "scopes": ["summary"], "given_on": "2026-01-01"},
    )
    assert consent.status_code == 201
    assert (await client.post(f"/api/v1/t/{tenant.slug}/vault/consultations/{closed}/closure")).status_code == 204

    keyring = Keyring(create_root_key(settings))
    soon = datetime.now(UTC) + timedelta(days=29)
    assert await purge_vaults(sessionmaker, keyring, tenant.id, soon) == []
    later = datetime.now(UTC) + timedelta(days=31)
    planned = await purge_vaults(sessionmaker, keyring, tenant.id, later, dry_run=True)
    assert planned == [f"would destroy an adviser's consultation {closed} (closed {datetime.now(UTC).date()})"]
    assert (await rows_as_app(app_engine, tenant, adviser))["consultations"] == 2
    done = await purge_vaults(sessionmaker, keyring, tenant.id, later)
    assert len(done) == 1 and closed in done[0]
    assert await rows_as_app(app_engine, tenant, adviser) == {
        "consultations": 1,
        "consultation_contacts": 1,
        "consent_records": 0,
        "disclosures": 0,
    }
    async with app_engine.begin() as connection:
        await connection.execute(text(f"SET LOCAL meldpunt.tenant_ids = '{{{tenant.id}}}'"))
        keys = (
            await connection.execute(text("SELECT count(*) FROM case_keys WHERE case_id = :c"), {"c": closed})
        ).scalar_one()
        # The purge is audited in the adviser's own vault chain, not in the tenant's (DESIGN §6).
        await connection.execute(text(f"SET LOCAL meldpunt.vault_owner = '{adviser}'"))
        purged = (
            await connection.execute(text("SELECT count(*) FROM audit_entries WHERE action = 'vault.purged'"))
        ).scalar_one()
    assert keys == 0 and purged == 1
    assert (await client.get(f"/api/v1/t/{tenant.slug}/vault/consultations/{closed}")).status_code == 404
    assert await purge_vaults(sessionmaker, keyring, tenant.id, later) == []


async def test_the_periodic_vault_sweep_destroys_a_closed_consultation_when_due(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    """The vault's own job (``vault.sweep``, scheduled beside ``retention.sweep``) runs the purge."""
    tenant, adviser = await signed_in_adviser_keeping_notes_30_days(client, make_tenant, app_engine, settings)
    closed = await open_with_contact(client, tenant.slug)
    assert (await client.post(f"/api/v1/t/{tenant.slug}/vault/consultations/{closed}/closure")).status_code == 204
    assert "vault.sweep" in {entry.job_name for entry in schedule_table(settings)}

    runtime = JobRuntime(settings)
    install_runtime(runtime)
    try:
        await sweep_vaults()  # not yet due: nothing goes
        assert (await rows_as_app(app_engine, tenant, adviser))["consultations"] == 1
        with time_machine.travel(datetime.now(UTC) + timedelta(days=31), tick=True):
            await sweep_vaults()
    finally:
        install_runtime(None)
        await runtime.close()
    assert (await rows_as_app(app_engine, tenant, adviser))["consultations"] == 0
    assert (await client.get(f"/api/v1/t/{tenant.slug}/vault/consultations/{closed}")).status_code == 404

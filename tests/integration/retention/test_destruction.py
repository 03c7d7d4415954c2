"""Destroying a case: two sweeps at once destroy each case once with one true certificate; a case without
attachments goes whole, rows and texts included; the reporter and the reporting point are told when and
under which policy; a purge cut short is finished; legal holds keep an adviser's consultation too."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from meldpunt.audit.services import AuditActor
from meldpunt.db.context import tenant_context
from meldpunt.db.engine import create_sessionmaker
from meldpunt.dossiers.documents import DocumentMeta, RecordClass, store_document
from meldpunt.dossiers.keys import Keyring, create_root_key
from meldpunt.dossiers.storage import ObjectStore, create_object_store
from meldpunt.identity.roles import Role
from meldpunt.retention.models import HoldKind, Trigger
from meldpunt.retention.services import (
    EffectiveRule,
    PolicyWords,
    place_hold,
    purge_tenant,
    record_case_event,
    release_hold,
    sync_policies,
)
from meldpunt.settings import Settings
from meldpunt.vault.services import purge_vaults
from tests.conftest import MakeTenant, TenantRef
from tests.integration.intake.test_reporting_point import as_professional, reporting_point
from tests.integration.intake.test_submissions import submit
from tests.integration.vault.test_vault import account_of, open_with_contact, rows_as_app

ACTOR = AuditActor.account(uuid.UUID(int=9))
HTML = {"accept": "text/html"}
NOW = datetime.now(UTC)
CASE_TABLES = ("cases", "case_messages", "deadlines", "documents", "case_keys", "case_events")


async def chunks(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def closed_long_ago(app_engine: AsyncEngine, tenant: TenantRef, case_ids: list[uuid.UUID]) -> None:
    """The tenant keeps report dossiers 730 days after closure; these cases closed 800 days ago."""
    async with create_sessionmaker(app_engine)() as session:
        await tenant_context(session, [tenant.id])
        await sync_policies(session, tenant.id, [EffectiveRule("report_dossier", "case_closed", 730, False)])
        for case_id in case_ids:
            await record_case_event(session, ACTOR, tenant.id, case_id, Trigger.CASE_CLOSED, NOW - timedelta(days=800))
        await session.commit()


async def case_ids_of(app_engine: AsyncEngine, tenant: TenantRef) -> list[uuid.UUID]:
    async with app_engine.begin() as connection:
        await connection.execute(text(f"SET LOCAL meldpunt.tenant_ids = '{{{tenant.id}}}'"))
        return list((await connection.execute(text("SELECT id FROM cases ORDER BY created_at"))).scalars())


async def rows_of(app_engine: AsyncEngine, tenant: TenantRef, case_id: uuid.UUID) -> dict[str, int]:
    counts = {}
    async with app_engine.begin() as connection:
        await connection.execute(text(f"SET LOCAL meldpunt.tenant_ids = '{{{tenant.id}}}'"))
        for table in CASE_TABLES:
            column = "id" if table == "cases" else "case_id"
            counts[table] = (
                await connection.execute(text(f"SELECT count(*) FROM {table} WHERE {column} = :c"), {"c": case_id})
            ).scalar_one()
    return counts


async def certificates(app_engine: AsyncEngine, tenant: TenantRef) -> list[Any]:
    async with app_engine.begin() as connection:
        await connection.execute(text(f"SET LOCAL meldpunt.tenant_ids = '{{{tenant.id}}}'"))
        rows = await connection.execute(
            text("SELECT resource_id, details FROM audit_entries WHERE action = 'retention.destroyed' ORDER BY seq")
        )
        return list(rows)


async def attach(
    app_engine: AsyncEngine, keyring: Keyring, store: ObjectStore, tenant: TenantRef, case_id: uuid.UUID
) -> uuid.UUID:
    async with create_sessionmaker(app_engine)() as session:
        await tenant_context(session, [tenant.id])
        document = await store_document(
            session,
            keyring,
            store,
            ACTOR,
            tenant.id,
            case_id,
            RecordClass.ATTACHMENT,
            chunks(b"x" * 5000),
            DocumentMeta("foto.jpg", "image/jpeg"),
        )
        await session.commit()
        return document.id


async def test_two_sweeps_at_once_destroy_each_case_once_with_one_true_certificate(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    tenant = await make_tenant()
    for _ in range(4):
        assert (await submit(client, tenant.slug)).status_code == 201
    cases = await case_ids_of(app_engine, tenant)
    keyring, store = Keyring(create_root_key(settings)), create_object_store(settings)
    attached = {case_id: await attach(app_engine, keyring, store, tenant, case_id) for case_id in cases[:2]}
    await closed_long_ago(app_engine, tenant, cases)
    engines = [create_async_engine(settings.database_url, pool_size=2, max_overflow=0) for _ in range(2)]
    try:
        first, second = await asyncio.gather(
            *(purge_tenant(create_sessionmaker(engine), keyring, store, tenant.id, NOW) for engine in engines)
        )
    finally:
        for engine in engines:
            await engine.dispose()
    assert len(first) + len(second) == len(cases)
    issued = await certificates(app_engine, tenant)
    assert sorted(row.resource_id for row in issued) == sorted(str(case_id) for case_id in cases)
    for row in issued:
        case_id = uuid.UUID(row.resource_id)
        named = str(attached[case_id]) if case_id in attached else ""
        assert row.details["document_ids"] == ([named] if named else [])
        assert row.details["documents"] == (1 if named else 0)
        assert row.details["key_destroyed"] is True and "cases:1" in row.details["rows"]
    assert await purge_tenant(create_sessionmaker(app_engine), keyring, store, tenant.id, NOW) == []
    assert len(await certificates(app_engine, tenant)) == len(cases)


async def test_a_destroyed_case_says_when_and_under_which_policy_to_reporter_and_reporting_point(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    tenant = await make_tenant()
    receipt = (await submit(client, tenant.slug)).json()["receipt"]
    await as_professional(client, await reporting_point(app_engine, settings, tenant, tenant))
    (case_id,) = await case_ids_of(app_engine, tenant)
    answered = await client.post(f"/api/v1/t/{tenant.slug}/submissions/{case_id}/messages", json={"text": "Dank."})
    assert answered.status_code == 201
    await closed_long_ago(app_engine, tenant, [case_id])
    keyring, store = Keyring(create_root_key(settings)), create_object_store(settings)
    (line,) = await purge_tenant(create_sessionmaker(app_engine), keyring, store, tenant.id, NOW)
    assert "whole case" in line  # no attachments, destroyed all the same
    assert await rows_of(app_engine, tenant, case_id) == dict.fromkeys(CASE_TABLES, 0)

    said = f"op {NOW:%d-%m-%Y} vernietigd volgens de bewaartermijn meldingsdossier: 730 dagen na de afsluiting"
    api = await client.get(f"/api/v1/t/{tenant.slug}/submissions/{case_id}")
    assert api.status_code == 410 and api.headers["content-type"].startswith("application/problem+json")
    assert api.json()["type"].endswith("/case-destroyed") and said in api.json()["detail"]
    english = await client.get(f"/api/v1/t/{tenant.slug}/submissions/{case_id}", headers={"Accept-Language": "en"})
    assert (
        "under the retention policy (retention period report dossier: 730 days after the closure of the case)"
        in (english.json()["detail"])
    )
    page = await client.get(f"/app/t/{tenant.slug}/meldingen/{case_id}", headers=HTML)
    assert page.status_code == 410 and said in page.text
    listing = await client.get(f"/app/t/{tenant.slug}/meldingen", headers=HTML)
    assert listing.status_code == 200 and "Vernietigd" in listing.text and str(case_id) not in listing.text
    assert (await client.get("/api/v1/submissions")).json() == []
    case_page = await client.get(f"/app/t/{tenant.slug}/zaken/{case_id}", headers=HTML)
    assert case_page.status_code == 410 and said in case_page.text
    cases = await client.get(f"/app/t/{tenant.slug}/zaken", headers=HTML)
    assert "Vernietigd" in cases.text and str(case_id) not in cases.text
    assert (await client.get(f"/api/v1/t/{tenant.slug}/cases/{case_id}/process")).status_code == 410

    # A decision maker of the same member who never sat at the case learns nothing of it, not even its end.
    client.cookies.clear()
    await as_professional(client, await reporting_point(app_engine, settings, tenant, tenant, role=Role.DECISION_MAKER))
    for address in (f"/api/v1/t/{tenant.slug}/cases/{case_id}/process", f"/app/t/{tenant.slug}/zaken/{case_id}"):
        refused = await client.get(address, headers=HTML)
        assert refused.status_code in (403, 404) and said not in refused.text and "vernietigd" not in refused.text

    client.cookies.clear()
    inbox = await client.post(f"/api/v1/public/{tenant.slug}/inbox", json={"receipt": receipt})
    assert inbox.status_code == 410 and said in inbox.json()["detail"]
    inbox_page = await client.post(f"/m/{tenant.slug}/inbox", data={"receipt": receipt}, headers=HTML)
    assert inbox_page.status_code == 410 and said in inbox_page.text


class CrashOnDelete:
    """The real store, but the process 'dies' at the first object deletion (after the key was shredded)."""

    def __init__(self, real: ObjectStore) -> None:
        self.real = real

    def __getattr__(self, name: str) -> object:
        return getattr(self.real, name)

    async def delete(self, key: str) -> None:
        raise KeyboardInterrupt("killed")


async def test_a_case_purge_cut_short_after_the_key_is_told_as_destroyed_and_finished_next_run(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    tenant = await make_tenant()
    assert (await submit(client, tenant.slug)).status_code == 201
    (case_id,) = await case_ids_of(app_engine, tenant)
    keyring, store = Keyring(create_root_key(settings)), create_object_store(settings)
    document_id = await attach(app_engine, keyring, store, tenant, case_id)
    await closed_long_ago(app_engine, tenant, [case_id])
    sessions = create_sessionmaker(app_engine)
    with pytest.raises(KeyboardInterrupt):
        await purge_tenant(sessions, keyring, CrashOnDelete(store), tenant.id, NOW)  # type: ignore[arg-type]
    assert (await rows_of(app_engine, tenant, case_id))["case_keys"] == 0  # shredded first, and durably
    await as_professional(client, await reporting_point(app_engine, settings, tenant, tenant))
    assert (await client.get(f"/api/v1/t/{tenant.slug}/submissions/{case_id}")).status_code == 410
    assert (await client.get("/api/v1/submissions")).json() == []
    assert await certificates(app_engine, tenant) == []

    (line,) = await purge_tenant(sessions, keyring, store, tenant.id, NOW)
    assert str(case_id) in line
    assert await rows_of(app_engine, tenant, case_id) == dict.fromkeys(CASE_TABLES, 0)
    (certificate,) = await certificates(app_engine, tenant)
    assert certificate.details["document_ids"] == [str(document_id)]
    assert await purge_tenant(sessions, keyring, store, tenant.id, NOW) == []


@pytest.mark.parametrize("kind", list(HoldKind))
async def test_a_legal_hold_keeps_an_advisers_consultation_until_it_is_released(
    kind: HoldKind, client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    tenant = await make_tenant()
    sessions = create_sessionmaker(app_engine)
    async with sessions() as session:
        await tenant_context(session, [tenant.id])
        await sync_policies(session, tenant.id, [EffectiveRule("adviser_note", "case_closed", 30, False)])
        await session.commit()
    await as_professional(client, await reporting_point(app_engine, settings, tenant, tenant, role=Role.ADVISER))
    adviser = await account_of(client)
    consultation = uuid.UUID(await open_with_contact(client, tenant.slug))
    assert (await client.post(f"/api/v1/t/{tenant.slug}/vault/consultations/{consultation}/closure")).status_code == 204
    keyring, later = Keyring(create_root_key(settings)), datetime.now(UTC) + timedelta(days=31)
    async with sessions() as session:
        hold = await place_hold(session, keyring, ACTOR, tenant.id, consultation, kind, "Bezwaar", consultation=True)
        await session.commit()
    assert await purge_vaults(sessions, keyring, tenant.id, later, dry_run=True) == []
    assert await purge_vaults(sessions, keyring, tenant.id, later) == []
    assert (await rows_as_app(app_engine, tenant, adviser))["consultation_contacts"] == 1
    async with sessions() as session:
        await release_hold(session, ACTOR, tenant.id, hold.id)
        await session.commit()
    assert len(await purge_vaults(sessions, keyring, tenant.id, later)) == 1
    assert await rows_as_app(app_engine, tenant, adviser) == dict.fromkeys(
        ("consultations", "consultation_contacts", "consent_records", "disclosures"), 0
    )


async def test_a_case_not_yet_due_keeps_its_key_and_rows_when_only_its_attachments_are_due(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    tenant = await make_tenant()
    assert (await submit(client, tenant.slug)).status_code == 201
    (case_id,) = await case_ids_of(app_engine, tenant)
    keyring, store = Keyring(create_root_key(settings)), create_object_store(settings)
    await attach(app_engine, keyring, store, tenant, case_id)
    async with create_sessionmaker(app_engine)() as session:
        await tenant_context(session, [tenant.id])
        await sync_policies(
            session,
            tenant.id,
            [
                EffectiveRule("report_dossier", "case_closed", 730, False),
                EffectiveRule("attachment", "case_closed", 30, False),
            ],
        )
        await record_case_event(session, ACTOR, tenant.id, case_id, Trigger.CASE_CLOSED, NOW - timedelta(days=40))
        await session.commit()
    (line,) = await purge_tenant(create_sessionmaker(app_engine), keyring, store, tenant.id, NOW)
    assert "1 document(s)" in line
    rows = await rows_of(app_engine, tenant, case_id)
    assert rows["documents"] == 0 and rows["cases"] == 1 and rows["case_keys"] == 1
    await as_professional(client, await reporting_point(app_engine, settings, tenant, tenant))
    assert (await client.get(f"/api/v1/t/{tenant.slug}/submissions/{case_id}")).status_code == 200


def test_a_tombstone_written_before_the_policy_code_keeps_its_words() -> None:
    assert PolicyWords("bewaartermijn meldingsdossier: 730 dagen na de afsluiting van de zaak").said_in("en") == (
        "bewaartermijn meldingsdossier: 730 dagen na de afsluiting van de zaak"
    )
    assert PolicyWords("attachment").said_in("en") == "retention period attachments"
    assert (
        PolicyWords("decision:1825:decision_taken").said_in("nl") == "bewaartermijn besluit: 1825 dagen na het besluit"
    )

"""Retention: due dates follow the policy; legal holds pause destruction; the purge shreds the key first,
deletes every object version and the rows, certifies it in the audit log, and finishes after a crash."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from meldpunt.audit.services import AuditActor
from meldpunt.db.context import tenant_context
from meldpunt.db.engine import create_sessionmaker
from meldpunt.dossiers.documents import Document, DocumentMeta, RecordClass, store_document
from meldpunt.dossiers.keys import Keyring, KeyUnavailable, LocalRootKey
from meldpunt.dossiers.storage import S3ObjectStore
from meldpunt.retention.models import HoldKind, Trigger
from meldpunt.retention.services import (
    EffectiveRule,
    place_hold,
    purge_tenant,
    record_case_event,
    release_hold,
    sync_policies,
)
from tests.conftest import MakeTenant, TenantRef

ACTOR = AuditActor.account(uuid.UUID(int=9))
META = DocumentMeta("verslag.pdf", "application/pdf")
NOW = datetime.now(UTC)
RULES = [
    EffectiveRule("report_dossier", "case_closed", 730, False),
    EffectiveRule("decision", "decision_taken", 1825, False),
]


async def chunks(data: bytes) -> AsyncIterator[bytes]:
    yield data


@pytest.fixture
def store(s3_endpoint: str, s3_bucket: str) -> S3ObjectStore:
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="eu-central-1")
    client.put_bucket_versioning(Bucket=s3_bucket, VersioningConfiguration={"Status": "Enabled"})
    return S3ObjectStore(client, s3_bucket, 5 * 1024 * 1024)


@pytest.fixture
def keyring(tmp_path: Path) -> Keyring:
    return Keyring(LocalRootKey(tmp_path / "root-keys.json"))


async def session_for(app_engine: AsyncEngine, tenant: TenantRef) -> AsyncSession:
    session = create_sessionmaker(app_engine)()
    await tenant_context(session, [tenant.id])
    return session


async def a_case(
    app_engine: AsyncEngine,
    tenant: TenantRef,
    keyring: Keyring,
    store: S3ObjectStore,
    *classes: RecordClass,
    closed_days_ago: int | None = None,
) -> tuple[uuid.UUID, list[Document]]:
    case_id = uuid.uuid4()
    async with await session_for(app_engine, tenant) as session:
        await sync_policies(session, tenant.id, RULES)
        documents = [
            await store_document(
                session, keyring, store, ACTOR, tenant.id, case_id, record_class, chunks(os.urandom(1000)), META
            )
            for record_class in classes
        ]
        if closed_days_ago is not None:
            await record_case_event(
                session, ACTOR, tenant.id, case_id, Trigger.CASE_CLOSED, NOW - timedelta(days=closed_days_ago)
            )
        await session.commit()
    return case_id, documents


async def due_dates(app_engine: AsyncEngine, tenant: TenantRef, case_id: uuid.UUID) -> dict[str, datetime | None]:
    async with await session_for(app_engine, tenant) as session:
        rows = await session.execute(
            text("SELECT record_class, due_at FROM documents WHERE case_id = :c"), {"c": case_id}
        )
        return {row.record_class: row.due_at for row in rows}


async def test_due_dates_follow_the_policy_and_its_trigger(
    app_engine: AsyncEngine, make_tenant: MakeTenant, keyring: Keyring, store: S3ObjectStore
) -> None:
    tenant = await make_tenant()
    case_id, _ = await a_case(
        app_engine, tenant, keyring, store, RecordClass.REPORT_DOSSIER, RecordClass.DECISION, RecordClass.ATTACHMENT
    )
    assert set((await due_dates(app_engine, tenant, case_id)).values()) == {None}
    closed, decided = NOW - timedelta(days=3), NOW - timedelta(days=1)
    async with await session_for(app_engine, tenant) as session:
        await record_case_event(session, ACTOR, tenant.id, case_id, Trigger.CASE_CLOSED, closed)
        await record_case_event(session, ACTOR, tenant.id, case_id, Trigger.DECISION_TAKEN, decided)
        await session.commit()
    assert await due_dates(app_engine, tenant, case_id) == {
        "report_dossier": closed + timedelta(days=730),
        "decision": decided + timedelta(days=1825),
        "attachment": None,  # no policy for attachments in this tenant: never due
    }


async def test_a_legal_hold_blocks_the_purge_and_its_release_resumes_it(
    app_engine: AsyncEngine, make_tenant: MakeTenant, keyring: Keyring, store: S3ObjectStore
) -> None:
    tenant = await make_tenant()
    sessions = create_sessionmaker(app_engine)
    case_id, (document,) = await a_case(
        app_engine, tenant, keyring, store, RecordClass.REPORT_DOSSIER, closed_days_ago=800
    )
    async with await session_for(app_engine, tenant) as session:
        hold = await place_hold(
            session, keyring, ACTOR, tenant.id, case_id, HoldKind.COURT_PROCEEDINGS, "Procedure bij de kantonrechter"
        )
        await session.commit()
        assert b"kantonrechter" not in hold.sealed_reason
    assert await purge_tenant(sessions, keyring, store, tenant.id, NOW) == []
    assert await store.exists(document.object_key)
    async with await session_for(app_engine, tenant) as session:
        await release_hold(session, ACTOR, tenant.id, hold.id)
        await session.commit()
    lines = await purge_tenant(sessions, keyring, store, tenant.id, NOW)
    assert len(lines) == 1 and str(case_id) in lines[0]
    assert not await store.exists(document.object_key)


async def test_after_the_purge_key_objects_and_rows_are_gone_and_a_certificate_is_logged(
    app_engine: AsyncEngine,
    make_tenant: MakeTenant,
    keyring: Keyring,
    store: S3ObjectStore,
    s3_endpoint: str,
    s3_bucket: str,
) -> None:
    tenant = await make_tenant()
    case_id, documents = await a_case(
        app_engine, tenant, keyring, store, RecordClass.REPORT_DOSSIER, RecordClass.REPORT_DOSSIER, closed_days_ago=731
    )
    # A second stored version of the first object, as an overwrite would leave.
    copy = b"".join([chunk async for chunk in store.get(documents[0].object_key)])
    await store.put(documents[0].object_key, chunks(copy))
    await purge_tenant(create_sessionmaker(app_engine), keyring, store, tenant.id, NOW)
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="eu-central-1")
    listing = client.list_object_versions(Bucket=s3_bucket, Prefix=f"tenant/{tenant.id}/")
    assert listing.get("Versions", []) == [] and listing.get("DeleteMarkers", []) == []
    async with await session_for(app_engine, tenant) as session:
        assert (await session.execute(text("SELECT count(*) FROM documents"))).scalar_one() == 0
        with pytest.raises(KeyUnavailable):  # the kept copy of the ciphertext can never be read again
            await keyring.case_key(session, tenant.id, case_id)
        certificate = (
            await session.execute(
                text("SELECT action, resource_id, details FROM audit_entries ORDER BY seq DESC LIMIT 1")
            )
        ).one()
    assert certificate.action == "retention.destroyed" and certificate.resource_id == str(case_id)
    assert certificate.details == {
        "record_classes": "report_dossier",
        "documents": 2,
        "document_ids": sorted(str(d.id) for d in documents),
        "rows": ["case_events:1"],
        "policies": "report_dossier:730d-after-case_closed",
        "key_destroyed": True,
        "whole_case": True,
    }


class CrashOnDelete:
    """The real store, but the process 'dies' at the first object deletion (after the key was shredded)."""

    def __init__(self, real: S3ObjectStore) -> None:
        self.real = real

    def __getattr__(self, name: str) -> object:
        return getattr(self.real, name)

    async def delete(self, key: str) -> None:
        raise KeyboardInterrupt("killed")


async def test_a_purge_killed_between_shredding_and_deleting_completes_on_the_next_run(
    app_engine: AsyncEngine, make_tenant: MakeTenant, keyring: Keyring, store: S3ObjectStore
) -> None:
    tenant = await make_tenant()
    sessions = create_sessionmaker(app_engine)
    case_id, (document,) = await a_case(
        app_engine, tenant, keyring, store, RecordClass.REPORT_DOSSIER, closed_days_ago=1000
    )
    with pytest.raises(KeyboardInterrupt):
        await purge_tenant(sessions, keyring, CrashOnDelete(store), tenant.id, NOW)  # type: ignore[arg-type]
    async with await session_for(app_engine, tenant) as session:
        with pytest.raises(KeyUnavailable):
            await keyring.case_key(session, tenant.id, case_id)  # shredded first, and durably
        assert (await session.execute(text("SELECT count(*) FROM documents"))).scalar_one() == 1
    assert await store.exists(document.object_key)
    lines = await purge_tenant(sessions, keyring, store, tenant.id, NOW)
    assert len(lines) == 1
    assert not await store.exists(document.object_key)
    async with await session_for(app_engine, tenant) as session:
        assert (await session.execute(text("SELECT count(*) FROM documents"))).scalar_one() == 0
        details = (
            await session.execute(text("SELECT details FROM audit_entries WHERE action = 'retention.destroyed'"))
        ).scalar_one()
    assert details["key_destroyed"] is True


async def test_the_dry_run_lists_what_and_why_and_changes_nothing(
    app_engine: AsyncEngine, make_tenant: MakeTenant, keyring: Keyring, store: S3ObjectStore
) -> None:
    tenant = await make_tenant()
    case_id, (document,) = await a_case(
        app_engine, tenant, keyring, store, RecordClass.REPORT_DOSSIER, closed_days_ago=740
    )

    async def state() -> list[int]:
        counts = []
        async with await session_for(app_engine, tenant) as session:
            for table in ("documents", "case_keys", "audit_entries"):
                counts.append((await session.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one())
        return counts

    before = await state()
    lines = await purge_tenant(create_sessionmaker(app_engine), keyring, store, tenant.id, NOW, dry_run=True)
    assert lines == [
        f"would destroy case {case_id}: whole case (key shredded); report_dossier; due since "
        f"{(NOW - timedelta(days=10)):%Y-%m-%d}"
    ]
    assert await state() == before
    assert await store.exists(document.object_key)


async def test_only_due_documents_go_while_the_case_key_stays_for_the_rest(
    app_engine: AsyncEngine, make_tenant: MakeTenant, keyring: Keyring, store: S3ObjectStore
) -> None:
    tenant = await make_tenant()
    case_id, (report, decision) = await a_case(
        app_engine, tenant, keyring, store, RecordClass.REPORT_DOSSIER, RecordClass.DECISION, closed_days_ago=731
    )
    await purge_tenant(create_sessionmaker(app_engine), keyring, store, tenant.id, NOW)
    assert not await store.exists(report.object_key) and await store.exists(decision.object_key)
    async with await session_for(app_engine, tenant) as session:
        await keyring.case_key(session, tenant.id, case_id)  # still there: the decision is not due
        details = (
            await session.execute(text("SELECT details FROM audit_entries WHERE action = 'retention.destroyed'"))
        ).scalar_one()
    assert details["whole_case"] is False and details["key_destroyed"] is False


async def test_members_inherit_the_branch_defaults_and_may_only_tighten_them(
    settings, app_engine: AsyncEngine, tmp_path: Path, repo_root: Path
) -> None:
    from meldpunt.provisioning.files import TenantFileError
    from meldpunt.provisioning.services import apply_tenants_from_path
    from tests.integration.provisioning.test_tenants_apply import branch_folder

    folder, slugs = branch_folder(tmp_path, repo_root)
    await apply_tenants_from_path(settings, folder)
    async with app_engine.begin() as connection:
        ids = {
            slug: (await connection.execute(text("SELECT id FROM tenants WHERE slug = :s"), {"s": slug})).scalar_one()
            for slug in (slugs["de-linde"], slugs["het-anker"])
        }
        await connection.execute(text("SET LOCAL meldpunt.tenant_ids = '{" + ",".join(map(str, ids.values())) + "}'"))
        rows = await connection.execute(
            text("SELECT tenant_id, days, inherited FROM retention_policies WHERE record_class = 'adviser_note'")
        )
        policies = {row.tenant_id: (row.days, row.inherited) for row in rows}
    assert policies[ids[slugs["de-linde"]]] == (180, False)  # its own, shorter rule
    assert policies[ids[slugs["het-anker"]]] == (365, True)  # the branch's default
    looser = folder / "members" / f"{slugs['het-anker']}.yaml"
    looser.write_text(looser.read_text() + "retention:\n  adviser_note: {after: case_closed, days: 999}\n")
    with pytest.raises(TenantFileError, match=r"retention\.adviser_note\.days'.*longer than the branch's 365"):
        await apply_tenants_from_path(settings, folder)


async def test_a_tenants_purge_never_touches_another_tenant(
    app_engine: AsyncEngine, make_tenant: MakeTenant, keyring: Keyring, store: S3ObjectStore
) -> None:
    a, b = await make_tenant(), await make_tenant()
    _, (document,) = await a_case(app_engine, a, keyring, store, RecordClass.REPORT_DOSSIER, closed_days_ago=900)
    assert await purge_tenant(create_sessionmaker(app_engine), keyring, store, b.id, NOW) == []
    assert await store.exists(document.object_key)


def test_the_sweep_command_dry_run_changes_nothing(settings, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from meldpunt.cli import main

    monkeypatch.setenv("MELDPUNT_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("MELDPUNT_LOG_LEVEL", "warning")
    result = CliRunner().invoke(main, ["retention", "sweep", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert all(line.startswith("would destroy") or line == "nothing is due" for line in result.output.splitlines())

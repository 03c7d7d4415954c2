"""Encrypted documents: round trips through S3 (moto) under a local or KMS root key, tamper evidence,
binding to tenant/case/document, key rotation without re-encryption, isolation, flat memory, audit."""

from __future__ import annotations

import os
import tracemalloc
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import boto3
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from meldpunt.audit.services import AuditActor
from meldpunt.db.context import tenant_context
from meldpunt.db.engine import create_sessionmaker
from meldpunt.dossiers.crypto import DecryptionFailed, associated_data, decrypt_text, encrypt_text
from meldpunt.dossiers.documents import DocumentMeta, DocumentNotFound, RecordClass, open_document, store_document
from meldpunt.dossiers.keys import Keyring, KeyUnavailable, KmsRootKey, LocalRootKey
from meldpunt.dossiers.storage import DirectoryObjectStore, ObjectStore, S3ObjectStore
from tests.conftest import MakeTenant, TenantRef

MARKER = b"MELDPUNT-PLAINTEXT-MARKER-"
ACTOR = AuditActor.account(uuid.UUID(int=42))
META = DocumentMeta("gespreksverslag-jan-de-vries.pdf", "application/pdf", "Verslag eerste gesprek")


def plaintext_of(size: int) -> bytes:
    block = (MARKER + os.urandom(64)) * 64
    return (block * (size // len(block) + 1))[:size]


async def chunks_of(data: bytes, size: int = 256 * 1024) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


async def read(opened_content: AsyncIterator[bytes]) -> bytes:
    return b"".join([chunk async for chunk in opened_content])


@pytest.fixture
def s3_store(s3_endpoint: str, s3_bucket: str) -> S3ObjectStore:
    return S3ObjectStore(
        boto3.client("s3", endpoint_url=s3_endpoint, region_name="eu-central-1"), s3_bucket, 5 * 1024 * 1024
    )


@pytest.fixture
def local_keyring(tmp_path: Path) -> Keyring:
    return Keyring(LocalRootKey(tmp_path / "root-keys.json"))


@pytest.fixture
def kms_keyring(s3_endpoint: str) -> Keyring:
    client = boto3.client("kms", endpoint_url=s3_endpoint, region_name="eu-central-1")
    key_id = client.create_key(Description="meldpunt test root")["KeyMetadata"]["KeyId"]
    return Keyring(KmsRootKey(client, key_id))


async def in_context(app_engine: AsyncEngine, tenant: TenantRef) -> AsyncSession:
    session = create_sessionmaker(app_engine)()
    await tenant_context(session, [tenant.id])
    return session


@pytest.mark.parametrize("size", [0, 1, (1 << 20) - 1, 3_500_000, 50_000_000])
async def test_documents_round_trip_and_storage_never_sees_plaintext(
    app_engine: AsyncEngine,
    make_tenant: MakeTenant,
    local_keyring: Keyring,
    s3_store: S3ObjectStore,
    s3_endpoint: str,
    s3_bucket: str,
    size: int,
) -> None:
    tenant, case_id, data = await make_tenant(), uuid.uuid4(), plaintext_of(size)
    async with await in_context(app_engine, tenant) as session:
        document = await store_document(
            session,
            local_keyring,
            s3_store,
            ACTOR,
            tenant.id,
            case_id,
            RecordClass.REPORT_DOSSIER,
            chunks_of(data),
            META,
        )
        await session.commit()
        assert document.size_bytes == size
        stored = (
            boto3.client("s3", endpoint_url=s3_endpoint, region_name="eu-central-1")
            .get_object(Bucket=s3_bucket, Key=document.object_key)["Body"]
            .read()
        )
        assert MARKER not in stored and (size == 0 or stored != data)
        assert META.filename.encode() not in document.sealed_meta and "jan" not in document.object_key
        opened = await open_document(session, local_keyring, s3_store, ACTOR, tenant.id, document.id)
        assert opened.meta == META
        assert await read(opened.content) == data


async def test_a_kms_root_key_works_the_same(
    app_engine: AsyncEngine, make_tenant: MakeTenant, kms_keyring: Keyring, s3_store: S3ObjectStore
) -> None:
    tenant, data = await make_tenant(), plaintext_of(2_000_000)
    async with await in_context(app_engine, tenant) as session:
        document = await store_document(
            session, kms_keyring, s3_store, ACTOR, tenant.id, uuid.uuid4(), RecordClass.ADVICE, chunks_of(data), META
        )
        await session.commit()
        assert (
            await read((await open_document(session, kms_keyring, s3_store, ACTOR, tenant.id, document.id)).content)
            == data
        )


async def tampered(store: S3ObjectStore, key: str, change: str) -> None:
    stored = bytearray(b"".join([chunk async for chunk in store.get(key)]))
    if change == "flip":
        stored[len(stored) // 2] ^= 0x01
    else:
        del stored[-100:]
    await store.put(key, chunks_of(bytes(stored)))


@pytest.mark.parametrize("change", ["flip", "truncate"])
async def test_a_flipped_bit_or_a_truncated_object_fails_to_decrypt(
    app_engine: AsyncEngine, make_tenant: MakeTenant, local_keyring: Keyring, s3_store: S3ObjectStore, change: str
) -> None:
    tenant = await make_tenant()
    async with await in_context(app_engine, tenant) as session:
        document = await store_document(
            session,
            local_keyring,
            s3_store,
            ACTOR,
            tenant.id,
            uuid.uuid4(),
            RecordClass.DECISION,
            chunks_of(plaintext_of(3_000_000)),
            META,
        )
        await session.commit()
        await tampered(s3_store, document.object_key, change)
        opened = await open_document(session, local_keyring, s3_store, ACTOR, tenant.id, document.id)
        with pytest.raises(DecryptionFailed, match="altered, truncated"):
            await read(opened.content)


async def test_an_object_moved_to_another_case_or_document_fails_to_decrypt(
    app_engine: AsyncEngine, make_tenant: MakeTenant, local_keyring: Keyring, s3_store: S3ObjectStore
) -> None:
    tenant = await make_tenant()
    async with await in_context(app_engine, tenant) as session:
        first = await store_document(
            session,
            local_keyring,
            s3_store,
            ACTOR,
            tenant.id,
            uuid.uuid4(),
            RecordClass.SANCTION,
            chunks_of(plaintext_of(100_000)),
            META,
        )
        other_case = await store_document(
            session,
            local_keyring,
            s3_store,
            ACTOR,
            tenant.id,
            uuid.uuid4(),
            RecordClass.SANCTION,
            chunks_of(plaintext_of(100_000)),
            META,
        )
        same_case = await store_document(
            session,
            local_keyring,
            s3_store,
            ACTOR,
            tenant.id,
            first.case_id,
            RecordClass.SANCTION,
            chunks_of(plaintext_of(100_000)),
            META,
        )
        await session.commit()
        for target in (other_case, same_case):
            moved = b"".join([chunk async for chunk in s3_store.get(first.object_key)])
            await s3_store.put(target.object_key, chunks_of(moved))
            opened = await open_document(session, local_keyring, s3_store, ACTOR, tenant.id, target.id)
            with pytest.raises(DecryptionFailed):
                await read(opened.content)


async def test_text_fields_are_bound_to_their_field(
    app_engine: AsyncEngine, make_tenant: MakeTenant, local_keyring: Keyring
) -> None:
    tenant, case_id, field_id = await make_tenant(), uuid.uuid4(), uuid.uuid4()
    async with await in_context(app_engine, tenant) as session:
        material = await local_keyring.case_key(session, tenant.id, case_id, create=True)
        aad = associated_data(tenant.id, case_id, field_id, "description")
        sealed = encrypt_text(material, "Hij raakte me steeds aan bij de koffieautomaat.", aad)
        assert b"koffie" not in sealed
        assert decrypt_text(material, sealed, aad).startswith("Hij raakte")
        with pytest.raises(DecryptionFailed):
            decrypt_text(material, sealed, associated_data(tenant.id, case_id, uuid.uuid4(), "description"))


async def test_rotation_rewraps_keys_without_touching_files(
    app_engine: AsyncEngine, make_tenant: MakeTenant, tmp_path: Path, s3_store: S3ObjectStore
) -> None:
    root = LocalRootKey(tmp_path / "root-keys.json")
    keyring = Keyring(root)
    tenant = await make_tenant()
    data = {uuid.uuid4(): plaintext_of(500_000) for _ in range(3)}
    async with await in_context(app_engine, tenant) as session:
        documents = {
            case_id: await store_document(
                session, keyring, s3_store, ACTOR, tenant.id, case_id, RecordClass.ATTACHMENT, chunks_of(content), META
            )
            for case_id, content in data.items()
        }
        await session.commit()
        before = {d.object_key: b"".join([c async for c in s3_store.get(d.object_key)]) for d in documents.values()}
        wrapped_before = set((await session.execute(text("SELECT wrapped FROM case_keys"))).scalars())
        epoch, rewrapped = await keyring.rotate_tenant(session, tenant.id)
        await session.commit()
        assert (epoch, rewrapped) == (2, 3)
        assert list((await session.execute(text("SELECT epoch FROM tenant_keys"))).scalars()) == [2]
        assert not wrapped_before & set((await session.execute(text("SELECT wrapped FROM case_keys"))).scalars())
        old_root = root.current_id()
        new_root, tenant_keys = await keyring.rotate_root(session)
        await session.commit()
        assert new_root != old_root and tenant_keys == 1
        with pytest.raises(KeyUnavailable):
            root.unwrap(old_root, b"x" * 40, {})
        for case_id, document in documents.items():
            opened = await open_document(session, keyring, s3_store, ACTOR, tenant.id, document.id)
            assert await read(opened.content) == data[case_id]
            assert b"".join([c async for c in s3_store.get(document.object_key)]) == before[document.object_key]


async def test_keys_and_documents_are_isolated_between_tenants(
    app_engine: AsyncEngine, make_tenant: MakeTenant, local_keyring: Keyring, s3_store: S3ObjectStore
) -> None:
    a, b = await make_tenant(), await make_tenant()
    async with await in_context(app_engine, a) as session:
        document = await store_document(
            session,
            local_keyring,
            s3_store,
            ACTOR,
            a.id,
            uuid.uuid4(),
            RecordClass.INTERVIEW_RECORD,
            chunks_of(plaintext_of(10_000)),
            META,
        )
        await session.commit()
        wrapped = (await session.execute(text("SELECT wrapped FROM case_keys"))).scalar_one()
    async with await in_context(app_engine, b) as session:
        for table in ("documents", "case_keys", "tenant_keys"):
            assert (await session.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one() == 0
        with pytest.raises(DocumentNotFound):
            await open_document(session, local_keyring, s3_store, ACTOR, b.id, document.id)
        # A's wrapped case key copied into B's tenant does not unwrap there (bound to tenant and case).
        await local_keyring.case_key(session, b.id, uuid.uuid4(), create=True)
        await session.execute(
            text("INSERT INTO case_keys (tenant_id, case_id, epoch, wrapped) VALUES (:t, :c, 1, :w)"),
            {"t": b.id, "c": document.case_id, "w": wrapped},
        )
        with pytest.raises(KeyUnavailable):
            await local_keyring.case_key(session, b.id, document.case_id)


async def test_writes_and_reads_are_audited_without_content(
    app_engine: AsyncEngine, make_tenant: MakeTenant, local_keyring: Keyring, s3_store: S3ObjectStore
) -> None:
    tenant = await make_tenant()
    async with await in_context(app_engine, tenant) as session:
        document = await store_document(
            session,
            local_keyring,
            s3_store,
            ACTOR,
            tenant.id,
            uuid.uuid4(),
            RecordClass.ADVISER_NOTE,
            chunks_of(b"notitie"),
            META,
        )
        await open_document(session, local_keyring, s3_store, ACTOR, tenant.id, document.id)
        await session.commit()
        rows = (await session.execute(text("SELECT action, details::text FROM audit_entries ORDER BY seq"))).all()
    assert [row.action for row in rows] == ["document.create", "document.read"]
    assert all(META.filename not in row.details and "notitie" not in row.details for row in rows)


async def test_memory_stays_flat_through_encrypt_upload_and_download(
    app_engine: AsyncEngine, make_tenant: MakeTenant, local_keyring: Keyring, tmp_path: Path
) -> None:
    store: ObjectStore = DirectoryObjectStore(tmp_path / "objects")
    tenant, size = await make_tenant(), 96 * 1024 * 1024

    async def generated() -> AsyncIterator[bytes]:
        block = os.urandom(1 << 20)
        for _ in range(size >> 20):
            yield block

    async with await in_context(app_engine, tenant) as session:
        tracemalloc.start()
        try:
            document = await store_document(
                session, local_keyring, store, ACTOR, tenant.id, uuid.uuid4(), RecordClass.ATTACHMENT, generated(), META
            )
            opened = await open_document(session, local_keyring, store, ACTOR, tenant.id, document.id)
            total = 0
            async for chunk in opened.content:
                total += len(chunk)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert total == size
    assert peak < 16 * 1024 * 1024, f"peak {peak / 2**20:.1f} MiB for a {size >> 20} MiB document"


async def test_the_rotate_command_rewraps_and_every_document_still_decrypts(
    postgres_superuser_url: str, tmp_path: Path, s3_store: S3ObjectStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In a database of its own: `--root` re-wraps every tenant key there is, as it would in production."""
    import asyncio
    import json
    import secrets

    from click.testing import CliRunner
    from sqlalchemy.ext.asyncio import create_async_engine

    from meldpunt.cli import main
    from meldpunt.db.bootstrap import migrate
    from meldpunt.settings import Settings
    from tests.conftest import MigratedDatabase, create_database, drop_database

    name = f"meldpunt_keys_{secrets.token_hex(4)}"
    await create_database(postgres_superuser_url, name)
    database = MigratedDatabase(postgres_superuser_url, name)
    superuser = postgres_superuser_url.split("//", 1)[1].split("@", 1)[0] or "postgres"
    await migrate(Settings(database_url=database.app_url, migration_database_url=database.url(superuser)))
    engine = create_async_engine(database.app_url)
    try:
        tenant = TenantRef(uuid.uuid4(), f"t-{secrets.token_hex(4)}")
        async with engine.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO tenants (id, slug, kind, display_name, locale, sector_code, branch_services, "
                    "branding, identity_provider, procedure) "
                    "VALUES (:i, :s, 'branch', 'X', 'nl', '88', '{}', '{}', '{}', '{}')"
                ),
                {"i": tenant.id, "s": tenant.slug},
            )
        key_file = tmp_path / "root-keys.json"
        data = plaintext_of(300_000)
        async with await in_context(engine, tenant) as session:
            document = await store_document(
                session,
                Keyring(LocalRootKey(key_file)),
                s3_store,
                ACTOR,
                tenant.id,
                uuid.uuid4(),
                RecordClass.ADVICE,
                chunks_of(data),
                META,
            )
            await session.commit()
        first_root = json.loads(key_file.read_text())["current"]
        monkeypatch.setenv("MELDPUNT_DATABASE_URL", database.app_url)
        monkeypatch.setenv("MELDPUNT_ROOT_KEY_FILE", str(key_file))
        monkeypatch.setenv("MELDPUNT_LOG_LEVEL", "warning")
        result = await asyncio.to_thread(
            CliRunner().invoke, main, ["keys", "rotate", "--root", "--tenant", tenant.slug]
        )
        assert result.exit_code == 0, result.output
        assert f"tenant {tenant.slug}: key epoch 2, 1 case keys re-wrapped" in result.output
        keys_now = json.loads(key_file.read_text())["keys"]
        assert first_root not in keys_now and len(keys_now) == 1  # the old wrapping is gone
        async with await in_context(engine, tenant) as session:
            opened = await open_document(
                session, Keyring(LocalRootKey(key_file)), s3_store, ACTOR, tenant.id, document.id
            )
            assert await read(opened.content) == data
    finally:
        await engine.dispose()
        await drop_database(postgres_superuser_url, name)


async def test_the_periodic_job_rotates_tenant_keys_older_than_the_period(
    app_engine: AsyncEngine,
    make_tenant: MakeTenant,
    tmp_path: Path,
    s3_store: S3ObjectStore,
    settings,
    owner_engine: AsyncEngine,
) -> None:
    from msgspec.structs import replace

    from meldpunt.dossiers.jobs import rotate_tenant_keys
    from meldpunt.jobs.runtime import JobRuntime, install_runtime

    key_file = tmp_path / "root-keys.json"
    keyring = Keyring(LocalRootKey(key_file))
    old, young, data = await make_tenant(), await make_tenant(), plaintext_of(1000)
    documents = {}
    for tenant in (old, young):
        async with await in_context(app_engine, tenant) as session:
            documents[tenant.id] = await store_document(
                session, keyring, s3_store, ACTOR, tenant.id, uuid.uuid4(), RecordClass.ADVICE, chunks_of(data), META
            )
            await session.commit()
    async with owner_engine.begin() as connection:
        await connection.execute(text(f"SET LOCAL meldpunt.tenant_ids = '{{{old.id}}}'"))
        await connection.execute(text("UPDATE tenant_keys SET created_at = now() - interval '40 days'"))
    runtime = JobRuntime(replace(settings, root_key_file=str(key_file), tenant_key_rotation_days=30))
    install_runtime(runtime)
    try:
        await rotate_tenant_keys()
    finally:
        install_runtime(None)
        await runtime.close()
    for tenant, epoch in ((old, 2), (young, 1)):
        async with await in_context(app_engine, tenant) as session:
            assert list((await session.execute(text("SELECT epoch FROM tenant_keys"))).scalars()) == [epoch]
            opened = await open_document(session, keyring, s3_store, ACTOR, tenant.id, documents[tenant.id].id)
            assert await read(opened.content) == data


async def test_a_case_key_is_unwrapped_once_a_session_and_forgotten_on_rollback_or_destruction(
    app_engine: AsyncEngine, make_tenant: MakeTenant, local_keyring: Keyring
) -> None:
    tenant = await make_tenant()
    session = await in_context(app_engine, tenant)
    try:
        case_id = uuid.uuid4()
        made = await local_keyring.case_key(session, tenant.id, case_id, create=True)
        unwraps = []
        original = local_keyring.root.unwrap
        local_keyring.root.unwrap = lambda *args: unwraps.append(args) or original(*args)  # type: ignore[method-assign]
        assert await local_keyring.case_key(session, tenant.id, case_id) is made
        assert unwraps == []  # no second unwrap in the same session
        await session.rollback()  # the key was never committed: it does not exist
        await tenant_context(session, [tenant.id])
        with pytest.raises(KeyUnavailable):
            await local_keyring.case_key(session, tenant.id, case_id)
        kept = uuid.uuid4()
        await local_keyring.case_key(session, tenant.id, kept, create=True)
        await local_keyring.destroy_case_key(session, tenant.id, kept)
        with pytest.raises(KeyUnavailable):
            await local_keyring.case_key(session, tenant.id, kept)
    finally:
        await session.close()

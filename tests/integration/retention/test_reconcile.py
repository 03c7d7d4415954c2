"""Reconciliation: a process SIGKILLed mid-upload leaves a complete object without a row and a temporary
file (directory) or an open multipart upload (S3); after the grace period the reconciliation removes them,
and leaves every document that has a row intact."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from meldpunt.audit.services import AuditActor
from meldpunt.db.context import tenant_context
from meldpunt.db.engine import create_sessionmaker
from meldpunt.dossiers.documents import DocumentMeta, RecordClass, open_document, store_document
from meldpunt.dossiers.keys import Keyring, LocalRootKey
from meldpunt.dossiers.storage import ObjectStore
from meldpunt.retention.reconcile import reconcile_store
from meldpunt.settings import Settings
from tests.conftest import MakeTenant
from tests.support.killed_upload import store_for

ACTOR = AuditActor.system("test")
REAL = os.urandom(3 * 1024 * 1024)


async def once(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def wait_for(condition: Callable[[], object], what: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while not await condition():  # type: ignore[misc]
        if process.poll() is not None:
            raise AssertionError(f"the uploading process ended before {what}: {process.stderr.read()!r}")  # type: ignore[union-attr]
        if time.monotonic() > deadline:
            process.kill()
            raise AssertionError(f"no {what} within 60 s")
        time.sleep(0.05)


@pytest.fixture(params=["directory", "s3"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, str]:
    if request.param == "directory":
        return "directory", str(tmp_path / "objects")
    endpoint, bucket = request.getfixturevalue("s3_endpoint"), request.getfixturevalue("s3_bucket")
    return "s3", f"{endpoint},{bucket}"


async def test_a_killed_upload_leaves_leftovers_that_reconciliation_removes_after_the_grace_period(
    backend: tuple[str, str], make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    tenant = await make_tenant()
    store = store_for(*backend)
    keyring = Keyring(LocalRootKey(Path(settings.root_key_file)))
    sessions = create_sessionmaker(app_engine)
    async with sessions() as session:
        await tenant_context(session, [tenant.id])
        real = await store_document(
            session,
            keyring,
            store,
            ACTOR,
            tenant.id,
            uuid.uuid4(),
            RecordClass.ATTACHMENT,
            once(REAL),
            DocumentMeta("verslag.pdf", "application/pdf"),
        )
        await session.commit()

    uploading = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.support.killed_upload",
            *backend,
            settings.database_url,
            settings.root_key_file,
            str(tenant.id),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )

    async def mid_upload() -> bool:
        for upload in [u async for u in store.list_incomplete()]:
            if backend[0] == "directory" and Path(upload.handle).stat().st_size > 1024 * 1024:
                return True
            if backend[0] == "s3":
                endpoint, bucket = backend[1].split(",")
                client = boto3.client("s3", endpoint_url=endpoint, region_name="eu-central-1")
                if client.list_parts(Bucket=bucket, Key=upload.key, UploadId=upload.handle).get("Parts"):
                    return True
        return False

    await wait_for(mid_upload, "upload in progress", uploading)
    uploading.send_signal(signal.SIGKILL)
    uploading.wait(timeout=10)
    objects = {item.key async for item in store.list_objects()}
    assert len(objects) == 2 and real.object_key in objects  # the real one, and one that no row names
    assert len([u async for u in store.list_incomplete()]) == 1

    now = datetime.now(UTC)
    assert await reconcile_store(sessions, store, now, timedelta(hours=24)) == []  # within the grace period
    dry = await reconcile_store(sessions, store, now, timedelta(0), dry_run=True)
    assert len(dry) == 2 and all(line.startswith("would remove") for line in dry)
    lines = await reconcile_store(sessions, store, now, timedelta(0))
    assert sorted(line.split()[1] for line in lines) == ["incomplete", "object"]
    assert {item.key async for item in store.list_objects()} == {real.object_key}
    assert [u async for u in store.list_incomplete()] == []
    async with sessions() as session:
        await tenant_context(session, [tenant.id])
        opened = await open_document(session, keyring, store, ACTOR, tenant.id, real.id)
        assert b"".join([chunk async for chunk in opened.content]) == REAL
    assert await reconcile_store(sessions, store, datetime.now(UTC), timedelta(0)) == []


async def test_reconciliation_never_removes_the_audit_logs_anchors(
    backend: tuple[str, str], app_engine: AsyncEngine
) -> None:
    """Public keys, wrapped signing keys and checkpoints have no document row by design (DESIGN §13)."""
    store = store_for(*backend)
    anchors = [f"audit/keys/{uuid.uuid4().hex}", f"audit/{uuid.uuid4()}/checkpoints/latest"]
    for key in anchors:
        await store.put(key, once(b"anchor"))
    lines = await reconcile_store(create_sessionmaker(app_engine), store, datetime.now(UTC), timedelta(0))
    assert lines == []
    for key in anchors:
        assert b"".join([chunk async for chunk in store.get(key)]) == b"anchor"


def test_the_reconcile_command_dry_run_lists_a_leftover_and_keeps_it(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from meldpunt.cli import main

    leftover = tmp_path / "tenant" / str(uuid.uuid4()) / "case" / str(uuid.uuid4()) / ".incoming-abc"
    leftover.parent.mkdir(parents=True)
    leftover.write_bytes(b"half")
    monkeypatch.setenv("MELDPUNT_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("MELDPUNT_STORAGE_BACKEND", "directory")
    monkeypatch.setenv("MELDPUNT_STORAGE_DIRECTORY", str(tmp_path))
    monkeypatch.setenv("MELDPUNT_LOG_LEVEL", "warning")
    result = CliRunner().invoke(main, ["retention", "reconcile", "--dry-run", "--grace-seconds", "0"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("would remove incomplete upload of tenant/") and leftover.exists()
    result = CliRunner().invoke(main, ["retention", "reconcile"])  # the default grace period: too young
    assert result.output.strip() == "nothing to reconcile" and leftover.exists()


_ = ObjectStore  # the interface the listing functions belong to

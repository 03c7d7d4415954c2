"""A process that stores documents through dossiers the way a web process does and is killed mid-upload:
``python -m tests.support.killed_upload BACKEND TARGET DATABASE_URL ROOT_KEY_FILE TENANT_ID``.

It stores one small document completely (its object is written, its row is not committed yet), then
streams a second, large one without end; the test SIGKILLs it while the second is being written, which
leaves a complete object without a row and a temporary file (directory) or an open multipart upload (S3).
BACKEND is ``directory`` (TARGET: the directory) or ``s3`` (TARGET: ``endpoint,bucket``).
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import boto3
from sqlalchemy.ext.asyncio import create_async_engine

from meldpunt.audit.services import AuditActor
from meldpunt.db.context import tenant_context
from meldpunt.db.engine import create_sessionmaker
from meldpunt.dossiers.documents import DocumentMeta, RecordClass, store_document
from meldpunt.dossiers.keys import Keyring, LocalRootKey
from meldpunt.dossiers.signing import install_signer
from meldpunt.dossiers.storage import DirectoryObjectStore, ObjectStore, S3ObjectStore
from meldpunt.models import load_all_models
from meldpunt.settings import Settings

PART = 5 * 1024 * 1024


def store_for(backend: str, target: str) -> ObjectStore:
    if backend == "directory":
        return DirectoryObjectStore(Path(target))
    endpoint, bucket = target.split(",")
    return S3ObjectStore(boto3.client("s3", endpoint_url=endpoint, region_name="eu-central-1"), bucket, PART)


async def once(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def endless() -> AsyncIterator[bytes]:
    while True:
        yield os.urandom(1024 * 1024)
        await asyncio.sleep(0.01)


async def main(backend: str, target: str, database_url: str, root_key_file: str, tenant: str) -> None:
    load_all_models()  # every table, so that the foreign keys resolve
    # Like every process, it signs its audit entries; its signing key is kept apart from the store under test.
    install_signer(Settings(env="test", root_key_file=root_key_file, storage_directory=tempfile.mkdtemp()))
    tenant_id, case_id, actor = uuid.UUID(tenant), uuid.uuid4(), AuditActor.system("upload")
    store, keyring = store_for(backend, target), Keyring(LocalRootKey(Path(root_key_file)))
    engine = create_async_engine(database_url)
    async with create_sessionmaker(engine)() as session:
        await tenant_context(session, [tenant_id])
        await keyring.case_key(session, tenant_id, case_id, create=True)
        await session.commit()  # the case key exists, as it does once a report was registered
        meta = DocumentMeta("bijlage.pdf", "application/pdf")
        await store_document(
            session, keyring, store, actor, tenant_id, case_id, RecordClass.ATTACHMENT, once(b"a" * 1000), meta
        )
        print("first stored", flush=True)
        await store_document(
            session, keyring, store, actor, tenant_id, case_id, RecordClass.ATTACHMENT, endless(), meta
        )


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:6]))

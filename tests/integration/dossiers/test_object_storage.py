"""Object storage: both backends stream, keep no half objects, and delete every version."""

from __future__ import annotations

import os
import tracemalloc
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import boto3
import pytest
from msgspec.structs import replace

from meldpunt.dossiers.storage import (
    DirectoryObjectStore,
    InvalidObjectKey,
    ObjectNotFound,
    ObjectStore,
    S3ObjectStore,
    StorageUnavailable,
    create_object_store,
    object_key,
)
from meldpunt.settings import Settings

PART = 5 * 1024 * 1024


def new_key() -> str:
    return object_key(uuid.uuid4(), uuid.uuid4(), uuid.uuid4())


async def stream(data: bytes, chunk: int = 256 * 1024) -> AsyncIterator[bytes]:
    for start in range(0, len(data), chunk):
        yield data[start : start + chunk]


async def read_all(store: ObjectStore, key: str) -> bytes:
    return b"".join([chunk async for chunk in store.get(key)])


def s3_client(endpoint: str) -> object:
    return boto3.client("s3", endpoint_url=endpoint, region_name="eu-central-1")


@pytest.fixture(params=["s3", "directory"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> ObjectStore:
    if request.param == "directory":
        return DirectoryObjectStore(tmp_path / "objects")
    endpoint = request.getfixturevalue("s3_endpoint")
    bucket = request.getfixturevalue("s3_bucket")
    return S3ObjectStore(s3_client(endpoint), bucket, PART)


@pytest.mark.parametrize("size", [0, 1, PART, PART + 1, int(3.5 * PART)])
async def test_bytes_come_back_as_they_went_in(store: ObjectStore, size: int) -> None:
    data = os.urandom(size)
    key = new_key()
    assert await store.put(key, stream(data)) == size
    assert await read_all(store, key) == data
    assert await store.exists(key)


async def test_a_large_object_goes_up_in_parts(s3_endpoint: str, s3_bucket: str) -> None:
    store = S3ObjectStore(s3_client(s3_endpoint), s3_bucket, PART)
    key = new_key()
    await store.put(key, stream(os.urandom(2 * PART + 10)))
    head = s3_client(s3_endpoint).head_object(Bucket=s3_bucket, Key=key)  # type: ignore[attr-defined]
    assert head["ETag"].strip('"').endswith("-3")
    assert head["ContentType"] == "application/octet-stream"
    assert head.get("Metadata", {}) == {}


async def failing_source(size: int) -> AsyncIterator[bytes]:
    yield os.urandom(size)
    raise ConnectionResetError("the uploader went away")


async def test_a_failed_upload_leaves_no_object_and_no_pending_parts(s3_endpoint: str, s3_bucket: str) -> None:
    store = S3ObjectStore(s3_client(s3_endpoint), s3_bucket, PART)
    key = new_key()
    with pytest.raises(ConnectionResetError):
        await store.put(key, failing_source(2 * PART))
    assert not await store.exists(key)
    uploads = s3_client(s3_endpoint).list_multipart_uploads(Bucket=s3_bucket)  # type: ignore[attr-defined]
    assert uploads.get("Uploads", []) == []


async def test_a_failed_write_leaves_no_file_in_the_directory(tmp_path: Path) -> None:
    store = DirectoryObjectStore(tmp_path / "objects")
    key = new_key()
    with pytest.raises(ConnectionResetError):
        await store.put(key, failing_source(1024))
    assert not await store.exists(key)
    assert [p for p in (tmp_path / "objects").rglob("*") if p.is_file()] == []


async def test_a_missing_object_is_not_found_and_deleting_it_is_fine(store: ObjectStore) -> None:
    key = new_key()
    with pytest.raises(ObjectNotFound):
        await read_all(store, key)
    await store.delete(key)
    assert not await store.exists(key)


async def test_delete_removes_every_version_and_leaves_no_marker(s3_endpoint: str, s3_bucket: str) -> None:
    client = s3_client(s3_endpoint)
    client.put_bucket_versioning(Bucket=s3_bucket, VersioningConfiguration={"Status": "Enabled"})  # type: ignore[attr-defined]
    store = S3ObjectStore(client, s3_bucket, PART)
    key, neighbour = new_key(), new_key()
    await store.put(key, stream(b"first version"))
    await store.put(key, stream(b"second version"))
    await store.put(neighbour, stream(b"someone else's"))
    client.delete_object(Bucket=s3_bucket, Key=key)  # type: ignore[attr-defined]  # leaves a delete marker
    await store.delete(key)
    listing = client.list_object_versions(Bucket=s3_bucket)  # type: ignore[attr-defined]
    remaining = [v["Key"] for v in [*listing.get("Versions", []), *listing.get("DeleteMarkers", [])]]
    assert key not in remaining
    assert remaining == [neighbour]


@pytest.mark.parametrize(
    "key",
    [
        "tenant/x/case/y/report.pdf",
        "../etc/passwd",
        "melding-van-jan.docx",
        f"tenant/{uuid.uuid4()}/case/{uuid.uuid4()}/{uuid.uuid4()}/../x",
        f"tenant/{uuid.uuid4()}/case/{uuid.uuid4()}/Verslag gesprek.pdf",
    ],
)
async def test_keys_with_names_or_paths_are_refused(store: ObjectStore, key: str) -> None:
    with pytest.raises(InvalidObjectKey):
        await store.put(key, stream(b"x"))
    with pytest.raises(InvalidObjectKey):
        await read_all(store, key)
    with pytest.raises(InvalidObjectKey):
        await store.delete(key)


async def test_readiness_check_passes_on_a_usable_store(store: ObjectStore) -> None:
    await store.check()


async def test_readiness_check_fails_for_a_missing_bucket_or_a_file_instead_of_a_directory(
    s3_endpoint: str, tmp_path: Path
) -> None:
    with pytest.raises(StorageUnavailable):
        await S3ObjectStore(s3_client(s3_endpoint), "no-such-bucket", PART).check()
    (tmp_path / "a-file").write_text("x")
    with pytest.raises(StorageUnavailable):
        await DirectoryObjectStore(tmp_path / "a-file").check()


async def test_the_settings_choose_the_backend(settings: Settings, s3_endpoint: str, s3_bucket: str) -> None:
    s3 = create_object_store(replace(settings, storage_backend="s3", s3_endpoint_url=s3_endpoint, s3_bucket=s3_bucket))
    assert isinstance(s3, S3ObjectStore)
    await s3.check()
    assert isinstance(create_object_store(settings), DirectoryObjectStore)


async def generated(total: int, chunk: int = 1 << 20) -> AsyncIterator[bytes]:
    block = os.urandom(chunk)
    for _ in range(total // chunk):
        yield block


async def test_memory_stays_flat_for_a_large_object(tmp_path: Path) -> None:
    """Streaming, not buffering: 64 MiB pass through with a small fraction of that in memory."""
    store = DirectoryObjectStore(tmp_path / "objects")
    key = new_key()
    size = 64 * 1024 * 1024
    tracemalloc.start()
    try:
        assert await store.put(key, generated(size)) == size
        read = 0
        async for chunk in store.get(key):
            read += len(chunk)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert read == size
    assert peak < 8 * 1024 * 1024, f"peak {peak / 2**20:.1f} MiB"


async def test_s3_memory_is_bounded_by_the_part_size(s3_endpoint: str, s3_bucket: str) -> None:
    store = S3ObjectStore(s3_client(s3_endpoint), s3_bucket, PART)
    key = new_key()
    size = 12 * PART
    tracemalloc.start()
    try:
        await store.put(key, generated(size))
        _, peak_put = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # A buffering client would hold the whole object (60 MiB); a streaming one a few parts: the part being
    # filled, the part being sent, and the HTTP client's copy of it.
    assert peak_put < 4 * PART, f"peak {peak_put / 2**20:.1f} MiB"

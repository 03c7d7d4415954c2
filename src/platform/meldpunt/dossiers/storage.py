"""Object storage for dossier files: S3 through boto3, or a directory on disk for the demo.

Streams both ways, so memory does not grow with the object. Stores only what it is given under keys of
the form ``tenant/<uuid>/case/<uuid>/<uuid>`` (and the audit log's ``audit/…`` anchors): never names, titles
or metadata. Encryption is the caller's job; nothing here ever sees plaintext if the caller does it. A store
that cannot be reached or written raises ``StorageUnavailable`` (the web answers 503); a failed put leaves
no part behind.
"""

from __future__ import annotations

import os
import re
import tempfile
import uuid
from collections.abc import AsyncIterable, AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, TypeVar, runtime_checkable

import anyio
import boto3
import structlog
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from meldpunt.settings import Settings

log = structlog.get_logger(__name__)

KEY_PATTERN = re.compile(
    r"tenant/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    r"/case/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    r"/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    # The audit log's anchors (meldpunt.audit.signing): public keys, wrapped signing keys, checkpoints.
    r"|audit/(?:keys|signing)/[0-9a-f]{32}"
    r"|audit/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    r"/(?:vault/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/)?checkpoints/(?:[0-9]{20}|latest)"
)
READ_CHUNK = 1 << 20
T = TypeVar("T")
# S3 answers that mean "not now" rather than "not so": the store is down, overloaded or timing out.
UNAVAILABLE_CODES = frozenset({"InternalError", "ServiceUnavailable", "SlowDown", "RequestTimeout", "503", "500"})


class StorageError(Exception):
    """Object storage failed."""


class ObjectNotFound(StorageError, LookupError):
    """No object under this key."""


class StorageUnavailable(StorageError):
    """The store cannot be used now; the message says why in a few words."""


class InvalidObjectKey(StorageError, ValueError):
    """A key that is not ``tenant/<uuid>/case/<uuid>/<uuid>``."""


@dataclass(frozen=True)
class StoredObject:
    """An object in the store, as listed for reconciliation: its key and when it was last written."""

    key: str
    written_at: datetime


@dataclass(frozen=True)
class IncompleteUpload:
    """An upload that was started and never completed: a temporary file (directory) or an open multipart
    upload (S3). ``handle`` is the file's path or the upload id; ``active_at`` its last write."""

    key: str
    handle: str
    active_at: datetime


def object_key(tenant_id: uuid.UUID, case_id: uuid.UUID, document_id: uuid.UUID) -> str:
    """The key of a document: ids only (DESIGN §8)."""
    return f"tenant/{tenant_id}/case/{case_id}/{document_id}"


def _checked(key: str) -> str:
    if not KEY_PATTERN.fullmatch(key):
        raise InvalidObjectKey("object keys are tenant/<uuid>/case/<uuid>/<uuid>")
    return key


@runtime_checkable
class ObjectStore(Protocol):
    async def put(self, key: str, chunks: AsyncIterable[bytes]) -> int:
        """Store the streamed bytes under ``key`` (replacing any object); return how many there were."""

    def get(self, key: str, chunk_size: int = READ_CHUNK) -> AsyncIterator[bytes]:
        """Stream the object; raises ObjectNotFound on the first iteration when there is none."""

    async def delete(self, key: str) -> None:
        """Remove the object and every stored version of it; a missing key is not an error."""

    async def exists(self, key: str) -> bool: ...

    async def check(self) -> None:
        """Raise StorageUnavailable when the store cannot be used (for readiness)."""

    def list_objects(self) -> AsyncIterator[StoredObject]:
        """Every object under ``tenant/`` (for reconciliation; a key with old versions only included)."""

    def list_incomplete(self) -> AsyncIterator[IncompleteUpload]:
        """Every upload started and never completed."""

    async def abort(self, upload: IncompleteUpload) -> None:
        """Remove what an incomplete upload left (its parts, or its temporary file)."""


class S3ObjectStore:
    """S3 or any S3-compatible service. boto3 is synchronous: every call runs in a worker thread."""

    def __init__(self, client: Any, bucket: str, part_size: int) -> None:
        self.client = client
        self.bucket = bucket
        self.part_size = part_size

    async def _call(self, method: str, **kwargs: Any) -> Any:
        """One S3 call; unreachable, timing out or a 5xx answer becomes ``StorageUnavailable``."""
        function = getattr(self.client, method)
        try:
            return await anyio.to_thread.run_sync(lambda: function(**kwargs))
        except BotoCoreError as error:
            raise StorageUnavailable(f"{method}: {type(error).__name__}") from error
        except ClientError as error:
            status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
            if status >= 500 or error.response.get("Error", {}).get("Code") in UNAVAILABLE_CODES:
                raise StorageUnavailable(f"{method}: {status or 'error'}") from error
            raise

    async def _abort(self, key: str, upload_id: str) -> None:
        """Abort a multipart upload so that no part is left; when S3 cannot be reached for that either, the
        reconciliation of stored objects removes the parts later."""
        with anyio.CancelScope(shield=True):
            try:
                await self._call("abort_multipart_upload", Bucket=self.bucket, Key=key, UploadId=upload_id)
            except StorageError as error:
                log.warning("storage.abort_failed", error=type(error.__cause__ or error).__name__)

    async def put(self, key: str, chunks: AsyncIterable[bytes]) -> int:
        _checked(key)
        buffer = bytearray()
        total = 0
        upload_id: str | None = None
        parts: list[dict[str, Any]] = []
        try:
            async for chunk in chunks:
                buffer += chunk
                total += len(chunk)
                while len(buffer) >= self.part_size:
                    if upload_id is None:
                        upload_id = (
                            await self._call(
                                "create_multipart_upload",
                                Bucket=self.bucket,
                                Key=key,
                                ContentType="application/octet-stream",
                            )
                        )["UploadId"]
                    part = bytes(memoryview(buffer)[: self.part_size])
                    del buffer[: self.part_size]
                    number = len(parts) + 1
                    answer = await self._call(
                        "upload_part", Bucket=self.bucket, Key=key, UploadId=upload_id, PartNumber=number, Body=part
                    )
                    parts.append({"PartNumber": number, "ETag": answer["ETag"]})
            if upload_id is None:
                await self._call(
                    "put_object",
                    Bucket=self.bucket,
                    Key=key,
                    Body=bytes(buffer),
                    ContentType="application/octet-stream",
                )
                return total
            if buffer or not parts:
                number = len(parts) + 1
                answer = await self._call(
                    "upload_part",
                    Bucket=self.bucket,
                    Key=key,
                    UploadId=upload_id,
                    PartNumber=number,
                    Body=bytes(buffer),
                )
                parts.append({"PartNumber": number, "ETag": answer["ETag"]})
            await self._call(
                "complete_multipart_upload",
                Bucket=self.bucket,
                Key=key,
                UploadId=upload_id,
                MultipartUpload={"Parts": parts},
            )
            return total
        except BaseException:
            if upload_id is not None:
                await self._abort(key, upload_id)
            raise

    async def get(self, key: str, chunk_size: int = READ_CHUNK) -> AsyncIterator[bytes]:
        _checked(key)
        try:
            answer = await self._call("get_object", Bucket=self.bucket, Key=key)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in {"NoSuchKey", "404"}:
                raise ObjectNotFound(key) from None
            raise
        body = answer["Body"]
        try:
            while chunk := await anyio.to_thread.run_sync(body.read, chunk_size):
                yield chunk
        except BotoCoreError as error:
            raise StorageUnavailable(f"get_object: {type(error).__name__}") from error
        finally:
            body.close()

    async def delete(self, key: str) -> None:
        _checked(key)
        # Every version and delete marker of exactly this key (prefix listing also finds longer keys).
        pages = await self._call("list_object_versions", Bucket=self.bucket, Prefix=key)
        found = False
        while True:
            for entry in [*pages.get("Versions", []), *pages.get("DeleteMarkers", [])]:
                if entry["Key"] == key:
                    found = True
                    await self._call("delete_object", Bucket=self.bucket, Key=key, VersionId=entry["VersionId"])
            if not pages.get("IsTruncated"):
                break
            pages = await self._call(
                "list_object_versions",
                Bucket=self.bucket,
                Prefix=key,
                KeyMarker=pages["NextKeyMarker"],
                VersionIdMarker=pages["NextVersionIdMarker"],
            )
        if not found:
            # Services that list no versions for unversioned buckets; on a versioned bucket this line never
            # runs when versions existed, since a plain delete there would only add a delete marker.
            await self._call("delete_object", Bucket=self.bucket, Key=key)

    async def exists(self, key: str) -> bool:
        _checked(key)
        try:
            await self._call("head_object", Bucket=self.bucket, Key=key)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in {"NoSuchKey", "404", "NotFound"}:
                return False
            raise
        return True

    async def check(self) -> None:
        try:
            await self._call("head_bucket", Bucket=self.bucket)
        except (ClientError, StorageUnavailable) as error:
            cause = error.__cause__ or error
            raise StorageUnavailable(f"bucket {self.bucket} cannot be reached ({type(cause).__name__})") from None

    async def list_objects(self) -> AsyncIterator[StoredObject]:
        latest: dict[str, datetime] = {}
        arguments: dict[str, Any] = {"Bucket": self.bucket, "Prefix": "tenant/"}
        while True:
            page = await self._call("list_object_versions", **arguments)
            for entry in [*page.get("Versions", []), *page.get("DeleteMarkers", [])]:
                written = entry["LastModified"]
                latest[entry["Key"]] = max(written, latest.get(entry["Key"], written))
            if not page.get("IsTruncated"):
                break
            arguments.update(KeyMarker=page["NextKeyMarker"], VersionIdMarker=page["NextVersionIdMarker"])
        for key, written in latest.items():
            yield StoredObject(key, written)

    async def list_incomplete(self) -> AsyncIterator[IncompleteUpload]:
        arguments: dict[str, Any] = {"Bucket": self.bucket, "Prefix": "tenant/"}
        while True:
            page = await self._call("list_multipart_uploads", **arguments)
            for upload in page.get("Uploads", []):
                yield IncompleteUpload(upload["Key"], upload["UploadId"], await self._last_write(upload))
            if not page.get("IsTruncated"):
                break
            arguments.update(KeyMarker=page["NextKeyMarker"], UploadIdMarker=page["NextUploadIdMarker"])

    async def _last_write(self, upload: dict[str, Any]) -> datetime:
        """When the upload last received a part (a long upload still sending parts is alive)."""
        parts = await self._call("list_parts", Bucket=self.bucket, Key=upload["Key"], UploadId=upload["UploadId"])
        written: list[datetime] = [upload["Initiated"], *(part["LastModified"] for part in parts.get("Parts", []))]
        return max(written)

    async def abort(self, upload: IncompleteUpload) -> None:
        try:
            await self._call("abort_multipart_upload", Bucket=self.bucket, Key=upload.key, UploadId=upload.handle)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "NoSuchUpload":
                raise


class DirectoryObjectStore:
    """Objects as files under a directory (the demo). A put is written aside and renamed into place."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        return self.root / _checked(key)

    async def put(self, key: str, chunks: AsyncIterable[bytes]) -> int:
        path = self._path(key)
        await _on_disk(lambda: path.parent.mkdir(mode=0o700, parents=True, exist_ok=True))
        descriptor, temporary = await _on_disk(lambda: tempfile.mkstemp(dir=path.parent, prefix=".incoming-"))
        total = 0
        try:
            with os.fdopen(descriptor, "wb") as file:
                async for chunk in chunks:  # an error of the source is the caller's, not the store's
                    await _on_disk(file.write, chunk)
                    total += len(chunk)
                await _on_disk(file.flush)
                await _on_disk(os.fsync, file.fileno())
            await _on_disk(os.replace, temporary, path)
        except BaseException:
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(lambda: Path(temporary).unlink(missing_ok=True))
            raise
        return total

    async def get(self, key: str, chunk_size: int = READ_CHUNK) -> AsyncIterator[bytes]:
        path = self._path(key)
        try:
            file = await anyio.to_thread.run_sync(path.open, "rb")
        except FileNotFoundError:
            raise ObjectNotFound(key) from None
        except OSError as error:
            raise _unavailable(error) from error
        try:
            while chunk := await anyio.to_thread.run_sync(file.read, chunk_size):
                yield chunk
        finally:
            file.close()

    async def delete(self, key: str) -> None:
        path = self._path(key)
        try:
            await anyio.to_thread.run_sync(lambda: path.unlink(missing_ok=True))
        except OSError as error:
            raise _unavailable(error) from error

    async def exists(self, key: str) -> bool:
        return await anyio.to_thread.run_sync(self._path(key).is_file)

    async def check(self) -> None:
        def usable() -> bool:
            self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
            return self.root.is_dir() and os.access(self.root, os.W_OK | os.X_OK)

        try:
            ok = await anyio.to_thread.run_sync(usable)
        except OSError as error:
            raise StorageUnavailable(f"directory cannot be used ({error.strerror})") from None
        if not ok:
            raise StorageUnavailable("directory is not writable")

    def _walk(self) -> list[tuple[Path, float]]:
        base = self.root / "tenant"
        if not base.is_dir():
            return []
        return [(path, path.stat().st_mtime) for path in base.glob("*/case/*/*") if path.is_file()]

    async def _listing(self) -> list[tuple[str, Path, datetime]]:
        found = await anyio.to_thread.run_sync(self._walk)
        return [
            (path.relative_to(self.root).as_posix(), path, datetime.fromtimestamp(written, UTC))
            for path, written in found
        ]

    async def list_objects(self) -> AsyncIterator[StoredObject]:
        for key, _, written in await self._listing():
            if KEY_PATTERN.fullmatch(key):
                yield StoredObject(key, written)

    async def list_incomplete(self) -> AsyncIterator[IncompleteUpload]:
        for key, path, written in await self._listing():
            if path.name.startswith(".incoming-"):
                yield IncompleteUpload(key, str(path), written)

    async def abort(self, upload: IncompleteUpload) -> None:
        path = self.root / upload.key
        if str(path) != upload.handle or not path.name.startswith(".incoming-") or ".." in path.parts:
            raise InvalidObjectKey("only a temporary file of this store can be aborted")
        await anyio.to_thread.run_sync(lambda: path.unlink(missing_ok=True))


async def _on_disk(function: Callable[..., T], *args: Any) -> T:
    """A file operation of the store in a worker thread; a disk that refuses it makes the store unavailable."""
    try:
        return await anyio.to_thread.run_sync(function, *args)
    except OSError as error:
        raise _unavailable(error) from error


def _unavailable(error: OSError) -> StorageUnavailable:
    """A directory that cannot be written (permissions, full disk, read-only mount): not now, not a bug."""
    return StorageUnavailable(f"directory cannot be used ({error.strerror or type(error).__name__})")


def create_object_store(settings: Settings) -> ObjectStore:
    if settings.storage_backend == "directory":
        return DirectoryObjectStore(Path(settings.storage_directory))
    client = boto3.client(
        "s3",
        endpoint_url=settings.s3_endpoint_url or None,
        region_name=settings.s3_region,
        config=Config(retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=5, read_timeout=60),
    )
    return S3ObjectStore(client, settings.s3_bucket, settings.s3_part_size)

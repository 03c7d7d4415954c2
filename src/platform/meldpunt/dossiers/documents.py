"""Documents of a case: content encrypted as a stream into object storage, name and type encrypted in the
database, each write and read in the tenant's audit log. Nothing here holds a plaintext name in storage.

An object exists only with its row: when the row cannot be written the object is removed again, and a
read touches the store before the answer starts, so that a store that is down answers 503, not half a file.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import AsyncIterable, AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime

import anyio
import msgspec
import structlog
from sqlalchemy import BigInteger, DateTime, ForeignKey, LargeBinary, String, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from meldpunt.audit import services as audit
from meldpunt.audit.services import AuditActor
from meldpunt.db.base import Base
from meldpunt.dossiers.crypto import associated_data, decrypt_stream, decrypt_text, encrypt_stream, encrypt_text
from meldpunt.dossiers.keys import Keyring
from meldpunt.dossiers.storage import ObjectStore, StorageError, object_key
from meldpunt.errors import NotFound

log = structlog.get_logger(__name__)


class RecordClass(enum.StrEnum):
    """What kind of record a document is; retention policies are set per class (seed-000 §4, H7 Stap 6)."""

    ADVISER_NOTE = "adviser_note"
    REPORT_DOSSIER = "report_dossier"
    INTERVIEW_RECORD = "interview_record"
    INVESTIGATION_REPORT = "investigation_report"  # the draft reports, the final report, the outcome letter
    INVESTIGATION_PROTOCOL = "investigation_protocol"  # an investigation's assignment, protocol and changes
    INVESTIGATION_REACTION = "investigation_reaction"  # a party's reaction to a draft report
    ADVICE = "advice"
    DECISION = "decision"
    SANCTION = "sanction"
    AFTERCARE_PLAN = "aftercare_plan"
    COMPLAINT_DOSSIER = "complaint_dossier"
    ATTACHMENT = "attachment"


class Document(Base):
    __tablename__ = "documents"

    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"), primary_key=True, sort_order=-10)
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, sort_order=-9)
    case_id: Mapped[uuid.UUID]
    record_class: Mapped[str] = mapped_column(String(32))
    object_key: Mapped[str] = mapped_column(String(160))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sealed_meta: Mapped[bytes] = mapped_column(LargeBinary)  # file name, content type, title: encrypted
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # set by retention once triggered
    owner_account_tenant_id: Mapped[uuid.UUID | None]
    owner_account_id: Mapped[uuid.UUID | None]
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class DocumentMeta(msgspec.Struct, frozen=True):
    filename: str
    content_type: str
    title: str | None = None
    source: str | None = None  # "reporter", or the account label of the professional who added it


class DocumentNotFound(NotFound, slug="document-not-found"): ...


@dataclass(frozen=True)
class OpenedDocument:
    document: Document
    meta: DocumentMeta
    content: AsyncIterator[bytes]


async def _counted(chunks: AsyncIterable[bytes], total: list[int]) -> AsyncIterator[bytes]:
    async for chunk in chunks:
        total[0] += len(chunk)
        yield chunk


async def store_document(
    session: AsyncSession,
    keyring: Keyring,
    store: ObjectStore,
    actor: AuditActor,
    tenant_id: uuid.UUID,
    case_id: uuid.UUID,
    record_class: RecordClass,
    chunks: AsyncIterable[bytes],
    meta: DocumentMeta,
    owner: tuple[uuid.UUID, uuid.UUID] | None = None,
) -> Document:
    """Encrypt and store a document of a case; the row exists only when the whole object is stored, and the
    object is removed again when its row cannot be written."""
    material = await keyring.case_key(session, tenant_id, case_id, create=True)
    document_id = uuid.uuid4()
    key = object_key(tenant_id, case_id, document_id)
    size = [0]
    await store.put(
        key,
        encrypt_stream(material, associated_data(tenant_id, case_id, document_id, "content"), _counted(chunks, size)),
    )
    document = Document(
        tenant_id=tenant_id,
        id=document_id,
        case_id=case_id,
        record_class=record_class.value,
        object_key=key,
        size_bytes=size[0],
        owner_account_tenant_id=owner[0] if owner else None,
        owner_account_id=owner[1] if owner else None,
        sealed_meta=encrypt_text(
            material, msgspec.json.encode(meta).decode(), associated_data(tenant_id, case_id, document_id, "meta")
        ),
    )
    try:
        session.add(document)
        await session.flush()
        await audit.record(
            session,
            tenant_id,
            actor,
            "document.create",
            "document",
            document_id,
            case=str(case_id),
            record_class=record_class.value,
            size=size[0],
        )
    except BaseException:
        await remove_objects(store, [key])
        raise
    return document


async def remove_objects(store: ObjectStore, keys: Sequence[str]) -> None:
    """Remove objects whose rows will not be committed; a store that is down leaves them to reconciliation."""
    with anyio.CancelScope(shield=True):
        for key in keys:
            try:
                await store.delete(key)
            except StorageError as error:
                log.warning("storage.remove_failed", error=type(error).__name__)


async def document_meta(session: AsyncSession, keyring: Keyring, document: Document) -> DocumentMeta:
    """A document's name, type and title, opened, for a list (the content stays closed; no read is audited)."""
    material = await keyring.case_key(session, document.tenant_id, document.case_id)
    return msgspec.json.decode(
        decrypt_text(
            material, document.sealed_meta, associated_data(document.tenant_id, document.case_id, document.id, "meta")
        ),
        type=DocumentMeta,
    )


async def open_document(
    session: AsyncSession,
    keyring: Keyring,
    store: ObjectStore,
    actor: AuditActor,
    tenant_id: uuid.UUID,
    document_id: uuid.UUID,
) -> OpenedDocument:
    """The document's name and type, and a stream of its decrypted content (audited as a read)."""
    document = (
        await session.execute(select(Document).where(Document.tenant_id == tenant_id, Document.id == document_id))
    ).scalar()
    if document is None:
        raise DocumentNotFound()
    material = await keyring.case_key(session, tenant_id, document.case_id)
    meta = msgspec.json.decode(
        decrypt_text(material, document.sealed_meta, associated_data(tenant_id, document.case_id, document.id, "meta")),
        type=DocumentMeta,
    )
    await audit.record(session, tenant_id, actor, "document.read", "document", document.id, case=str(document.case_id))
    content = decrypt_stream(
        material,
        associated_data(tenant_id, document.case_id, document.id, "content"),
        await _started(store.get(document.object_key)),
    )
    return OpenedDocument(document, meta, content)


async def _started(chunks: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    """The stream with its first chunk already read: a store that is down fails here, before any answer."""
    first = await anext(chunks, None)

    async def chained() -> AsyncIterator[bytes]:
        if first is not None:
            yield first
            async for chunk in chunks:
                yield chunk

    return chained()

"""Files a reporter adds to a case: checked by their content (not their name), cleaned of hidden data,
encrypted into the dossier (``dossiers.documents``) and listed back as ``bijlage-N.ext``.

Files carry hidden data that can identify the reporter (where a photo or video was made, the author of a
document, the names in tags): every accepted kind is cleaned (``intake.cleaning``) or refused. The name the
file had on the reporter's device is never stored: it may hold a name, a date or a place.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

import anyio
import filetype
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from meldpunt.audit.services import ANONYMOUS, AuditActor
from meldpunt.catalogues import text
from meldpunt.dossiers.cipher import case_cipher
from meldpunt.dossiers.documents import Document, DocumentMeta, RecordClass, remove_objects, store_document
from meldpunt.dossiers.keys import Keyring
from meldpunt.dossiers.storage import ObjectStore
from meldpunt.errors import Refused
from meldpunt.intake.cleaning import CannotClean, without_hidden_data
from meldpunt.intake.models import Case
from meldpunt.intake.schemas import AttachmentOut

MAX_FILES = 5
MAX_FILE_BYTES = 10 * 1024 * 1024
# A request may carry more than the limits allow: what is over them is read and dropped, so that the
# reporter gets the form back with a message and everything typed instead of a bare "too large".
MAX_REQUEST_BYTES = 256 * 1024 * 1024
MAX_FILENAME = 120

# What a reporter may add, by the kind the content shows (never by the name or the browser's claim).
ALLOWED: dict[str, str] = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "png": "image/png",
    "heic": "image/heic",  # stored as a JPEG once redrawn
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "odt": "application/vnd.oasis.opendocument.text",
    "txt": "text/plain",
    "mp3": "audio/mpeg",
    "m4a": "audio/mp4",
    "mp4": "video/mp4",
    "mov": "video/quicktime",
}
EXTENSIONS = {content_type: kind for kind, content_type in ALLOWED.items()}
NUMBERED = re.compile(r"bijlage-(\d+)\.\w+")


@dataclass(frozen=True)
class Upload:
    """A file as it arrived; ``data`` is empty and ``oversize`` true when it was over the size limit."""

    filename: str
    data: bytes
    oversize: bool = False


def allowed_text(language: str) -> str:
    """The kinds of file a reporter may add, as a page in ``language`` names them."""
    return text(language, "attachment.allowed")


class AttachmentRefused(Refused, status=400, slug="attachment-refused"):
    """``too_many``, ``too_large``, ``empty``, ``type``, ``damaged`` or ``locked`` (the reasons of
    ``CannotClean`` too); the words name the file, the size limit and the kinds allowed."""

    def __init__(self, reason: str, filename: str = "") -> None:
        self.filename = filename
        super().__init__(reason, name=filename, limit=MAX_FILE_BYTES // (1024 * 1024))

    def detail_in(self, language: str) -> str:
        return text(language, self.message_id, allowed=allowed_text(language), **self.params)


def safe_filename(name: str) -> str:
    """The last path segment, without control characters, at most 120 characters; never empty."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in unicodedata.normalize("NFC", name) if unicodedata.category(c)[0] != "C").strip()
    if len(name) > MAX_FILENAME:
        stem, dot, extension = name.rpartition(".")
        name = (stem[: MAX_FILENAME - len(extension) - 1] + dot + extension) if dot else name[:MAX_FILENAME]
    return name or "bestand"


def kind_of(upload: Upload) -> str:
    """The file's kind by its content; refuse what is too large, empty or not on the list."""
    if upload.oversize:
        raise AttachmentRefused("too_large", upload.filename)
    if not upload.data:
        raise AttachmentRefused("empty", upload.filename)
    guessed = filetype.guess(upload.data)
    if guessed is not None:
        if guessed.extension in ALLOWED:
            return str(guessed.extension)
        raise AttachmentRefused("type", upload.filename)
    if upload.filename.lower().endswith(".txt"):
        try:
            upload.data.decode("utf-8")
        except UnicodeDecodeError:
            raise AttachmentRefused("type", upload.filename) from None
        return "txt"
    raise AttachmentRefused("type", upload.filename)


@dataclass(frozen=True)
class Checked:
    """A file that may be stored: its kind by content, its bytes without hidden data (and no name)."""

    kind: str
    data: bytes


async def check_uploads(uploads: Sequence[Upload]) -> list[Checked]:
    """Every upload checked and cleaned, or ``AttachmentRefused`` for the first one that is not right."""
    if len(uploads) > MAX_FILES:
        raise AttachmentRefused("too_many")
    checked = []
    for upload in uploads:
        try:
            data, kind = await anyio.to_thread.run_sync(without_hidden_data, upload.data, kind_of(upload))
        except CannotClean as refused:
            raise AttachmentRefused(refused.reason, upload.filename) from None
        checked.append(Checked(kind, data))
    return checked


async def _one(data: bytes) -> AsyncIterator[bytes]:
    for start in range(0, len(data), 1024 * 1024):
        yield data[start : start + 1024 * 1024]


async def attach(
    session: AsyncSession,
    keyring: Keyring,
    store: ObjectStore,
    tenant_id: uuid.UUID,
    case: Case,
    files: Sequence[Checked],
    actor: AuditActor = ANONYMOUS,
) -> list[Document]:
    """Encrypt and store checked files as attachments of the case (audited per document), named by their
    number in the case: ``bijlage-3.pdf``. All or none: when one cannot be stored (``StorageUnavailable``),
    the objects of the files before it are removed again."""
    source = "reporter" if actor == ANONYMOUS else actor.label
    # The case row is locked so that two uploads at once do not hand out the same number.
    await session.execute(select(Case.id).where(Case.tenant_id == tenant_id, Case.id == case.id).with_for_update())
    before = (
        await session.execute(
            select(func.count()).where(
                Document.tenant_id == tenant_id,
                Document.case_id == case.id,
                Document.record_class == RecordClass.ATTACHMENT.value,
            )
        )
    ).scalar_one()
    stored: list[Document] = []
    try:
        for number, file in enumerate(files, start=1):
            name = attachment_name(before + number, ALLOWED[file.kind])
            stored.append(
                await store_document(
                    session,
                    keyring,
                    store,
                    actor,
                    tenant_id,
                    case.id,
                    RecordClass.ATTACHMENT,
                    _one(file.data),
                    DocumentMeta(name, ALLOWED[file.kind], source=source),
                )
            )
    except BaseException:
        await remove_objects(store, [document.object_key for document in stored])
        raise
    return stored


def attachment_name(number: int, content_type: str) -> str:
    """What an attachment is called everywhere: its number in the case and its kind, nothing of its own."""
    return f"bijlage-{number}.{EXTENSIONS.get(content_type, 'bin')}"


async def attachments_of(
    session: AsyncSession, keyring: Keyring, tenant_id: uuid.UUID, case: Case
) -> list[AttachmentOut]:
    """The case's attachments in the order of their numbers (metadata is decrypted; nothing is audited as
    read). A file stored before names were dropped is shown by its place in the case, never its own name."""
    documents = (
        await session.execute(
            select(Document)
            .where(
                Document.tenant_id == tenant_id,
                Document.case_id == case.id,
                Document.record_class == RecordClass.ATTACHMENT.value,
            )
            .order_by(Document.created_at, Document.id)
        )
    ).scalars()
    cipher = await case_cipher(session, keyring, tenant_id, case.id)
    stored = [(d, cipher.open_value(d.sealed_meta, DocumentMeta, "meta", d.id)) for d in documents]
    # Files added in one request share a creation time: their number says which came first.
    stored.sort(key=lambda pair: (pair[0].created_at, _number(pair[1].filename)))
    return [
        AttachmentOut(
            id=document.id,
            filename=attachment_name(place, meta.content_type),
            content_type=meta.content_type,
            size_bytes=document.size_bytes,
            added_at=document.created_at,
            from_reporter=meta.source == "reporter",
        )
        for place, (document, meta) in enumerate(stored, start=1)
    ]


def _number(name: str) -> int:
    found = NUMBERED.fullmatch(name)
    return int(found.group(1)) if found else 0


async def reporters_files(
    session: AsyncSession, keyring: Keyring, tenant_id: uuid.UUID, case: Case
) -> list[AttachmentOut]:
    """The files the reporter added: what their inbox lists."""
    return [a for a in await attachments_of(session, keyring, tenant_id, case) if a.from_reporter]

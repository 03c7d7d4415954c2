"""The public reporting point's JSON API (``/api/v1/public/{tenant}/…``). No account, no cookie, and the
client's address and headers are already gone when these handlers run (web/middleware.py)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

import msgspec
from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.openapi.spec import OpenAPIFormat, OpenAPIMediaType, OpenAPIType, Operation, RequestBody, Schema
from litestar.params import FromPath, HeaderParameter, JSONBody
from litestar.response import Stream
from sqlalchemy.ext.asyncio import AsyncSession

from meldpunt.audit.services import AuditActor
from meldpunt.dossiers.downloads import attachment_response
from meldpunt.dossiers.keys import Keyring
from meldpunt.dossiers.storage import ObjectStore
from meldpunt.identity import services as identity
from meldpunt.identity.policy import Actor, may
from meldpunt.identity.roles import Action
from meldpunt.intake import attachments, ratelimit, services
from meldpunt.intake.ratelimit import FloodGuard
from meldpunt.intake.schemas import (
    AttachmentOut,
    ChallengeOut,
    DismissalIn,
    DismissalOut,
    Identity,
    InboxIn,
    InboxOut,
    MessageIn,
    MessageOut,
    RevealIn,
    SubmissionIn,
    SubmissionOut,
)
from meldpunt.intake.uploads import read_posted_form
from meldpunt.tenancy.services import find_public_tenant

# A solved proof-of-work challenge (GetChallenge), optional on every public call that takes one: it marks a
# submission as verified during a flood, and lets a receipt attempt skip the per-tenant count.
ChallengeHeader = Annotated[str, HeaderParameter(name="meldpunt-challenge", required=False)]
AnswerHeader = Annotated[str, HeaderParameter(name="meldpunt-answer", required=False)]


@post("/api/v1/public/{tenant:str}/submissions", operation_id="Submit", tags=["public"], status_code=201)
async def submit(
    db: NamedDependency[AsyncSession],
    keyring: NamedDependency[Keyring],
    flood_guard: NamedDependency[FloodGuard],
    tenant: FromPath[str],
    data: JSONBody[SubmissionIn],
    challenge: ChallengeHeader = "",
    answer: AnswerHeader = "",
) -> SubmissionOut:
    """Register a report, signal or complaint. The receipt in the answer is shown once and never again.
    A solved challenge (``GetChallenge``) is optional: without one the report is accepted all the same, but
    during a flood it is marked as unverified. Refused (429) only above the tenant's cap."""
    found, _ = await find_public_tenant(db, tenant)
    async with flood_guard.arrival(db, found.id, challenge, answer) as marked:
        registered = await services.register_submission(db, keyring, found, data, flood_marked=marked)
    return SubmissionOut(
        registered.case.kind,
        services.format_receipt(registered.receipt) if registered.receipt else None,
        registered.acknowledge_by.date(),
    )


@get("/api/v1/public/{tenant:str}/challenge", operation_id="GetChallenge", tags=["public"])
async def get_challenge(
    db: NamedDependency[AsyncSession], flood_guard: NamedDependency[FloodGuard], tenant: FromPath[str]
) -> ChallengeOut:
    """A proof-of-work challenge for one submission; harder while the reporting point is flooded."""
    found, _ = await find_public_tenant(db, tenant)
    challenge, bits = await flood_guard.new_challenge(found.id)
    return ChallengeOut(challenge=challenge, bits=bits)


@post("/api/v1/public/{tenant:str}/inbox", operation_id="OpenInbox", tags=["public"], status_code=200)
async def open_inbox(
    db: NamedDependency[AsyncSession],
    keyring: NamedDependency[Keyring],
    flood_guard: NamedDependency[FloodGuard],
    tenant: FromPath[str],
    data: JSONBody[InboxIn],
    challenge: ChallengeHeader = "",
    answer: AnswerHeader = "",
) -> InboxOut:
    """The status, the messages and the files of the case that this receipt belongs to."""
    found, _ = await find_public_tenant(db, tenant)
    case = await ratelimit.case_for_receipt_limited(db, flood_guard, found, data.receipt, challenge, answer)
    messages = await services.inbox(db, keyring, found, case)
    files = await attachments.reporters_files(db, keyring, found.id, case)
    return InboxOut(
        case.kind,
        case.status,
        [MessageOut(mine, text, at.date()) for mine, text, at in messages],
        [_attachment_out(a) for a in files],
        case.sealed_identity is not None,
        services.may_reveal(case),
        services.may_withdraw(case),
    )


def _attachment_out(a: attachments.AttachmentInfo) -> AttachmentOut:
    return AttachmentOut(a.id, a.filename, a.content_type, a.size_bytes, a.added_at, a.from_reporter)


@dataclass
class _AttachmentsUpload(Operation):
    """Documents the multipart body, which the handler reads itself (in memory, within limits)."""

    def __post_init__(self) -> None:
        self.request_body = RequestBody(
            required=True,
            description=f"The receipt, and 1 to {attachments.MAX_FILES} files of at most "
            f"{attachments.MAX_FILE_BYTES // 1024 // 1024} MB each ({attachments.ALLOWED_TEXT}).",
            content={
                "multipart/form-data": OpenAPIMediaType(
                    schema=Schema(
                        type=OpenAPIType.OBJECT,
                        required=["receipt", "attachments"],
                        properties={
                            "receipt": Schema(type=OpenAPIType.STRING, description="the 16-digit receipt"),
                            "attachments": Schema(
                                type=OpenAPIType.ARRAY,
                                items=Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY),
                            ),
                        },
                    )
                )
            },
        )


@post(
    "/api/v1/public/{tenant:str}/inbox/attachments",
    operation_id="AddReporterAttachments",
    tags=["public"],
    status_code=201,
    request_max_body_size=attachments.MAX_REQUEST_BYTES,
    operation_class=_AttachmentsUpload,
)
async def add_reporter_attachments(
    request: Request[Any, Any, Any],
    db: NamedDependency[AsyncSession],
    keyring: NamedDependency[Keyring],
    store: NamedDependency[ObjectStore],
    flood_guard: NamedDependency[FloodGuard],
    tenant: FromPath[str],
    challenge: ChallengeHeader = "",
    answer: AnswerHeader = "",
) -> list[AttachmentOut]:
    """Add files to the case, as the reporter who holds the receipt. They are checked by content,
    photos lose their hidden data (location, camera), and everything is stored encrypted."""
    found, _ = await find_public_tenant(db, tenant)
    form = await read_posted_form(request)
    case = await ratelimit.case_for_receipt_limited(db, flood_guard, found, form.get("receipt"), challenge, answer)
    checked = await attachments.check_uploads(form.files)
    if not checked:
        raise attachments.AttachmentRefused("empty", "-")
    await attachments.attach(db, keyring, store, found.id, case, checked)
    await services.tell_reporting_point(db, found, case)
    return [_attachment_out(a) for a in await attachments.reporters_files(db, keyring, found.id, case)]


@post("/api/v1/public/{tenant:str}/inbox/identity", operation_id="RevealIdentity", tags=["public"], status_code=204)
async def reveal_identity(
    db: NamedDependency[AsyncSession],
    keyring: NamedDependency[Keyring],
    flood_guard: NamedDependency[FloodGuard],
    tenant: FromPath[str],
    data: JSONBody[RevealIn],
    challenge: ChallengeHeader = "",
    answer: AnswerHeader = "",
) -> None:
    """The reporter who reported anonymously with a receipt gives their name; the case becomes confidential
    (this cannot be undone)."""
    found, _ = await find_public_tenant(db, tenant)
    case = await ratelimit.case_for_receipt_limited(db, flood_guard, found, data.receipt, challenge, answer)
    await services.reveal_identity(db, keyring, found, case, data.identity)


@post(
    "/api/v1/public/{tenant:str}/inbox/withdrawal", operation_id="WithdrawComplaint", tags=["public"], status_code=204
)
async def withdraw_complaint(
    db: NamedDependency[AsyncSession],
    flood_guard: NamedDependency[FloodGuard],
    tenant: FromPath[str],
    data: JSONBody[InboxIn],
    challenge: ChallengeHeader = "",
    answer: AnswerHeader = "",
) -> None:
    """Withdraw a complaint, as the complainant who holds the receipt, until it has been judged."""
    found, _ = await find_public_tenant(db, tenant)
    case = await ratelimit.case_for_receipt_limited(db, flood_guard, found, data.receipt, challenge, answer)
    await services.withdraw_complaint(db, found, case)


@post("/api/v1/public/{tenant:str}/inbox/messages", operation_id="AddReporterMessage", tags=["public"], status_code=201)
async def add_reporter_message(
    db: NamedDependency[AsyncSession],
    keyring: NamedDependency[Keyring],
    flood_guard: NamedDependency[FloodGuard],
    tenant: FromPath[str],
    data: JSONBody[MessageIn],
    challenge: ChallengeHeader = "",
    answer: AnswerHeader = "",
) -> None:
    """Add information to the case, as the reporter who holds the receipt."""
    found, _ = await find_public_tenant(db, tenant)
    case = await ratelimit.case_for_receipt_limited(db, flood_guard, found, data.receipt, challenge, answer)
    await services.add_message(db, keyring, found, case, "reporter", data.text)


class SubmissionSummaryOut(msgspec.Struct, frozen=True):
    tenant: str
    id: uuid.UUID
    kind: str
    category: str
    anonymity: str
    status: str
    received_at: datetime
    acknowledge_by: datetime | None
    acknowledged: bool
    flood_marked: bool = False  # arrived during a flood without a solved challenge


class SubmissionDetailOut(msgspec.Struct, frozen=True):
    id: uuid.UUID
    kind: str
    category: str
    anonymity: str
    status: str
    attributes: dict[str, Any]
    reporter_role: str
    reporter_is_affected: bool
    accused_role: str | None
    setting: str | None
    wishes: list[str]
    narrative: str
    messages: list[MessageOut]
    identity: Identity | None
    attachments: list[AttachmentOut]


class ReplyIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    text: Annotated[str, msgspec.Meta(min_length=1, max_length=10_000)]


@get("/api/v1/submissions", operation_id="ListSubmissions", tags=["reporting point"])
async def list_all_submissions(
    db: NamedDependency[AsyncSession], actor: NamedDependency[Actor]
) -> list[SubmissionSummaryOut]:
    """What arrived, across every tenant where the account is the reporting point; no content."""
    reachable = {a.tenant_id: a.slug for a in actor.access.values() if may(actor, Action.INTAKE_LIST, a.slug)}
    if not reachable:
        return []
    return [
        SubmissionSummaryOut(
            reachable[s.case.tenant_id],
            s.case.id,
            s.case.kind,
            s.case.category,
            s.case.anonymity,
            s.case.status,
            s.case.created_at,
            s.acknowledge_by,
            s.acknowledged,
            flood_marked=s.case.flood_marked,
        )
        for s in await services.list_submissions(db, list(reachable))
    ]


@post(
    "/api/v1/t/{tenant:str}/submissions/dismissals",
    operation_id="DismissMarkedSubmissions",
    tags=["reporting point"],
    status_code=200,
)
async def dismiss_marked_submissions(
    db: NamedDependency[AsyncSession], actor: NamedDependency[Actor], tenant: FromPath[str], data: JSONBody[DismissalIn]
) -> DismissalOut:
    """Dismiss submissions marked as arrived during a flood (the chosen ones, or all in a period); only
    marked ones nobody handled yet. They leave the list; each dismissal is audited."""
    found = await identity.tenant_acting_in(db, actor, Action.INTAKE_DISMISS, tenant)
    dismissed = await services.dismiss_marked(db, AuditActor.account(actor.account_id), found, data)
    return DismissalOut(dismissed=len(dismissed))


@get("/api/v1/t/{tenant:str}/submissions/{case_id:uuid}", operation_id="ReadSubmission", tags=["reporting point"])
async def read_submission(
    db: NamedDependency[AsyncSession],
    keyring: NamedDependency[Keyring],
    actor: NamedDependency[Actor],
    tenant: FromPath[str],
    case_id: FromPath[uuid.UUID],
) -> SubmissionDetailOut:
    """One submission with what the reporter wrote and the messages both ways (audited)."""
    found = await identity.tenant_acting_in(db, actor, Action.INTAKE_READ, tenant)
    detail = await services.read_submission(db, keyring, AuditActor.account(actor.account_id), found, case_id)
    case = detail.case
    return SubmissionDetailOut(
        case.id,
        case.kind,
        case.category,
        case.anonymity,
        case.status,
        detail.attributes,
        case.reporter_role,
        case.reporter_is_affected,
        case.accused_role,
        case.setting,
        case.wishes,
        detail.narrative,
        [MessageOut(m, t, at.date()) for m, t, at in detail.messages],
        detail.identity,
        [_attachment_out(a) for a in detail.attachments],
    )


@get(
    "/api/v1/t/{tenant:str}/submissions/{case_id:uuid}/attachments/{document_id:uuid}",
    operation_id="DownloadAttachment",
    tags=["reporting point"],
    media_type="application/octet-stream",
)
async def download_attachment(
    db: NamedDependency[AsyncSession],
    keyring: NamedDependency[Keyring],
    store: NamedDependency[ObjectStore],
    actor: NamedDependency[Actor],
    tenant: FromPath[str],
    case_id: FromPath[uuid.UUID],
    document_id: FromPath[uuid.UUID],
) -> Stream:
    """A file the reporter added, decrypted as it streams (the read is audited)."""
    found = await identity.tenant_acting_in(db, actor, Action.INTAKE_READ, tenant)
    opened = await services.open_attachment(
        db, keyring, store, AuditActor.account(actor.account_id), found, case_id, document_id
    )
    return attachment_response(opened)


@post(
    "/api/v1/t/{tenant:str}/submissions/{case_id:uuid}/messages",
    operation_id="ReplyToReporter",
    tags=["reporting point"],
    status_code=201,
)
async def reply_to_reporter(
    db: NamedDependency[AsyncSession],
    keyring: NamedDependency[Keyring],
    actor: NamedDependency[Actor],
    tenant: FromPath[str],
    case_id: FromPath[uuid.UUID],
    data: JSONBody[ReplyIn],
) -> None:
    """Answer the reporter in the two-way channel; the first answer acknowledges receipt."""
    found = await identity.tenant_acting_in(db, actor, Action.INTAKE_REPLY, tenant)
    await services.reply(db, keyring, AuditActor.account(actor.account_id), found, case_id, data.text)


ROUTES = (
    submit,
    get_challenge,
    open_inbox,
    add_reporter_message,
    add_reporter_attachments,
    reveal_identity,
    withdraw_complaint,
    list_all_submissions,
    dismiss_marked_submissions,
    read_submission,
    download_attachment,
    reply_to_reporter,
)

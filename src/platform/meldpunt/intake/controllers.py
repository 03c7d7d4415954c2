"""The public reporting point's JSON API (``/api/v1/public/{tenant}/…``) and the reporting point's own
(``/api/v1/t/{tenant}/submissions…``). The public side has no account and no cookie, and the client's address
and headers are already gone when its handlers run (web/middleware.py): nothing here stores or logs them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated, Any, NamedTuple

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.openapi.spec import OpenAPIFormat, OpenAPIMediaType, OpenAPIType, Operation, RequestBody, Schema
from litestar.params import FromPath, HeaderParameter, JSONBody
from litestar.response import Stream
from sqlalchemy.ext.asyncio import AsyncSession

from meldpunt.audit.services import AuditActor
from meldpunt.db.rows import from_row
from meldpunt.dossiers.downloads import attachment_response
from meldpunt.dossiers.keys import Keyring
from meldpunt.dossiers.storage import ObjectStore
from meldpunt.identity.policy import Actor, may
from meldpunt.identity.roles import Action
from meldpunt.intake import attachments, ratelimit, services
from meldpunt.intake.challenge import Proof
from meldpunt.intake.models import Case
from meldpunt.intake.ratelimit import FloodGuard
from meldpunt.intake.schemas import (
    AttachmentOut,
    ChallengeOut,
    DismissalIn,
    DismissalOut,
    InboxIn,
    InboxOut,
    MessageIn,
    MessageOut,
    ReplyIn,
    RevealIn,
    SubmissionDetailOut,
    SubmissionIn,
    SubmissionOut,
    SubmissionSummaryOut,
)
from meldpunt.intake.uploads import read_posted_form
from meldpunt.tenancy.dependencies import PUBLIC, PublicTenant
from meldpunt.tenancy.models import Tenant


def provide_proof(
    challenge: Annotated[str, HeaderParameter(name="meldpunt-challenge", required=False)] = "",
    answer: Annotated[str, HeaderParameter(name="meldpunt-answer", required=False)] = "",
) -> Proof:
    """A solved proof-of-work challenge (GetChallenge), optional on every public call that takes one: it marks a
    submission as verified during a flood, and lets a receipt attempt skip the per-tenant count."""
    return Proof(challenge, answer)


class Reporter(NamedTuple):
    """A reporter's call at the path's reporting point: the session, the keys, the flood guard and their proof
    of work. Nothing of the request itself (no address, no header but the proof)."""

    db: AsyncSession
    keyring: Keyring
    guard: FloodGuard
    tenant: Tenant
    proof: Proof

    async def case_of(self, receipt: str) -> Case:
        """The case of this receipt, after the rate limits (``ratelimit.case_for_receipt_limited``)."""
        return await ratelimit.case_for_receipt_limited(self.db, self.guard, self.tenant, receipt, *self.proof)


def provide_reporter(
    db: NamedDependency[AsyncSession],
    keyring: NamedDependency[Keyring],
    flood_guard: NamedDependency[FloodGuard],
    public: NamedDependency[PublicTenant],
    proof: NamedDependency[Proof],
) -> Reporter:
    return Reporter(db, keyring, flood_guard, public.tenant, proof)


REPORTER = {
    **PUBLIC,
    "proof": Provide(provide_proof, sync_to_thread=False),
    "reporter": Provide(provide_reporter, sync_to_thread=False),
}


@dataclass
class _AttachmentsUpload(Operation):
    """Documents the multipart body, which the handler reads itself (in memory, within limits)."""

    def __post_init__(self) -> None:
        self.request_body = RequestBody(
            required=True,
            description=f"The receipt, and 1 to {attachments.MAX_FILES} files of at most "
            f"{attachments.MAX_FILE_BYTES // 1024 // 1024} MB each ({attachments.allowed_text('en')}).",
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


class PublicIntakeController(Controller):
    """What a reporter does without an account: submit, and with the receipt, the inbox."""

    path = "/api/v1/public/{tenant:str}"
    tags = ("public",)
    dependencies = REPORTER

    @post("/submissions", operation_id="Submit", status_code=201)
    async def submit(
        self, reporter: NamedDependency[Reporter], store: NamedDependency[ObjectStore], data: JSONBody[SubmissionIn]
    ) -> SubmissionOut:
        """Register a report, signal or complaint. The receipt in the answer is shown once and never again.
        A solved challenge (``GetChallenge``) is optional: without one the report is accepted all the same, but
        during a flood it is marked as unverified. Refused (429) only above the tenant's cap."""
        db, keyring, guard, tenant, proof = reporter
        registered = await services.submit(db, keyring, store, guard, tenant, data, proof=proof)
        return SubmissionOut(
            kind=registered.case.kind,
            receipt=services.format_receipt(registered.receipt) if registered.receipt else None,
            acknowledge_by=registered.acknowledge_by.date(),
        )

    @get("/challenge", operation_id="GetChallenge")
    async def get_challenge(
        self, flood_guard: NamedDependency[FloodGuard], public: NamedDependency[PublicTenant]
    ) -> ChallengeOut:
        """A proof-of-work challenge for one submission; harder while the reporting point is flooded."""
        challenge, bits = await flood_guard.new_challenge(public.tenant.id)
        return ChallengeOut(challenge=challenge, bits=bits)

    @post("/inbox", operation_id="OpenInbox", status_code=200)
    async def open_inbox(self, reporter: NamedDependency[Reporter], data: JSONBody[InboxIn]) -> InboxOut:
        """The status, the messages and the files of the case that this receipt belongs to."""
        case = await reporter.case_of(data.receipt)
        view = await services.inbox_view(reporter.db, reporter.keyring, reporter.tenant, case)
        return InboxOut(
            kind=case.kind,
            status=case.status,
            messages=[_message_out(message) for message in view.messages],
            attachments=view.files,
            identity_known=view.identity is not None,
            may_reveal_identity=view.may_reveal,
            may_withdraw=view.may_withdraw,
        )

    @post(
        "/inbox/attachments",
        operation_id="AddReporterAttachments",
        status_code=201,
        request_max_body_size=attachments.MAX_REQUEST_BYTES,
        operation_class=_AttachmentsUpload,
    )
    async def add_reporter_attachments(
        self, request: Request[Any, Any, Any], reporter: NamedDependency[Reporter], store: NamedDependency[ObjectStore]
    ) -> list[AttachmentOut]:
        """Add files to the case, as the reporter who holds the receipt. They are checked by content,
        photos lose their hidden data (location, camera), and everything is stored encrypted."""
        form = await read_posted_form(request)
        case = await reporter.case_of(form.get("receipt"))
        checked = await attachments.check_uploads(form.files)
        if not checked:
            raise attachments.AttachmentRefused("empty", "-")
        db, keyring, _, tenant, _ = reporter
        await services.add_from_reporter(db, keyring, store, tenant, case, files=checked)
        return await attachments.reporters_files(db, keyring, tenant.id, case)

    @post("/inbox/identity", operation_id="RevealIdentity", status_code=204)
    async def reveal_identity(self, reporter: NamedDependency[Reporter], data: JSONBody[RevealIn]) -> None:
        """The reporter who reported anonymously with a receipt gives their name; the case becomes confidential
        (this cannot be undone)."""
        case = await reporter.case_of(data.receipt)
        await services.reveal_identity(reporter.db, reporter.keyring, reporter.tenant, case, data.identity)

    @post("/inbox/withdrawal", operation_id="WithdrawComplaint", status_code=204)
    async def withdraw_complaint(self, reporter: NamedDependency[Reporter], data: JSONBody[InboxIn]) -> None:
        """Withdraw a complaint, as the complainant who holds the receipt, until it has been judged."""
        case = await reporter.case_of(data.receipt)
        await services.withdraw_complaint(reporter.db, reporter.tenant, case)

    @post("/inbox/messages", operation_id="AddReporterMessage", status_code=201)
    async def add_reporter_message(
        self, reporter: NamedDependency[Reporter], store: NamedDependency[ObjectStore], data: JSONBody[MessageIn]
    ) -> None:
        """Add information to the case, as the reporter who holds the receipt."""
        case = await reporter.case_of(data.receipt)
        await services.add_from_reporter(reporter.db, reporter.keyring, store, reporter.tenant, case, text=data.text)


def _message_out(message: services.Message) -> MessageOut:
    return MessageOut(from_reporter=message.from_reporter, text=message.text, at=message.at.date())


class AllSubmissionsController(Controller):
    path = "/api/v1/submissions"
    tags = ("reporting point",)

    @get(operation_id="ListSubmissions")
    async def list_all_submissions(
        self, db: NamedDependency[AsyncSession], actor: NamedDependency[Actor]
    ) -> list[SubmissionSummaryOut]:
        """What arrived, across every tenant where the account is the reporting point; no content."""
        reachable = {a.tenant_id: a.slug for a in actor.access.values() if may(actor, Action.INTAKE_LIST, a.slug)}
        if not reachable:
            return []
        return [
            from_row(
                SubmissionSummaryOut,
                s.case,
                tenant=reachable[s.case.tenant_id],
                received_at=s.case.created_at,
                acknowledge_by=s.acknowledge_by,
                acknowledged=s.acknowledged,
            )
            for s in await services.list_submissions(db, list(reachable))
        ]


class Desk(NamedTuple):
    """The reporting point at work: the session, the keys, the store, and who the account is in the audit log
    (the tenant it acts in comes from ``acting``, which checks the route's action)."""

    db: AsyncSession
    keyring: Keyring
    store: ObjectStore
    who: AuditActor


def provide_desk(
    db: NamedDependency[AsyncSession],
    keyring: NamedDependency[Keyring],
    store: NamedDependency[ObjectStore],
    actor: NamedDependency[Actor],
) -> Desk:
    return Desk(db, keyring, store, AuditActor.account(actor.account_id))


async def provide_attachment(
    desk: NamedDependency[Desk],
    acting: NamedDependency[Tenant],
    case_id: FromPath[uuid.UUID],
    document_id: FromPath[uuid.UUID],
) -> Stream:
    """The file of the path's ``{document_id}`` that the reporter added to ``{case_id}``, decrypted as it
    streams (the read is audited): what the API and the reporting point's page both send."""
    return attachment_response(await services.open_attachment(*desk, acting, case_id, document_id))


DESK = {"desk": Provide(provide_desk, sync_to_thread=False), "attachment": Provide(provide_attachment)}


class SubmissionController(Controller):
    """The reporting point at work on what arrived in one tenant; every read of content is audited."""

    path = "/api/v1/t/{tenant:str}/submissions"
    tags = ("reporting point",)
    dependencies = DESK

    @post("/dismissals", operation_id="DismissMarkedSubmissions", status_code=200, action=Action.INTAKE_DISMISS)
    async def dismiss_marked_submissions(
        self, desk: NamedDependency[Desk], acting: NamedDependency[Tenant], data: JSONBody[DismissalIn]
    ) -> DismissalOut:
        """Dismiss submissions marked as arrived during a flood (the chosen ones, or all in a period); only
        marked ones nobody handled yet. They leave the list; each dismissal is audited."""
        return DismissalOut(dismissed=len(await services.dismiss_marked(desk.db, desk.who, acting, data)))

    @get("/{case_id:uuid}", operation_id="ReadSubmission", action=Action.INTAKE_READ)
    async def read_submission(
        self, desk: NamedDependency[Desk], acting: NamedDependency[Tenant], case_id: FromPath[uuid.UUID]
    ) -> SubmissionDetailOut:
        """One submission with what the reporter wrote and the messages both ways (audited)."""
        detail = await services.read_submission(desk.db, desk.keyring, desk.who, acting, case_id)
        return from_row(
            SubmissionDetailOut,
            detail.case,
            attributes=detail.attributes,
            narrative=detail.narrative,
            messages=[_message_out(message) for message in detail.messages],
            identity=detail.identity,
            attachments=detail.attachments,
        )

    @get(
        "/{case_id:uuid}/attachments/{document_id:uuid}",
        operation_id="DownloadAttachment",
        media_type="application/octet-stream",
        action=Action.INTAKE_READ,
    )
    async def download_attachment(self, attachment: NamedDependency[Stream]) -> Stream:
        """A file the reporter added, decrypted as it streams (the read is audited)."""
        return attachment

    @post("/{case_id:uuid}/messages", operation_id="ReplyToReporter", status_code=201, action=Action.INTAKE_REPLY)
    async def reply_to_reporter(
        self,
        desk: NamedDependency[Desk],
        acting: NamedDependency[Tenant],
        case_id: FromPath[uuid.UUID],
        data: JSONBody[ReplyIn],
    ) -> None:
        """Answer the reporter in the two-way channel; the first answer acknowledges receipt."""
        await services.reply(desk.db, desk.keyring, desk.who, acting, case_id, data.text)


ROUTES = (PublicIntakeController, AllSubmissionsController, SubmissionController)

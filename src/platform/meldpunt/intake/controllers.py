"""The public reporting point's JSON API (``/api/v1/public/{tenant}/…``). No account, no cookie, and the
client's address and headers are already gone when these handlers run (web/middleware.py)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

import msgspec
import redis.asyncio as aioredis
from litestar import get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from meldpunt.audit.services import AuditActor
from meldpunt.dossiers.keys import Keyring
from meldpunt.identity import services as identity
from meldpunt.identity.policy import Actor, may
from meldpunt.identity.roles import Action
from meldpunt.intake import ratelimit, services
from meldpunt.intake.schemas import InboxIn, InboxOut, MessageIn, MessageOut, SubmissionIn, SubmissionOut
from meldpunt.tenancy.services import find_public_tenant


@post("/api/v1/public/{tenant:str}/submissions", operation_id="Submit", tags=["public"], status_code=201)
async def submit(
    db: NamedDependency[AsyncSession],
    keyring: NamedDependency[Keyring],
    redis: NamedDependency[aioredis.Redis],
    tenant: FromPath[str],
    data: JSONBody[SubmissionIn],
) -> SubmissionOut:
    """Register a report, signal or complaint. The receipt in the answer is shown once and never again."""
    found, _ = await find_public_tenant(db, tenant)
    await ratelimit.spend_submission(redis, found.id)
    registered = await services.register_submission(db, keyring, found, data)
    return SubmissionOut(
        registered.case.kind,
        services.format_receipt(registered.receipt) if registered.receipt else None,
        registered.acknowledge_by.date(),
    )


@post("/api/v1/public/{tenant:str}/inbox", operation_id="OpenInbox", tags=["public"], status_code=200)
async def open_inbox(
    db: NamedDependency[AsyncSession],
    keyring: NamedDependency[Keyring],
    redis: NamedDependency[aioredis.Redis],
    tenant: FromPath[str],
    data: JSONBody[InboxIn],
) -> InboxOut:
    """The status and the messages of the case that this receipt belongs to."""
    found, _ = await find_public_tenant(db, tenant)
    case = await ratelimit.case_for_receipt_limited(db, redis, found, data.receipt)
    messages = await services.inbox(db, keyring, found, case)
    return InboxOut(case.kind, case.status, [MessageOut(mine, text, at.date()) for mine, text, at in messages])


@post("/api/v1/public/{tenant:str}/inbox/messages", operation_id="AddReporterMessage", tags=["public"], status_code=201)
async def add_reporter_message(
    db: NamedDependency[AsyncSession],
    keyring: NamedDependency[Keyring],
    redis: NamedDependency[aioredis.Redis],
    tenant: FromPath[str],
    data: JSONBody[MessageIn],
) -> None:
    """Add information to the case, as the reporter who holds the receipt."""
    found, _ = await find_public_tenant(db, tenant)
    case = await ratelimit.case_for_receipt_limited(db, redis, found, data.receipt)
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
        )
        for s in await services.list_submissions(db, list(reachable))
    ]


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
    case, narrative, messages = await services.read_submission(
        db, keyring, AuditActor.account(actor.account_id), found, case_id
    )
    return SubmissionDetailOut(
        case.id,
        case.kind,
        case.category,
        case.anonymity,
        case.status,
        case.attributes,
        case.reporter_role,
        case.reporter_is_affected,
        case.accused_role,
        case.setting,
        case.wishes,
        narrative,
        [MessageOut(m, t, at.date()) for m, t, at in messages],
    )


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


ROUTES = (submit, open_inbox, add_reporter_message, list_all_submissions, read_submission, reply_to_reporter)

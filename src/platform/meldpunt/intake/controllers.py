"""The public reporting point's JSON API (``/api/v1/public/{tenant}/…``). No account, no cookie, and the
client's address and headers are already gone when these handlers run (web/middleware.py)."""

from __future__ import annotations

import redis.asyncio as aioredis
from litestar import post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from meldpunt.dossiers.keys import Keyring
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
    await ratelimit.spend_receipt_attempt(redis, found.id, services.normalise_receipt(data.receipt))
    case = await services.case_for_receipt(db, found, data.receipt)
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
    await ratelimit.spend_receipt_attempt(redis, found.id, services.normalise_receipt(data.receipt))
    case = await services.case_for_receipt(db, found, data.receipt)
    await services.add_message(db, keyring, found, case, "reporter", data.text)


ROUTES = (submit, open_inbox, add_reporter_message)

"""Registering submissions and the reporter's inbox.

Every submission is registered, the fully anonymous one too (seed-000 §2.1: "Registreer de melding wel
altijd"). A receipt is 16 random digits, shown once; only its Argon2id hash (per-tenant salt) is kept, so
a log-in is one hash and a stolen database reveals no receipts.
"""

from __future__ import annotations

import dataclasses
import os
import secrets
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple
from zoneinfo import ZoneInfo

import anyio
import msgspec
from argon2.low_level import Type, hash_secret_raw
from sqlalchemy import ColumnElement, and_, exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from meldpunt.audit import services as audit
from meldpunt.audit.services import ANONYMOUS
from meldpunt.db.context import also_in, tenant_context
from meldpunt.dossiers.cipher import CaseCipher, case_cipher
from meldpunt.dossiers.documents import OpenedDocument, open_document
from meldpunt.dossiers.keys import Keyring
from meldpunt.dossiers.storage import ObjectStore
from meldpunt.identity import services as identity
from meldpunt.identity.models import AccountRef
from meldpunt.intake.attachments import Checked, attach, attachments_of, reporters_files
from meldpunt.intake.challenge import Proof
from meldpunt.intake.errors import (
    AlreadyKnown,
    AttachmentNotFound,
    CannotWithdraw,
    CaseNotFound,
    ComplaintNeedsName,
    IdentityMismatch,
    NoChannelBack,
    NothingChosen,
    PeriodOutOfRange,
    ReceiptNotRecognised,
)
from meldpunt.intake.grounds import GROUNDS, case_attributes, stored_attributes
from meldpunt.intake.models import (
    Anonymity,
    Case,
    CaseKind,
    CaseMessage,
    CaseStatus,
    Deadline,
    DeadlineKind,
    ReceiptSalt,
    may_move,
    move_case,
)
from meldpunt.intake.schemas import AttachmentOut, DismissalIn, Identity, SubmissionIn
from meldpunt.notifications import services as notifications
from meldpunt.retention import services as retention
from meldpunt.retention.models import DestroyedCase
from meldpunt.tenancy.models import Tenant
from meldpunt.tenancy.terms import terms_of

if TYPE_CHECKING:  # ratelimit finds cases by receipt here, so it is imported only for its type
    from meldpunt.intake.ratelimit import FloodGuard

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
ACKNOWLEDGE_DAYS = 7  # the Wbk's acknowledgement term (DESIGN §7), the floor for every tenant
UNSOLVED = Proof()  # a submission sent without the page's script


def new_receipt() -> str:
    return "".join(str(secrets.randbelow(10)) for _ in range(16))


def normalise_receipt(typed: str) -> str:
    return "".join(character for character in typed if character.isdigit())


def format_receipt(receipt: str) -> str:
    return " ".join(receipt[i : i + 4] for i in range(0, 16, 4))


async def _salt(session: AsyncSession, tenant_id: uuid.UUID) -> bytes:
    row = (await session.execute(select(ReceiptSalt).where(ReceiptSalt.tenant_id == tenant_id))).scalar()
    if row is None:
        row = ReceiptSalt(tenant_id=tenant_id, salt=os.urandom(16))
        session.add(row)
        await session.flush()
    return row.salt


async def hash_receipt(session: AsyncSession, tenant_id: uuid.UUID, receipt: str) -> bytes:
    salt = await _salt(session, tenant_id)
    # OWASP's Argon2id baseline (19 MiB, 2 passes): slow enough against guessing, one hash per log-in.
    return await anyio.to_thread.run_sync(
        lambda: hash_secret_raw(
            receipt.encode(), salt, time_cost=2, memory_cost=19 * 1024, parallelism=1, hash_len=32, type=Type.ID
        )
    )


@dataclass(frozen=True)
class Registered:
    case: Case
    receipt: str | None
    acknowledge_by: datetime


def _check(submission: SubmissionIn) -> None:
    if submission.kind == "complaint" and (
        submission.anonymity != "confidential" or not submission.reporter_is_affected
    ):
        raise ComplaintNeedsName()
    if submission.anonymity == "confidential" and submission.identity is None:
        raise IdentityMismatch("missing")
    if submission.anonymity != "confidential" and submission.identity is not None:
        raise IdentityMismatch("not-wanted")


async def register_submission(
    session: AsyncSession, keyring: Keyring, tenant: Tenant, submission: SubmissionIn, *, flood_marked: bool = False
) -> Registered:
    """Register a report, signal or complaint; create its deadlines; tell the reporting point that something
    arrived (never what). ``flood_marked``: it arrived during a flood without a solved challenge
    (intake/ratelimit.py), so the reporting point may dismiss it in bulk."""
    _check(submission)
    await tenant_context(session, [tenant.id])
    case_id = uuid.uuid4()
    cipher = await case_cipher(session, keyring, tenant.id, case_id, create=True)
    receipt = new_receipt() if submission.anonymity != "anonymous" else None
    case = _new_case(cipher, submission, flood_marked)
    case.receipt_hash = await hash_receipt(session, tenant.id, receipt) if receipt else None
    session.add(case)
    await session.flush()
    acknowledge_by = _start_deadlines(session, tenant, case)
    await audit.record(
        session,
        tenant.id,
        ANONYMOUS,
        "intake.registered",
        "case",
        case_id,
        kind=submission.kind,
        anonymity=submission.anonymity,
        flood_marked=flood_marked,
    )
    # A flood's marked submissions are told once an hour, not once each: a flood must not fill the mailbox.
    arrival = f"flood:{datetime.now(UTC):%Y%m%d%H}" if flood_marked else str(case_id)
    await _tell_reporting_point_accounts(session, tenant, "intake.new_submission", arrival)
    return Registered(case, receipt, acknowledge_by)


def _new_case(cipher: CaseCipher, submission: SubmissionIn, flood_marked: bool) -> Case:
    """The case row of a submission: closed lists and flags as they are, what the reporter wrote, who they
    are and the grounds (sealed for every case: an empty column would say which cases have them) sealed."""
    attributes = msgspec.to_builtins(submission.attributes)
    return Case(
        tenant_id=cipher.tenant_id,
        id=cipher.case_id,
        kind=CaseKind(submission.kind),
        anonymity=Anonymity(submission.anonymity),
        status=CaseStatus.RECEIVED,
        category=submission.category,
        attributes=stored_attributes(attributes),
        reporter_role=submission.reporter_role,
        reporter_is_affected=submission.reporter_is_affected,
        accused_role=submission.accused_role,
        setting=submission.setting,
        wishes=list(submission.wishes),
        sealed_narrative=cipher.seal(submission.narrative, "narrative"),
        sealed_identity=cipher.seal_value(submission.identity, "identity") if submission.identity else None,
        sealed_grounds=cipher.seal_value(attributes[GROUNDS], "grounds"),
        flood_marked=flood_marked,
    )


def _start_deadlines(session: AsyncSession, tenant: Tenant, case: Case) -> datetime:
    """The deadline engine (DESIGN §7) starts here: acknowledge, route, and for a report or complaint the
    statutory month to inform the accused in writing (seed-000 §2.3 Stap 2). Returns the acknowledgement's."""
    terms = terms_of(tenant.procedure)
    now = datetime.now(UTC)
    acknowledge_by = now + timedelta(days=min(terms.acknowledge_days, ACKNOWLEDGE_DAYS))
    add_deadline(session, case, DeadlineKind.ACKNOWLEDGE, acknowledge_by, "reporting_point")
    add_deadline(session, case, DeadlineKind.ROUTE, now + timedelta(days=terms.route_days), "reporting_point")
    if case.kind in (CaseKind.REPORT, CaseKind.COMPLAINT):
        inform_by = now + timedelta(days=terms.inform_accused_days)
        add_deadline(session, case, DeadlineKind.INFORM_ACCUSED, inform_by, "decision_maker")
    return acknowledge_by


async def submit(
    session: AsyncSession,
    keyring: Keyring,
    store: ObjectStore,
    guard: FloodGuard,
    tenant: Tenant,
    submission: SubmissionIn,
    *,
    files: Sequence[Checked] = (),
    proof: Proof = UNSOLVED,
    spend_draft: Callable[[AsyncSession], Awaitable[None]] | None = None,
) -> Registered:
    """A submission as the reporter sends it, from the page or the API: admitted by the flood guard, registered
    with its (checked) files, and, when it was written from an adviser's draft, with that draft spent, all in
    one transaction: a draft code that does not open refuses the whole. ``spend_draft`` comes from vault/ (a
    floor above intake), which owns the drafts."""
    async with guard.arrival(session, tenant.id, *proof) as marked:
        if spend_draft is not None:
            await spend_draft(session)
        registered = await register_submission(session, keyring, tenant, submission, flood_marked=marked)
        if files:
            await attach(session, keyring, store, tenant.id, registered.case, files)
    return registered


def add_deadline(
    session: AsyncSession,
    case: Case,
    kind: str,
    due_at: datetime,
    responsible_role: str,
    subject_id: uuid.UUID | None = None,
    *,
    responsible: AccountRef | None = None,
    guardian: AccountRef | None = None,
) -> Deadline:
    """A deadline of the case (DESIGN §7): reminded to ``responsible`` (the account seated for it on the
    case) or else to the case's seat in ``responsible_role``; reported when it passes (to ``guardian``, a
    process guardian's seat of a module above, when the case has no panel guardian)."""
    deadline = Deadline(
        tenant_id=case.tenant_id,
        id=uuid.uuid4(),
        case_id=case.id,
        kind=DeadlineKind(kind),
        due_at=due_at,
        responsible_role=responsible_role,
        responsible_tenant_id=responsible.tenant_id if responsible else None,
        responsible_id=responsible.id if responsible else None,
        subject_id=subject_id,
        guardian_tenant_id=guardian.tenant_id if guardian else None,
        guardian_id=guardian.id if guardian else None,
    )
    session.add(deadline)
    return deadline


async def meet_deadlines(session: AsyncSession, case: Case, kind: str, subject_id: uuid.UUID | None = None) -> int:
    """Every open deadline of this kind in the case (about ``subject_id`` when given) is met now; how many."""
    query = select(Deadline).where(
        Deadline.tenant_id == case.tenant_id,
        Deadline.case_id == case.id,
        Deadline.kind == kind,
        Deadline.met_at.is_(None),
    )
    if subject_id is not None:
        query = query.where(Deadline.subject_id == subject_id)
    met = 0
    for deadline in (await session.execute(query)).scalars():
        deadline.met_at = datetime.now(UTC)
        met += 1
    return met


async def open_deadlines(session: AsyncSession, case: Case) -> list[Deadline]:
    """The case's unmet deadlines, soonest first."""
    query = select(Deadline).where(
        Deadline.tenant_id == case.tenant_id, Deadline.case_id == case.id, Deadline.met_at.is_(None)
    )
    return list((await session.execute(query.order_by(Deadline.due_at))).scalars())


async def reporting_point_accounts(session: AsyncSession, tenant: Tenant) -> list[AccountRef]:
    """Who receives a submission: the tenant's reporting point, else (small members) the branch's."""
    for owner in (tenant.id, tenant.branch_id):
        if owner is None:
            continue
        async with also_in(session, tenant.id, owner):
            holders = await identity.role_holders(session, owner, "reporting_point")
        if holders:
            return holders
    return []


async def case_for_receipt(session: AsyncSession, tenant: Tenant, typed: str) -> Case:
    await tenant_context(session, [tenant.id])
    receipt = normalise_receipt(typed)
    if len(receipt) != 16:
        raise ReceiptNotRecognised()
    digest = await hash_receipt(session, tenant.id, receipt)
    tombstone = await retention.destroyed_case(session, tenant.id, receipt_hash=digest)
    if tombstone is not None:  # the receipt holder is told that, when and under which policy; nothing more
        raise retention.destroyed_notice(tombstone)
    case = (
        await session.execute(select(Case).where(Case.tenant_id == tenant.id, Case.receipt_hash == digest))
    ).scalar()
    if case is None:
        raise ReceiptNotRecognised()
    return case


class Message(NamedTuple):
    """A message of the two-way channel as the reporter and the reporting point read it."""

    from_reporter: bool
    text: str
    at: datetime


async def inbox(session: AsyncSession, keyring: Keyring, tenant: Tenant, case: Case) -> list[Message]:
    """The messages of the case both ways, decrypted for the reporter who holds the receipt."""
    cipher = await case_cipher(session, keyring, tenant.id, case.id)
    messages = (
        await session.execute(
            select(CaseMessage)
            .where(CaseMessage.tenant_id == tenant.id, CaseMessage.case_id == case.id)
            .order_by(CaseMessage.created_at)
        )
    ).scalars()
    return [
        Message(m.author == "reporter", cipher.open(m.sealed_body, "message", m.id) or "", m.created_at)
        for m in messages
    ]


@dataclass(frozen=True, kw_only=True)
class InboxView:
    """What the reporter who holds the receipt sees of their case, on the page and through the API alike."""

    case: Case
    messages: list[Message]
    files: list[AttachmentOut]  # the ones the reporter added
    identity: Identity | None
    may_reveal: bool
    may_withdraw: bool


async def inbox_view(session: AsyncSession, keyring: Keyring, tenant: Tenant, case: Case) -> InboxView:
    return InboxView(
        case=case,
        messages=await inbox(session, keyring, tenant, case),
        files=await reporters_files(session, keyring, tenant.id, case),
        identity=await reporter_identity(session, keyring, tenant, case),
        may_reveal=may_reveal(case),
        may_withdraw=may_withdraw(case),
    )


async def add_from_reporter(
    session: AsyncSession,
    keyring: Keyring,
    store: ObjectStore,
    tenant: Tenant,
    case: Case,
    *,
    text: str = "",
    files: Sequence[Checked] = (),
) -> None:
    """A message, files or both from the reporter who holds the receipt; the reporting point is told."""
    if text:
        await add_message(session, keyring, tenant, case, "reporter", text)
    if files:
        await attach(session, keyring, store, tenant.id, case, files)
        if not text:
            await tell_reporting_point(session, tenant, case)


async def add_message(
    session: AsyncSession, keyring: Keyring, tenant: Tenant, case: Case, author: str, text: str
) -> CaseMessage:
    cipher = await case_cipher(session, keyring, tenant.id, case.id)
    message_id = uuid.uuid4()
    message = CaseMessage(
        tenant_id=tenant.id,
        id=message_id,
        case_id=case.id,
        author=author,
        sealed_body=cipher.seal(text, "message", message_id),
    )
    session.add(message)
    await session.flush()
    await audit.record(
        session,
        tenant.id,
        ANONYMOUS if author == "reporter" else audit.AuditActor(author),
        "case.message",
        "case",
        case.id,
        from_reporter=author == "reporter",
    )
    if author == "reporter":
        await tell_reporting_point(session, tenant, case)
    return message


def may_reveal(case: Case) -> bool:
    """Only a reporter who stayed anonymous with a receipt can still give their name."""
    return case.anonymity == Anonymity.ANONYMOUS_WITH_CONTACT


def may_withdraw(case: Case) -> bool:
    """A complaint, until it is withdrawn or judged."""
    return case.kind == CaseKind.COMPLAINT and may_move(case, CaseStatus.WITHDRAWN)


async def tell_reporting_point(session: AsyncSession, tenant: Tenant, case: Case) -> None:
    """The reporter added something (a message, a file, their name, a withdrawal): one e-mail a case a day
    to the reporting point, naming nothing of it."""
    today = datetime.now(UTC).date().isoformat()
    await _tell_reporting_point_accounts(session, tenant, "intake.update", f"{case.id}:{today}")


async def _tell_reporting_point_accounts(session: AsyncSession, tenant: Tenant, event: str, occasion: str) -> None:
    """One e-mail per account of the reporting point and ``occasion`` (the dedup key), naming nothing."""
    for account in await reporting_point_accounts(session, tenant):
        await notifications.notify(
            session, tenant.id, account, event, {"count": 1}, dedup_key=f"{event}:{occasion}:{account.id}"
        )


async def reporter_identity(session: AsyncSession, keyring: Keyring, tenant: Tenant, case: Case) -> Identity | None:
    if case.sealed_identity is None:
        return None
    cipher = await case_cipher(session, keyring, tenant.id, case.id)
    return cipher.open_value(case.sealed_identity, Identity, "identity")


async def reveal_identity(
    session: AsyncSession, keyring: Keyring, tenant: Tenant, case: Case, identity: Identity
) -> None:
    """The reporter who reported anonymously with a receipt makes themselves known (seed-000 Implications A):
    from now on the case is confidential, with their name."""
    if not may_reveal(case):
        raise AlreadyKnown()
    cipher = await case_cipher(session, keyring, tenant.id, case.id)
    case.sealed_identity = cipher.seal_value(identity, "identity")
    case.anonymity = Anonymity.CONFIDENTIAL
    await session.flush()
    await audit.record(session, tenant.id, ANONYMOUS, "case.identity_revealed", "case", case.id)
    await tell_reporting_point(session, tenant, case)


async def withdraw_complaint(session: AsyncSession, tenant: Tenant, case: Case) -> None:
    """The complainant withdraws their complaint; possible until it has been judged."""
    if case.kind != CaseKind.COMPLAINT:
        raise CannotWithdraw("not-complaint")
    if case.status == CaseStatus.WITHDRAWN:
        raise CannotWithdraw("already")
    if not may_move(case, CaseStatus.WITHDRAWN):  # judged or closed (set by case handling)
        raise CannotWithdraw("judged")
    move_case(case, CaseStatus.WITHDRAWN)
    await session.flush()
    await audit.record(session, tenant.id, ANONYMOUS, "case.withdrawn", "case", case.id)
    await tell_reporting_point(session, tenant, case)


@dataclass(frozen=True)
class SubmissionSummary:
    case: Case
    acknowledge_by: datetime | None
    acknowledged: bool


async def list_submissions(session: AsyncSession, tenant_ids: list[uuid.UUID]) -> list[SubmissionSummary]:
    """What arrived in these tenants, newest first: kinds and dates only, nothing the reporter wrote."""
    await tenant_context(session, tenant_ids)
    rows = await session.execute(
        select(Case, Deadline)
        .outerjoin(
            Deadline,
            (Deadline.tenant_id == Case.tenant_id)
            & (Deadline.case_id == Case.id)
            & (Deadline.kind == DeadlineKind.ACKNOWLEDGE),
        )
        .where(Case.tenant_id.in_(tenant_ids), not_destroyed(), Case.status != CaseStatus.DISMISSED)
        .order_by(Case.created_at.desc())
    )
    return [
        SubmissionSummary(case, deadline.due_at if deadline else None, bool(deadline and deadline.met_at))
        for case, deadline in rows
    ]


def not_destroyed() -> ColumnElement[bool]:
    """A case whose destruction has not begun (its rows stay until the purge's last step)."""
    return ~exists().where(DestroyedCase.tenant_id == Case.tenant_id, DestroyedCase.case_id == Case.id)


async def dismiss_marked(
    session: AsyncSession, actor: audit.AuditActor, tenant: Tenant, choice: DismissalIn
) -> list[uuid.UUID]:
    """Dismiss submissions that arrived during a flood without a solved challenge (DESIGN §11): the chosen
    ones, or every one received in the period. Only marked ones that nobody has handled yet (status still
    received): a real case cannot be swept away with the junk. Their deadlines close; each is audited."""
    if not choice.case_ids and choice.received_from is None and choice.received_until is None:
        raise NothingChosen()
    for day in (choice.received_from, choice.received_until):
        if day is not None and not EARLIEST_DAY <= day <= LATEST_DAY:
            raise PeriodOutOfRange()
    await tenant_context(session, [tenant.id])
    query = select(Case).where(Case.tenant_id == tenant.id, Case.flood_marked, Case.status == CaseStatus.RECEIVED)
    if choice.case_ids:
        query = query.where(Case.id.in_(choice.case_ids))
    if choice.received_from is not None:
        query = query.where(Case.created_at >= _start_of(choice.received_from))
    if choice.received_until is not None:
        query = query.where(Case.created_at < _start_of(choice.received_until) + timedelta(days=1))
    cases = list((await session.execute(query.with_for_update())).scalars())
    now = datetime.now(UTC)
    for case in cases:
        move_case(case, CaseStatus.DISMISSED)
        await audit.record(session, tenant.id, actor, "intake.dismissed", "case", case.id, reason="flood")
    if cases:
        await session.execute(
            update(Deadline)
            .where(
                Deadline.tenant_id == tenant.id, Deadline.case_id.in_([c.id for c in cases]), Deadline.met_at.is_(None)
            )
            .values(met_at=now)
        )
    return [case.id for case in cases]


# Submissions exist only in this era; a day outside it would not even convert to a database timestamp.
EARLIEST_DAY, LATEST_DAY = date(2000, 1, 1), date(9998, 12, 31)


def _start_of(day: date) -> datetime:
    # The organisation's days are Dutch days (the pages show dates in Europe/Amsterdam).
    return datetime.combine(day, time.min, tzinfo=AMSTERDAM)


async def find_case(session: AsyncSession, tenant: Tenant, case_id: uuid.UUID) -> Case:
    """The case, or the notice that it was destroyed (DESIGN §9), or not found."""
    await tenant_context(session, [tenant.id])
    # One query for a live case (the usual path); its tombstone rides along while a purge is under way.
    found = (
        await session.execute(
            select(Case, DestroyedCase)
            .outerjoin(DestroyedCase, and_(DestroyedCase.tenant_id == Case.tenant_id, DestroyedCase.case_id == Case.id))
            .where(Case.tenant_id == tenant.id, Case.id == case_id)
        )
    ).first()
    tombstone = found[1] if found else await retention.destroyed_case(session, tenant.id, case_id=case_id)
    if tombstone is not None:
        raise retention.destroyed_notice(tombstone)
    if found is None:
        raise CaseNotFound()
    case: Case = found[0]
    return case


@dataclass(frozen=True)
class SubmissionDetail:
    case: Case
    narrative: str
    attributes: dict[str, Any]  # with the grounds opened
    messages: list[Message]
    identity: Identity | None
    attachments: list[AttachmentOut]


async def read_submission(
    session: AsyncSession, keyring: Keyring, actor: audit.AuditActor, tenant: Tenant, case_id: uuid.UUID
) -> SubmissionDetail:
    """What the reporter wrote (with the grounds), who they are (if they said), their files and the
    messages; the read is written to the audit log."""
    case = await find_case(session, tenant, case_id)
    cipher = await case_cipher(session, keyring, tenant.id, case.id)
    narrative = cipher.open(case.sealed_narrative, "narrative") or ""  # a non-null column opens to a text
    await audit.record(session, tenant.id, actor, "case.read", "case", case.id)
    return SubmissionDetail(
        case,
        narrative,
        await case_attributes(session, keyring, case),
        await inbox(session, keyring, tenant, case),
        await reporter_identity(session, keyring, tenant, case),
        await attachments_of(session, keyring, tenant.id, case),
    )


async def open_attachment(
    session: AsyncSession,
    keyring: Keyring,
    store: ObjectStore,
    actor: audit.AuditActor,
    tenant: Tenant,
    case_id: uuid.UUID,
    document_id: uuid.UUID,
) -> OpenedDocument:
    """An attachment of this case, decrypted as a stream (the read is audited by the dossier), under the
    name the case's list gives it (``bijlage-N.ext``)."""
    case = await find_case(session, tenant, case_id)
    listed = next((a for a in await attachments_of(session, keyring, tenant.id, case) if a.id == document_id), None)
    if listed is None:
        raise AttachmentNotFound()
    opened = await open_document(session, keyring, store, actor, tenant.id, listed.id)
    return dataclasses.replace(opened, meta=msgspec.structs.replace(opened.meta, filename=listed.filename))


async def reply(
    session: AsyncSession, keyring: Keyring, actor: audit.AuditActor, tenant: Tenant, case_id: uuid.UUID, text: str
) -> CaseMessage:
    """Answer the reporter; the first answer meets the acknowledgement deadline."""
    case = await find_case(session, tenant, case_id)
    if case.anonymity == Anonymity.ANONYMOUS:
        raise NoChannelBack()
    message = await add_message(session, keyring, tenant, case, actor.label, text)
    await meet_deadlines(session, case, DeadlineKind.ACKNOWLEDGE)
    return message

"""The adviser's vault. Every function works inside the adviser's own vault: the session is scoped to the
tenant *and* to the adviser as vault owner, so the database itself shows no other adviser's rows.

Notes, labels, consent notes and disclosed content are encrypted with the consultation's own key.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, NamedTuple, TypeVar

import msgspec
from sqlalchemy import String, cast, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from meldpunt.audit import services as audit
from meldpunt.audit.models import AuditEntry
from meldpunt.audit.services import AuditActor
from meldpunt.db.base import Base
from meldpunt.db.context import also_in, tenant_context, vault_context
from meldpunt.dossiers.cipher import CaseCipher, case_cipher
from meldpunt.dossiers.documents import RecordClass
from meldpunt.dossiers.keys import Keyring
from meldpunt.identity.models import AccountRef
from meldpunt.intake import ratelimit
from meldpunt.intake.grounds import GROUNDS, stored_attributes
from meldpunt.intake.schemas import SubmissionIn
from meldpunt.intake.services import hash_receipt, new_receipt, normalise_receipt
from meldpunt.retention import services as retention
from meldpunt.retention.models import LegalHold, RetentionPolicy
from meldpunt.tenancy.models import Tenant
from meldpunt.vault.errors import (
    ConsentNotFound,
    ConsultationClosed,
    ConsultationNotFound,
    DisclosureRefused,
    DraftNotRecognised,
)
from meldpunt.vault.models import (
    AdviserSignal,
    ConsentBasis,
    ConsentRecord,
    Consultation,
    ConsultationContact,
    ConsultationStatus,
    Disclosure,
    ReportDraft,
    VaultRetention,
)
from meldpunt.vault.schemas import ConsentIn, ConsultationIn, ContactIn, DisclosureIn, SignalIn

DRAFT_DAYS = 30
# The purposes a consultation's (or a signal's, a draft's) texts are sealed for: part of their associated data.
VAULT, GROUNDS_PURPOSE, DRAFT = "vault", "grounds", "draft"


@dataclass(frozen=True)
class Adviser:
    """The adviser acting in their vault: their account and the tenant whose vault it is."""

    account: AccountRef
    tenant: Tenant

    @property
    def actor(self) -> AuditActor:
        return AuditActor.account(self.account.id)


async def enter_vault(session: AsyncSession, adviser: Adviser) -> None:
    """Scope the session to the tenant and to this adviser's vault."""
    await tenant_context(session, [adviser.tenant.id])
    await vault_context(session, adviser.account.id)


def _owned(adviser: Adviser) -> dict[str, uuid.UUID]:
    return {
        "tenant_id": adviser.tenant.id,
        "adviser_account_tenant_id": adviser.account.tenant_id,
        "adviser_account_id": adviser.account.id,
    }


async def _cipher(
    session: AsyncSession, keyring: Keyring, adviser: Adviser, consultation_id: uuid.UUID, *, create: bool = False
) -> CaseCipher:
    """The consultation's cipher: its texts are sealed for purpose "vault", each bound to its own row."""
    return await case_cipher(session, keyring, adviser.tenant.id, consultation_id, create=create)


async def _audit(
    session: AsyncSession,
    adviser: Adviser,
    action: str,
    resource_id: uuid.UUID,
    resource_type: str = "consultation",
    **details: Any,
) -> None:
    """An entry in the adviser's own vault chain of the audit log, never in the tenant's (DESIGN §6)."""
    await audit.record(
        session,
        adviser.tenant.id,
        adviser.actor,
        action,
        resource_type,
        resource_id,
        vault_owner=adviser.account.id,
        **details,
    )


async def _written(
    session: AsyncSession,
    adviser: Adviser,
    row: Base,
    action: str,
    resource_id: uuid.UUID,
    resource_type: str = "consultation",
    **details: Any,
) -> None:
    """A new row in the vault, with its audit entry (on the consultation it belongs to)."""
    session.add(row)
    await session.flush()
    await _audit(session, adviser, action, resource_id, resource_type, **details)


async def open_consultation(
    session: AsyncSession, keyring: Keyring, adviser: Adviser, data: ConsultationIn
) -> Consultation:
    await enter_vault(session, adviser)
    consultation_id = uuid.uuid4()
    cipher = await _cipher(session, keyring, adviser, consultation_id, create=True)
    consultation = Consultation(
        **_owned(adviser),
        id=consultation_id,
        status=ConsultationStatus.OPEN,
        opened_on=data.opened_on or date.today(),
        category=data.category,
        reporter_role=data.reporter_role,
        sealed_label=cipher.seal(data.label, VAULT),
    )
    await _written(session, adviser, consultation, "vault.consultation_opened", consultation_id)
    return consultation


async def _consultation(session: AsyncSession, adviser: Adviser, consultation_id: uuid.UUID) -> Consultation:
    await enter_vault(session, adviser)
    found = (
        await session.execute(
            select(Consultation).where(
                Consultation.tenant_id == adviser.tenant.id,
                Consultation.id == consultation_id,
                Consultation.adviser_account_id == adviser.account.id,
            )
        )
    ).scalar()
    if found is None:
        raise ConsultationNotFound()
    return found


@dataclass(frozen=True)
class ConsultationView:
    consultation: Consultation
    label: str
    contacts: int


async def list_consultations(session: AsyncSession, keyring: Keyring, adviser: Adviser) -> list[ConsultationView]:
    await enter_vault(session, adviser)
    rows = (
        await session.execute(
            select(Consultation, func.count(ConsultationContact.id))
            .outerjoin(
                ConsultationContact,
                (ConsultationContact.tenant_id == Consultation.tenant_id)
                & (ConsultationContact.consultation_id == Consultation.id),
            )
            .where(Consultation.tenant_id == adviser.tenant.id, Consultation.adviser_account_id == adviser.account.id)
            .group_by(Consultation.tenant_id, Consultation.id)
            .order_by(Consultation.status.desc(), Consultation.opened_on.desc())
        )
    ).all()
    views = []
    for consultation, contacts in rows:
        cipher = await _cipher(session, keyring, adviser, consultation.id)
        views.append(ConsultationView(consultation, cipher.open(consultation.sealed_label, VAULT) or "", contacts))
    return views


@dataclass(frozen=True)
class ConsultationDetail:
    view: ConsultationView
    contacts: list[tuple[ConsultationContact, str | None]]
    consents: list[tuple[ConsentRecord, str | None]]
    disclosures: list[tuple[Disclosure, str]]


Ledger = TypeVar("Ledger", ConsultationContact, ConsentRecord, Disclosure)


def _entry(model: type[Ledger], adviser: Adviser, consultation: Consultation, **columns: Any) -> Ledger:
    """A new row of a consultation's ledger, with its own id (its sealed texts are bound to it)."""
    return model(**_owned(adviser), id=uuid.uuid4(), consultation_id=consultation.id, **columns)


async def _ledger(session: AsyncSession, consultation: Consultation, model: type[Ledger], day: Any) -> list[Ledger]:
    """The rows of one kind in a consultation, by their day and then as written."""
    rows = await session.execute(
        select(model)
        .where(model.tenant_id == consultation.tenant_id, model.consultation_id == consultation.id)
        .order_by(day, model.created_at)
    )
    return list(rows.scalars())


async def read_consultation(
    session: AsyncSession, keyring: Keyring, adviser: Adviser, consultation_id: uuid.UUID
) -> ConsultationDetail:
    """Everything in one consultation, decrypted for its adviser (the read is audited)."""
    consultation = await _consultation(session, adviser, consultation_id)
    cipher = await _cipher(session, keyring, adviser, consultation.id)
    contacts = await _ledger(session, consultation, ConsultationContact, ConsultationContact.held_on)
    consents = await _ledger(session, consultation, ConsentRecord, ConsentRecord.given_on)
    disclosures = await _ledger(session, consultation, Disclosure, Disclosure.disclosed_on)
    await _audit(session, adviser, "vault.read", consultation.id)
    label = cipher.open(consultation.sealed_label, VAULT) or ""
    return ConsultationDetail(
        ConsultationView(consultation, label, len(contacts)),
        [(c, cipher.open(c.sealed_note, VAULT, c.id)) for c in contacts],
        [(c, cipher.open(c.sealed_note, VAULT, c.id)) for c in consents],
        [(d, cipher.open(d.sealed_content, VAULT, d.id) or "") for d in disclosures],
    )


def _still_open(consultation: Consultation) -> None:
    """Only an open consultation takes new contacts."""
    if consultation.status is not ConsultationStatus.OPEN:
        raise ConsultationClosed()


async def record_contact(
    session: AsyncSession, keyring: Keyring, adviser: Adviser, consultation_id: uuid.UUID, data: ContactIn
) -> ConsultationContact:
    consultation = await _consultation(session, adviser, consultation_id)
    _still_open(consultation)
    cipher = await _cipher(session, keyring, adviser, consultation.id)
    contact = _entry(
        ConsultationContact, adviser, consultation, held_on=data.held_on, channel=data.channel, minutes=data.minutes
    )
    contact.sealed_note = cipher.seal(data.note, VAULT, contact.id) if data.note else None
    await _written(session, adviser, contact, "vault.contact", consultation.id, channel=data.channel)
    return contact


async def record_consent(
    session: AsyncSession, keyring: Keyring, adviser: Adviser, consultation_id: uuid.UUID, data: ConsentIn
) -> ConsentRecord:
    """Write down what the reporter allows to leave the vault, or the legal duty that requires it."""
    consultation = await _consultation(session, adviser, consultation_id)
    cipher = await _cipher(session, keyring, adviser, consultation.id)
    record = _entry(
        ConsentRecord,
        adviser,
        consultation,
        basis=ConsentBasis(data.basis),
        recipient=data.recipient,
        scopes=list(data.scopes),
        given_on=data.given_on,
        valid_until=data.valid_until,
    )
    record.sealed_note = cipher.seal(data.note, VAULT, record.id) if data.note else None
    await _written(
        session, adviser, record, "vault.consent", consultation.id, basis=data.basis, recipient=data.recipient
    )
    return record


async def withdraw_consent(
    session: AsyncSession, adviser: Adviser, consultation_id: uuid.UUID, consent_id: uuid.UUID
) -> None:
    """The reporter takes their consent back: from today nothing more leaves under it."""
    consultation = await _consultation(session, adviser, consultation_id)
    consents = await _ledger(session, consultation, ConsentRecord, ConsentRecord.given_on)
    record = next((r for r in consents if r.id == consent_id), None)
    if record is None:
        raise ConsentNotFound()
    record.withdrawn_on = record.withdrawn_on or date.today()
    await _audit(session, adviser, "vault.consent_withdrawn", consultation.id)


def covers(record: ConsentRecord, recipient: str, scope: str, on: date) -> bool:
    """Whether this entry allows ``scope`` to go to ``recipient`` on day ``on``."""
    return (
        record.recipient == recipient
        and scope in record.scopes
        and record.given_on <= on
        and (record.valid_until is None or on <= record.valid_until)
        and (record.withdrawn_on is None or on < record.withdrawn_on)
    )


async def disclose(
    session: AsyncSession, keyring: Keyring, adviser: Adviser, consultation_id: uuid.UUID, data: DisclosureIn
) -> Disclosure:
    """Let something leave the vault, only under a consent entry (or legal basis) that covers it; what
    left is kept, encrypted, with the entry it relied on. Without one: refused, nothing recorded."""
    consultation = await _consultation(session, adviser, consultation_id)
    today = date.today()
    records = await _ledger(session, consultation, ConsentRecord, ConsentRecord.given_on.desc())
    basis = next((r for r in records if covers(r, data.recipient, data.scope, today)), None)
    if basis is None:
        raise DisclosureRefused()
    cipher = await _cipher(session, keyring, adviser, consultation.id)
    disclosure = _entry(
        Disclosure,
        adviser,
        consultation,
        consent_id=basis.id,
        recipient=data.recipient,
        scope=data.scope,
        disclosed_on=today,
    )
    disclosure.sealed_content = cipher.seal(data.content, VAULT, disclosure.id)
    await _written(
        session,
        adviser,
        disclosure,
        "vault.disclosure",
        consultation.id,
        recipient=data.recipient,
        scope=data.scope,
        basis=basis.basis,
    )
    return disclosure


async def close_consultation(session: AsyncSession, adviser: Adviser, consultation_id: uuid.UUID) -> None:
    """Close it; its notes are destroyed after the organisation's retention period for adviser notes."""
    consultation = await _consultation(session, adviser, consultation_id)
    consultation.move_to(ConsultationStatus.CLOSED)
    consultation.closed_on = date.today()
    policy = (
        await session.execute(
            select(RetentionPolicy).where(
                RetentionPolicy.tenant_id == adviser.tenant.id,
                RetentionPolicy.record_class == RecordClass.ADVISER_NOTE.value,
            )
        )
    ).scalar()
    if policy is not None:
        session.add(
            VaultRetention(
                tenant_id=adviser.tenant.id,
                id=consultation.id,
                owner_account_tenant_id=adviser.account.tenant_id,
                owner_account_id=adviser.account.id,
                closed_on=consultation.closed_on,
                due_at=datetime.now(UTC) + timedelta(days=policy.days),
            )
        )
    await _audit(session, adviser, "vault.consultation_closed", consultation.id)


async def purge_vaults(
    sessionmaker: async_sessionmaker[AsyncSession],
    keyring: Keyring,
    tenant_id: uuid.UUID,
    now: datetime,
    *,
    dry_run: bool = False,
) -> list[str]:
    """Destroy the closed consultations that are due and not under a legal hold: first their key
    (crypto-shredding, durable on its own), then, as the vault's owner, every row of them. One line and one
    certificate per consultation this run destroyed, without content; a consultation another sweep is
    destroying at the same moment is left to it."""
    async with sessionmaker() as session:
        due = await _due_consultations(session, tenant_id, now)
    if dry_run:
        return [f"would destroy an adviser's consultation {cid} (closed {closed})" for cid, _, closed in due]
    lines = []
    for consultation_id, owner, closed in due:
        async with retention.case_lock(sessionmaker, tenant_id, consultation_id) as locked:
            if not locked:
                continue
            async with sessionmaker() as session:  # again, under the lock: another sweep may have done it
                still_due = any(
                    cid == consultation_id for cid, _, _ in await _due_consultations(session, tenant_id, now)
                )
            if still_due:
                await _destroy_consultation(sessionmaker, keyring, tenant_id, consultation_id, owner)
                lines.append(f"destroyed an adviser's consultation {consultation_id} (closed {closed})")
    return lines


async def _due_consultations(
    session: AsyncSession, tenant_id: uuid.UUID, now: datetime
) -> list[tuple[uuid.UUID, uuid.UUID, date]]:
    """Closed consultations past their ``adviser_note`` period whose records no legal hold keeps."""
    await tenant_context(session, [tenant_id])
    rows = (
        await session.execute(
            select(VaultRetention).where(VaultRetention.tenant_id == tenant_id, VaultRetention.due_at <= now)
        )
    ).scalars()
    due = [(row.id, row.owner_account_id, row.closed_on) for row in rows]
    return [item for item in due if not await retention.consultation_on_hold(session, tenant_id, item[0])]


async def _destroy_consultation(
    sessionmaker: async_sessionmaker[AsyncSession],
    keyring: Keyring,
    tenant_id: uuid.UUID,
    consultation_id: uuid.UUID,
    owner: uuid.UUID,
) -> None:
    async with sessionmaker() as session:  # (1) crypto-shred, durable before anything else
        await tenant_context(session, [tenant_id])
        await keyring.destroy_case_key(session, tenant_id, consultation_id)
        await session.commit()
    async with sessionmaker() as session:  # (2) the rows, opened as the vault's owner, and the certificate
        await tenant_context(session, [tenant_id])
        await vault_context(session, owner)
        counts = {}
        for model in (Disclosure, ConsentRecord, ConsultationContact):
            result = await session.execute(
                delete(model).where(model.tenant_id == tenant_id, model.consultation_id == consultation_id)
            )
            counts[model.__tablename__] = result.rowcount  # type: ignore[attr-defined]
        for table in (Consultation, VaultRetention):
            result = await session.execute(
                delete(table).where(table.tenant_id == tenant_id, table.id == consultation_id)
            )
            counts[table.__tablename__] = result.rowcount  # type: ignore[attr-defined]
        await session.execute(
            delete(LegalHold).where(LegalHold.tenant_id == tenant_id, LegalHold.consultation_id == consultation_id)
        )
        await audit.record(
            session,
            tenant_id,
            AuditActor.system("retention"),
            "vault.purged",
            "consultation",
            consultation_id,
            vault_owner=owner,
            rows=",".join(f"{table}:{count}" for table, count in sorted(counts.items()) if count),
        )
        await session.commit()


@dataclass(frozen=True)
class ReceivedSignal:
    """A signal as those who may read signals see it: its row and its attributes with the grounds opened."""

    signal: AdviserSignal
    attributes: dict[str, Any]


async def send_signal(session: AsyncSession, keyring: Keyring, adviser: Adviser, data: SignalIn) -> ReceivedSignal:
    """An anonymised signal to the organisation: closed lists, the month only, no link to a consultation
    and no adviser on the row. Who sent it and when is in the adviser's own vault chain of the audit log,
    never in the tenant's (DESIGN §6). Its discrimination grounds are sealed with a key of its own, also
    when there are none (an empty column would say which signals have them)."""
    await enter_vault(session, adviser)
    signal_id = uuid.uuid4()
    cipher = await case_cipher(session, keyring, adviser.tenant.id, signal_id, create=True)
    grounds = list(data.attributes.discrimination_grounds)
    signal = AdviserSignal(
        tenant_id=adviser.tenant.id,
        id=signal_id,
        month=date.today().replace(day=1),
        category=data.category,
        setting=data.setting,
        accused_role=data.accused_role,
        attributes=stored_attributes(msgspec.to_builtins(data.attributes)),
        sealed_grounds=cipher.seal_value(grounds, GROUNDS_PURPOSE),
        suggestions=list(data.suggestions),
    )
    await _written(session, adviser, signal, "vault.signal", signal.id, "adviser_signal")
    return ReceivedSignal(signal, {**signal.attributes, GROUNDS: grounds})


async def _opened(session: AsyncSession, keyring: Keyring, signal: AdviserSignal) -> ReceivedSignal:
    grounds: list[str] = []
    if signal.sealed_grounds is not None:
        cipher = await case_cipher(session, keyring, signal.tenant_id, signal.id)
        grounds = cipher.open_value(signal.sealed_grounds, list[str], GROUNDS_PURPOSE)
    return ReceivedSignal(signal, {**signal.attributes, GROUNDS: grounds})


async def list_signals(session: AsyncSession, keyring: Keyring, tenant: Tenant) -> list[ReceivedSignal]:
    """The tenant's signals with their grounds opened; the caller checked that the actor may read signals."""
    await tenant_context(session, [tenant.id])
    signals = (
        await session.execute(
            select(AdviserSignal)
            .where(AdviserSignal.tenant_id == tenant.id)
            .order_by(AdviserSignal.month.desc(), AdviserSignal.category)
        )
    ).scalars()
    return [await _opened(session, keyring, signal) for signal in signals.all()]


async def prepare_draft(
    session: AsyncSession, keyring: Keyring, adviser: Adviser, submission: SubmissionIn
) -> tuple[str, datetime]:
    """A report prepared with the reporter; returns its code (shown once, for the reporter) and expiry.
    Only the reporter turns it into a report, by opening it with the code and sending it."""
    await enter_vault(session, adviser)
    draft_id = uuid.uuid4()
    cipher = await case_cipher(session, keyring, adviser.tenant.id, draft_id, create=True)
    code = new_receipt()
    expires_at = datetime.now(UTC) + timedelta(days=DRAFT_DAYS)
    draft = ReportDraft(
        tenant_id=adviser.tenant.id,
        id=draft_id,
        code_hash=await hash_receipt(session, adviser.tenant.id, "draft:" + code),
        sealed_submission=cipher.seal_value(submission, DRAFT),
        expires_at=expires_at,
    )
    await _written(session, adviser, draft, "vault.draft_prepared", draft_id, "report_draft")
    return code, expires_at


async def open_draft(
    session: AsyncSession, keyring: Keyring, tenant: Tenant, typed: str
) -> tuple[ReportDraft, SubmissionIn]:
    """The draft this code belongs to, for the reporter to check, change and send."""
    await tenant_context(session, [tenant.id])
    code = normalise_receipt(typed)
    if len(code) != 16:
        raise DraftNotRecognised()
    digest = await hash_receipt(session, tenant.id, "draft:" + code)
    draft = (
        await session.execute(
            select(ReportDraft).where(
                ReportDraft.tenant_id == tenant.id,
                ReportDraft.code_hash == digest,
                ReportDraft.used_at.is_(None),
                ReportDraft.expires_at > datetime.now(UTC),
            )
        )
    ).scalar()
    if draft is None:
        raise DraftNotRecognised()
    cipher = await case_cipher(session, keyring, tenant.id, draft.id)
    return draft, cipher.open_value(draft.sealed_submission, SubmissionIn, DRAFT)


async def open_draft_limited(
    session: AsyncSession, limiter: ratelimit.Limiter, keyring: Keyring, tenant: Tenant, typed: str
) -> tuple[ReportDraft, SubmissionIn]:
    """``open_draft`` after the rate limits of receipts: every draft code the public side tries goes through
    here."""
    await ratelimit.spend_receipt_attempt(limiter, tenant.id, "draft:" + normalise_receipt(typed))
    return await open_draft(session, keyring, tenant, typed)


async def use_draft(session: AsyncSession, keyring: Keyring, draft: ReportDraft) -> None:
    """The reporter sent it: the draft is spent and its key destroyed (the report has its own)."""
    draft.used_at = datetime.now(UTC)
    draft.sealed_submission = b""
    await keyring.destroy_case_key(session, draft.tenant_id, draft.id)


@dataclass(frozen=True)
class ContactCounts:
    contacts: int
    consultations: int
    by_category: dict[str, int]
    by_channel: dict[str, int]


async def contact_counts(session: AsyncSession, adviser: Adviser, year: int) -> ContactCounts:
    """The adviser's contacts in this tenant in ``year``, for the annual report: numbers only."""
    await enter_vault(session, adviser)
    rows = (
        await session.execute(
            select(ConsultationContact.channel, Consultation.category, Consultation.id)
            .join(
                Consultation,
                (Consultation.tenant_id == ConsultationContact.tenant_id)
                & (Consultation.id == ConsultationContact.consultation_id),
            )
            .where(
                ConsultationContact.tenant_id == adviser.tenant.id,
                ConsultationContact.held_on >= date(year, 1, 1),
                ConsultationContact.held_on <= date(year, 12, 31),
            )
        )
    ).all()
    return ContactCounts(
        contacts=len(rows),
        consultations=len({row.id for row in rows}),
        by_category=dict(Counter(row.category for row in rows)),
        by_channel=dict(Counter(row.channel for row in rows)),
    )


class EmployerVault(NamedTuple):
    """One organisation that hired the adviser, and how many consultations are open in their vault there."""

    tenant: Tenant
    open_consultations: int


async def vaults_of(session: AsyncSession, account_id: uuid.UUID, employers: list[Tenant]) -> list[EmployerVault]:
    """Across the employers that hired this adviser: how many consultations are open in each (their own
    vaults only: the owner setting holds in every tenant of the context)."""
    async with also_in(session, *(tenant.id for tenant in employers)):
        await vault_context(session, account_id)
        try:
            rows = await session.execute(
                select(Consultation.tenant_id, func.count())
                .where(Consultation.adviser_account_id == account_id, Consultation.status == ConsultationStatus.OPEN)
                .group_by(Consultation.tenant_id)
            )
        finally:
            await vault_context(session, None)
    counts: dict[uuid.UUID, int] = {row[0]: row[1] for row in rows}
    return [EmployerVault(tenant, counts.get(tenant.id, 0)) for tenant in employers]


def _quarter(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


@dataclass(frozen=True)
class YearTally:
    """What the adviser's annual report counts in one tenant, as coded numbers only (never a label, note or
    date finer than a quarter): each consultation with a contact in the year once, in the quarter of its first
    contact that year, by (quarter, category, reporter role, outcome); the contacts by (quarter, channel); the
    signals the adviser gave by (quarter, category). A consultation's outcome at the end of the year:
    ``passed_on`` when something left the vault (under consent or a legal duty), ``closed``, or ``ongoing``."""

    consultations: Counter[tuple[str, str, str | None, str]]
    contacts: Counter[tuple[str, str]]
    signals: Counter[tuple[str, str]]


async def year_tally(session: AsyncSession, adviser: Adviser, year: int) -> YearTally:
    """The adviser's own figures of ``year`` in this tenant (their own vault only), for the annual report."""
    await enter_vault(session, adviser)
    first, last = date(year, 1, 1), date(year, 12, 31)
    contacts = (
        await session.execute(
            select(ConsultationContact.consultation_id, ConsultationContact.held_on, ConsultationContact.channel).where(
                ConsultationContact.tenant_id == adviser.tenant.id,
                ConsultationContact.adviser_account_id == adviser.account.id,
                ConsultationContact.held_on >= first,
                ConsultationContact.held_on <= last,
            )
        )
    ).all()
    first_contact: dict[uuid.UUID, date] = {}
    for row in contacts:
        first_contact[row.consultation_id] = min(row.held_on, first_contact.get(row.consultation_id, row.held_on))
    consultations: Counter[tuple[str, str, str | None, str]] = Counter()
    if first_contact:
        passed_on = set(
            (
                await session.execute(
                    select(Disclosure.consultation_id).where(
                        Disclosure.tenant_id == adviser.tenant.id,
                        Disclosure.consultation_id.in_(first_contact),
                        Disclosure.disclosed_on <= last,
                    )
                )
            ).scalars()
        )
        rows = await session.execute(
            select(Consultation.id, Consultation.category, Consultation.reporter_role, Consultation.closed_on).where(
                Consultation.tenant_id == adviser.tenant.id, Consultation.id.in_(first_contact)
            )
        )
        for found in rows.all():
            ended = found.closed_on is not None and found.closed_on <= last
            outcome = "passed_on" if found.id in passed_on else "closed" if ended else "ongoing"
            consultations[(_quarter(first_contact[found.id]), found.category, found.reporter_role, outcome)] += 1
    given = await session.execute(
        select(AuditEntry.occurred_at, AdviserSignal.category)
        .join(AdviserSignal, cast(AdviserSignal.id, String) == AuditEntry.resource_id)
        .where(
            AuditEntry.tenant_id == adviser.tenant.id,
            AuditEntry.vault_owner_id == adviser.account.id,
            AuditEntry.action == "vault.signal",
            AdviserSignal.tenant_id == adviser.tenant.id,
            AuditEntry.occurred_at >= datetime(year, 1, 1, tzinfo=UTC),
            AuditEntry.occurred_at < datetime(year + 1, 1, 1, tzinfo=UTC),
        )
    )
    return YearTally(
        consultations=consultations,
        contacts=Counter((_quarter(row.held_on), row.channel) for row in contacts),
        signals=Counter((_quarter(occurred.date()), category) for occurred, category in given.all()),
    )

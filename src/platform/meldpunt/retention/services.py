"""Retention rules, due dates, legal holds and the purge.

The purge of a case whose every document is due: (1) destroy the case key and commit — from then on no
copy of its ciphertext, object versions and backups of the objects included, can be read; (2) delete every
stored object version; (3) delete the rows and write the deletion certificate, in one transaction. A run
killed anywhere is finished by the next: each step is idempotent and the rows stay until the last one.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import structlog
from sqlalchemy import delete, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from meldpunt.audit import services as audit
from meldpunt.audit.services import AuditActor
from meldpunt.db.context import tenant_context
from meldpunt.dossiers.crypto import associated_data, encrypt_text
from meldpunt.dossiers.documents import Document
from meldpunt.dossiers.keys import CaseKey, Keyring
from meldpunt.dossiers.storage import ObjectStore
from meldpunt.errors import NotFound
from meldpunt.identity import services as identity
from meldpunt.notifications import services as notifications
from meldpunt.retention.models import CaseEvent, HoldKind, LegalHold, RetentionPolicy, Trigger

log = structlog.get_logger(__name__)
PURGE = AuditActor.system("retention")


class HoldNotFound(NotFound):
    slug = "legal-hold-not-found"
    title = "Onbekende bewaarplicht"


@dataclass(frozen=True)
class EffectiveRule:
    record_class: str
    trigger: str
    days: int
    inherited: bool


async def sync_policies(session: AsyncSession, tenant_id: uuid.UUID, rules: Iterable[EffectiveRule]) -> list[str]:
    """Make ``tenant_id``'s policies exactly ``rules``; then recompute its documents' due dates."""
    await tenant_context(session, [tenant_id])
    wanted = {rule.record_class: rule for rule in rules}
    present = {
        p.record_class: p
        for p in (
            await session.execute(select(RetentionPolicy).where(RetentionPolicy.tenant_id == tenant_id))
        ).scalars()
    }
    changes = []
    for record_class, stale in present.items():
        if record_class not in wanted:
            await session.delete(stale)
            changes.append(f"retention {record_class}: removed")
    for record_class, rule in wanted.items():
        policy = present.get(record_class)
        if policy is None:
            session.add(
                RetentionPolicy(
                    tenant_id=tenant_id,
                    record_class=record_class,
                    trigger=rule.trigger,
                    days=rule.days,
                    inherited=rule.inherited,
                )
            )
        elif (policy.trigger, policy.days, policy.inherited) != (rule.trigger, rule.days, rule.inherited):
            policy.trigger, policy.days, policy.inherited = rule.trigger, rule.days, rule.inherited
        else:
            continue
        changes.append(f"retention {record_class}: {rule.days} days after {rule.trigger}")
    if changes:
        await session.flush()
        await audit.record(
            session,
            tenant_id,
            AuditActor.system("tenants-apply"),
            "retention.policies",
            "tenant",
            tenant_id,
            classes=",".join(sorted(wanted)),
        )
        await refresh_due_dates(session, tenant_id)
    return changes


async def refresh_due_dates(session: AsyncSession, tenant_id: uuid.UUID, case_id: uuid.UUID | None = None) -> None:
    """Store each document's due date: its class's trigger event plus the period (none until triggered)."""
    scope = "AND d.case_id = :case" if case_id else ""
    parameters = {"tenant": tenant_id, "case": case_id}
    await session.execute(text(f"UPDATE documents d SET due_at = NULL WHERE d.tenant_id = :tenant {scope}"), parameters)
    await session.execute(
        text(
            "UPDATE documents d SET due_at = e.occurred_at + make_interval(days => p.days) "
            "FROM retention_policies p JOIN case_events e ON e.tenant_id = p.tenant_id AND e.trigger = p.trigger "
            f"WHERE d.tenant_id = :tenant AND p.tenant_id = :tenant AND p.record_class = d.record_class "
            f"AND e.case_id = d.case_id {scope}"
        ),
        parameters,
    )


async def record_case_event(
    session: AsyncSession,
    actor: AuditActor,
    tenant_id: uuid.UUID,
    case_id: uuid.UUID,
    trigger: Trigger,
    occurred_at: datetime,
) -> None:
    """A case was closed, decided or a sanction ended: retention periods of that trigger start now."""
    await tenant_context(session, [tenant_id])
    existing = (
        await session.execute(
            select(CaseEvent).where(
                CaseEvent.tenant_id == tenant_id, CaseEvent.case_id == case_id, CaseEvent.trigger == trigger.value
            )
        )
    ).scalar()
    if existing is None:
        session.add(CaseEvent(tenant_id=tenant_id, case_id=case_id, trigger=trigger.value, occurred_at=occurred_at))
    else:
        existing.occurred_at = occurred_at
    await session.flush()
    await audit.record(session, tenant_id, actor, f"case.{trigger.value}", "case", case_id)
    await refresh_due_dates(session, tenant_id, case_id)


async def place_hold(
    session: AsyncSession,
    keyring: Keyring,
    actor: AuditActor,
    tenant_id: uuid.UUID,
    case_id: uuid.UUID,
    kind: HoldKind,
    reason: str,
) -> LegalHold:
    """Pause destruction of a case (seed-000 H7 Stap 6); the reason is encrypted with the case key."""
    await tenant_context(session, [tenant_id])
    material = await keyring.case_key(session, tenant_id, case_id, create=True)
    hold_id = uuid.uuid4()
    hold = LegalHold(
        tenant_id=tenant_id,
        id=hold_id,
        case_id=case_id,
        kind=kind.value,
        placed_by=actor.label,
        sealed_reason=encrypt_text(material, reason, associated_data(tenant_id, case_id, hold_id, "hold-reason")),
    )
    session.add(hold)
    await session.flush()
    await audit.record(
        session, tenant_id, actor, "retention.hold_placed", "case", case_id, kind=kind.value, hold=str(hold_id)
    )
    return hold


async def release_hold(session: AsyncSession, actor: AuditActor, tenant_id: uuid.UUID, hold_id: uuid.UUID) -> None:
    await tenant_context(session, [tenant_id])
    hold = (
        await session.execute(select(LegalHold).where(LegalHold.tenant_id == tenant_id, LegalHold.id == hold_id))
    ).scalar()
    if hold is None:
        raise HoldNotFound("Deze bewaarplicht bestaat niet.")
    if hold.released_at is None:
        hold.released_at, hold.released_by = datetime.now(UTC), actor.label
        await audit.record(
            session,
            tenant_id,
            actor,
            "retention.hold_released",
            "case",
            hold.case_id,
            kind=hold.kind,
            hold=str(hold.id),
        )


@dataclass(frozen=True)
class DueDocument:
    """What the purge needs of a document: plain values, usable after the session that found them."""

    id: uuid.UUID
    object_key: str
    record_class: str
    due_at: datetime


@dataclass
class DueCase:
    case_id: uuid.UUID
    documents: list[DueDocument] = field(default_factory=list)
    whole_case: bool = False  # every document of the case is due: the case key goes too

    def describe(self) -> str:
        classes = ", ".join(sorted({d.record_class for d in self.documents}))
        dates = min(d.due_at for d in self.documents)
        what = "whole case (key shredded)" if self.whole_case else f"{len(self.documents)} document(s)"
        return f"case {self.case_id}: {what}; {classes}; due since {dates:%Y-%m-%d}"


async def _held_cases(session: AsyncSession, tenant_id: uuid.UUID) -> set[uuid.UUID]:
    """Cases with an active legal hold: nothing of them is destroyed or announced for destruction."""
    rows = await session.execute(
        select(LegalHold.case_id).where(LegalHold.tenant_id == tenant_id, LegalHold.released_at.is_(None))
    )
    return set(rows.scalars())


async def find_due(session: AsyncSession, tenant_id: uuid.UUID, now: datetime) -> list[DueCase]:
    """What may be destroyed now: due documents of cases without an active legal hold."""
    await tenant_context(session, [tenant_id])
    await refresh_due_dates(session, tenant_id)
    held = await _held_cases(session, tenant_id)
    documents = (
        (await session.execute(select(Document).where(Document.tenant_id == tenant_id).order_by(Document.case_id)))
        .scalars()
        .all()
    )
    cases: dict[uuid.UUID, list[Document]] = {}
    for document in documents:
        cases.setdefault(document.case_id, []).append(document)
    due = []
    for case_id, of_case in cases.items():
        if case_id in held:
            continue
        ripe = [
            DueDocument(d.id, d.object_key, d.record_class, d.due_at)
            for d in of_case
            if d.due_at is not None and d.due_at <= now
        ]
        if ripe:
            due.append(DueCase(case_id, ripe, whole_case=len(ripe) == len(of_case)))
    return due


async def purge_tenant(
    sessionmaker: async_sessionmaker[AsyncSession],
    keyring: Keyring,
    store: ObjectStore,
    tenant_id: uuid.UUID,
    now: datetime,
    *,
    dry_run: bool = False,
) -> list[str]:
    """Destroy what is due in one tenant; return a line per case (for a dry run: what would go and why)."""
    async with sessionmaker() as session:
        due = await find_due(session, tenant_id, now)
        await session.rollback()
    if dry_run:
        return [f"would destroy {case.describe()}" for case in due]
    lines = []
    for case in due:
        lines.append(f"destroyed {case.describe()}")
        await _purge_case(sessionmaker, keyring, store, tenant_id, case)
    return lines


async def _purge_case(
    sessionmaker: async_sessionmaker[AsyncSession],
    keyring: Keyring,
    store: ObjectStore,
    tenant_id: uuid.UUID,
    case: DueCase,
) -> None:
    if case.whole_case:
        async with sessionmaker() as session:  # (1) crypto-shred, durable before anything else
            await tenant_context(session, [tenant_id])
            await keyring.destroy_case_key(session, tenant_id, case.case_id)
            await session.commit()
    for document in case.documents:  # (2) every stored version of every object
        await store.delete(document.object_key)
    async with sessionmaker() as session:  # (3) rows and certificate together
        await tenant_context(session, [tenant_id])
        ids = [document.id for document in case.documents]
        await session.execute(delete(Document).where(Document.tenant_id == tenant_id, Document.id.in_(ids)))
        key_left = (
            await session.execute(
                select(CaseKey.case_id).where(CaseKey.tenant_id == tenant_id, CaseKey.case_id == case.case_id)
            )
        ).scalar()
        if case.whole_case:
            await session.execute(
                delete(CaseEvent).where(CaseEvent.tenant_id == tenant_id, CaseEvent.case_id == case.case_id)
            )
            await session.execute(
                delete(LegalHold).where(LegalHold.tenant_id == tenant_id, LegalHold.case_id == case.case_id)
            )
        policies = {
            p.record_class: p
            for p in (
                await session.execute(select(RetentionPolicy).where(RetentionPolicy.tenant_id == tenant_id))
            ).scalars()
        }
        classes = sorted({d.record_class for d in case.documents})
        # The deletion certificate: what class, how many, which policy, when; never content or names.
        await audit.record(
            session,
            tenant_id,
            PURGE,
            "retention.destroyed",
            "case",
            case.case_id,
            record_classes=",".join(classes),
            documents=len(ids),
            policies=",".join(f"{c}:{policies[c].days}d-after-{policies[c].trigger}" for c in classes if c in policies),
            key_destroyed=key_left is None,
            whole_case=case.whole_case,
        )
        await session.commit()
    log.info("retention.case_destroyed", tenant_id=str(tenant_id), case_id=str(case.case_id), documents=len(ids))


REMINDER_DAYS = (28, 14, 7, 3, 1)


async def remind_owners(session: AsyncSession, tenant_id: uuid.UUID, now: datetime) -> int:
    """Queue reminders for documents destroyed in 28, 14, 7, 3 or 1 days (cases on hold excepted): one
    message a person a day, with counts only. Owners are the accounts that stored the documents, else the
    tenant's admins. Returns how many messages were queued now (a rerun the same day queues none)."""
    await tenant_context(session, [tenant_id])
    await refresh_due_dates(session, tenant_id)
    held = await _held_cases(session, tenant_id)
    documents = (
        (
            await session.execute(
                select(Document).where(
                    Document.tenant_id == tenant_id,
                    Document.due_at > now,
                    Document.due_at <= now + timedelta(days=max(REMINDER_DAYS)),
                )
            )
        )
        .scalars()
        .all()
    )
    admins: list[tuple[uuid.UUID, uuid.UUID]] | None = None
    per_person: dict[tuple[uuid.UUID, uuid.UUID], list[int]] = {}
    for document in documents:
        assert document.due_at is not None
        days_left = (document.due_at.date() - now.date()).days
        if document.case_id in held or days_left not in REMINDER_DAYS:
            continue
        if document.owner_account_id and document.owner_account_tenant_id:
            owners = [(document.owner_account_tenant_id, document.owner_account_id)]
        else:
            if admins is None:
                admins = await identity.role_holders(session, tenant_id, "tenant_admin", now)
            owners = admins
        for owner in owners:
            per_person.setdefault(owner, []).append(days_left)
    queued = 0
    for owner, days in per_person.items():
        queued += await notifications.notify(
            session,
            tenant_id,
            owner,
            "retention.reminder",
            {"documents": len(days), "days": min(days)},
            dedup_key=f"retention.reminder:{owner[1]}:{now.date().isoformat()}",
        )
    return queued

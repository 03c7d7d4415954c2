"""Retention rules, due dates, legal holds and the purge.

The purge of a case whose every document is due: (1) destroy the case key and commit — from then on no
copy of its ciphertext, object versions and backups of the objects included, can be read; (2) delete every
stored object version; (3) delete the rows and write the deletion certificate, in one transaction. A run
killed anywhere is finished by the next: each step is idempotent and the rows stay until the last one.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from meldpunt.audit import services as audit
from meldpunt.audit.services import AuditActor
from meldpunt.catalogues import text as words
from meldpunt.db.context import tenant_context
from meldpunt.dossiers.crypto import associated_data, encrypt_text
from meldpunt.dossiers.documents import Document
from meldpunt.dossiers.keys import CaseKey, Keyring
from meldpunt.dossiers.storage import ObjectStore
from meldpunt.errors import DomainError, NotFound
from meldpunt.identity import services as identity
from meldpunt.identity.models import AccountRef
from meldpunt.notifications import services as notifications
from meldpunt.retention.models import CaseEvent, DestroyedCase, HoldKind, LegalHold, RetentionPolicy, Trigger

log = structlog.get_logger(__name__)
PURGE = AuditActor.system("retention")


class HoldNotFound(NotFound, slug="legal-hold-not-found"): ...


class CaseDestroyed(DomainError, status=410, slug="case-destroyed"):
    """The case existed and was destroyed under its retention policy: said, with the date and the policy."""


class PolicyWords:
    """The policy a destroyed case was destroyed under, said in the reader's language. The tombstone keeps it
    as a code (``record_class:days:trigger``, or the record class alone when no policy applied); a tombstone
    written before the code keeps its Dutch words as they were."""

    def __init__(self, stored: str) -> None:
        self.stored = stored

    def said_in(self, language: str) -> str:
        parts = self.stored.split(":")
        if " " in self.stored or len(parts) not in (1, 3):
            return self.stored
        name = words(language, f"retention.class.{parts[0]}")
        if len(parts) == 1:
            return words(language, "retention.policy.unknown", name=name)
        days, trigger = parts[1], words(language, f"retention.trigger.{parts[2]}")
        return words(language, "retention.policy", name=name, days=days, trigger=trigger)


def policy_code(record_class: str, policy: RetentionPolicy | None) -> str:
    return record_class if policy is None else f"{record_class}:{policy.days}:{policy.trigger}"


async def destroyed_case(
    session: AsyncSession, tenant_id: uuid.UUID, *, case_id: uuid.UUID | None = None, receipt_hash: bytes | None = None
) -> DestroyedCase | None:
    """The tombstone of a destroyed case, by its id or by its receipt's hash (the session's context holds)."""
    match = DestroyedCase.case_id == case_id if case_id is not None else DestroyedCase.receipt_hash == receipt_hash
    return (await session.execute(select(DestroyedCase).where(DestroyedCase.tenant_id == tenant_id, match))).scalar()


def destroyed_notice(tombstone: DestroyedCase) -> CaseDestroyed:
    """The refusal a page or the API gives for a destroyed case: when, and under which policy; no more."""
    return CaseDestroyed(date=f"{tombstone.destroyed_at:%d-%m-%Y}", policy=PolicyWords(tombstone.policy))


async def destroyed_cases(session: AsyncSession, tenant_ids: list[uuid.UUID]) -> list[DestroyedCase]:
    """The destroyed cases of these tenants, newest first, for the lists that named them."""
    rows = await session.execute(
        select(DestroyedCase)
        .where(DestroyedCase.tenant_id.in_(tenant_ids), DestroyedCase.kind.is_not(None))
        .order_by(DestroyedCase.destroyed_at.desc())
    )
    return list(rows.scalars())


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
    held_id: uuid.UUID,
    kind: HoldKind,
    reason: str,
    *,
    consultation: bool = False,
) -> LegalHold:
    """Pause destruction of a case, or (``consultation``) of an adviser's consultation, whose vault records
    the holds cover too (seed-000 H7 Stap 6, DESIGN §9). The reason is encrypted with that item's key."""
    await tenant_context(session, [tenant_id])
    material = await keyring.case_key(session, tenant_id, held_id, create=True)
    hold_id = uuid.uuid4()
    hold = LegalHold(
        tenant_id=tenant_id,
        id=hold_id,
        case_id=None if consultation else held_id,
        consultation_id=held_id if consultation else None,
        kind=kind.value,
        placed_by=actor.label,
        sealed_reason=encrypt_text(material, reason, associated_data(tenant_id, held_id, hold_id, "hold-reason")),
    )
    session.add(hold)
    await session.flush()
    await audit.record(
        session,
        tenant_id,
        actor,
        "retention.hold_placed",
        *_audited_as(hold),
        kind=kind.value,
    )
    return hold


def _audited_as(hold: LegalHold) -> tuple[str, uuid.UUID]:
    """What a hold's audit entry names: the case, or for a consultation only the hold itself, since the
    tenant's audit log must not show that or when someone consulted an adviser (DESIGN §6)."""
    return ("case", hold.case_id) if hold.case_id is not None else ("legal_hold", hold.id)


async def release_hold(session: AsyncSession, actor: AuditActor, tenant_id: uuid.UUID, hold_id: uuid.UUID) -> None:
    await tenant_context(session, [tenant_id])
    hold = (
        await session.execute(select(LegalHold).where(LegalHold.tenant_id == tenant_id, LegalHold.id == hold_id))
    ).scalar()
    if hold is None:
        raise HoldNotFound()
    if hold.released_at is None:
        hold.released_at, hold.released_by = datetime.now(UTC), actor.label
        await audit.record(
            session,
            tenant_id,
            actor,
            "retention.hold_released",
            *_audited_as(hold),
            kind=hold.kind,
        )


@dataclass(frozen=True)
class DueDocument:
    """What the purge needs of a document: plain values, usable after the session that found them."""

    id: uuid.UUID
    object_key: str
    record_class: str
    due_at: datetime | None


@dataclass
class DueCase:
    case_id: uuid.UUID
    documents: list[DueDocument] = field(default_factory=list)
    whole_case: bool = False  # everything of the case goes, the case key first
    due_at: datetime | None = None  # when the case itself (its own record class) became due
    record_class: str | None = None  # the case's own record class, when it has a case row

    def describe(self) -> str:
        classes = ", ".join(sorted({d.record_class for d in self.documents} | {self.record_class or ""} - {""}))
        dates = [d.due_at for d in self.documents if d.due_at is not None] + ([self.due_at] if self.due_at else [])
        since = f"; due since {min(dates):%Y-%m-%d}" if dates else "; destruction resumed"
        what = "whole case (key shredded)" if self.whole_case else f"{len(self.documents)} document(s)"
        return f"case {self.case_id}: {what}; {classes}{since}"


# A case's own record class by its kind (a complaint's dossier is kept under the complaint policy).
# Retention sits below intake: it reads the ``cases`` table in SQL, never through intake's models.
CASE_CLASS = "CASE c.kind WHEN 'complaint' THEN 'complaint_dossier' ELSE 'report_dossier' END"
DUE_CASES = f"""
SELECT c.id AS case_id, {CASE_CLASS} AS record_class, min(e.occurred_at + make_interval(days => p.days)) AS due_at
FROM cases c
JOIN retention_policies p ON p.tenant_id = c.tenant_id AND p.record_class = {CASE_CLASS}
JOIN case_events e ON e.tenant_id = c.tenant_id AND e.case_id = c.id AND e.trigger = p.trigger
WHERE c.tenant_id = :tenant AND (CAST(:case AS uuid) IS NULL OR c.id = :case)
GROUP BY c.id, c.kind
HAVING min(e.occurred_at + make_interval(days => p.days)) <= :now
"""

# Which of the cases that have documents have a case row (a case not yet due never goes whole).
CASE_ROWS = "SELECT id FROM cases WHERE tenant_id = :tenant AND id = ANY(CAST(:ids AS uuid[]))"


async def _held_cases(session: AsyncSession, tenant_id: uuid.UUID) -> set[uuid.UUID]:
    """Cases with an active legal hold: nothing of them is destroyed or announced for destruction."""
    rows = await session.execute(
        select(LegalHold.case_id).where(
            LegalHold.tenant_id == tenant_id, LegalHold.released_at.is_(None), LegalHold.case_id.is_not(None)
        )
    )
    return {case_id for case_id in rows.scalars() if case_id is not None}


async def consultation_on_hold(session: AsyncSession, tenant_id: uuid.UUID, consultation_id: uuid.UUID) -> bool:
    """Whether an active legal hold pauses the destruction of this adviser's consultation."""
    held = await session.execute(
        select(LegalHold.id).where(
            LegalHold.tenant_id == tenant_id,
            LegalHold.consultation_id == consultation_id,
            LegalHold.released_at.is_(None),
        )
    )
    return held.first() is not None


async def find_due(
    session: AsyncSession, tenant_id: uuid.UUID, now: datetime, case_id: uuid.UUID | None = None
) -> list[DueCase]:
    """What may be destroyed now (of one case, with ``case_id``), cases on hold excepted: a case whose own
    record class is due goes whole with every document not kept longer; documents of a case that is not
    (yet) due go alone; a case whose destruction began and was cut short is finished."""
    await tenant_context(session, [tenant_id])
    await refresh_due_dates(session, tenant_id, case_id)
    held = await _held_cases(session, tenant_id)
    scope = [Document.case_id == case_id] if case_id else []
    documents: dict[uuid.UUID, list[Document]] = {}
    for document in (await session.execute(select(Document).where(Document.tenant_id == tenant_id, *scope))).scalars():
        documents.setdefault(document.case_id, []).append(document)
    parameters = {"tenant": tenant_id, "case": case_id, "now": now}
    due_rows = {row.case_id: row for row in await session.execute(text(DUE_CASES), parameters)}
    unfinished = set(
        (
            await session.execute(
                select(DestroyedCase.case_id).where(
                    DestroyedCase.tenant_id == tenant_id,
                    DestroyedCase.finished_at.is_(None),
                    *([DestroyedCase.case_id == case_id] if case_id else []),
                )
            )
        ).scalars()
    )
    with_row = set((await session.execute(text(CASE_ROWS), {**parameters, "ids": list(documents)})).scalars())
    due = []
    for candidate in sorted(set(documents) | set(due_rows) | unfinished):
        if candidate in held and candidate not in unfinished:
            continue
        found = _due_of(candidate, documents.get(candidate, []), due_rows.get(candidate), candidate in with_row, now)
        found.whole_case = found.whole_case or candidate in unfinished
        if found.whole_case:
            found.documents = [_plain(d) for d in documents.get(candidate, [])]
        if found.whole_case or found.documents:
            due.append(found)
    return due


def _plain(document: Document) -> DueDocument:
    return DueDocument(document.id, document.object_key, document.record_class, document.due_at)


def _due_of(case_id: uuid.UUID, documents: list[Document], due_row: Any, has_row: bool, now: datetime) -> DueCase:
    """The rule for one case: whole when its own class is due and no document is kept longer (or, for
    documents without a case row, when every document is due); else only the due documents."""
    ripe = [_plain(d) for d in documents if d.due_at is not None and d.due_at <= now]
    kept_longer = any(d.due_at is not None and d.due_at > now for d in documents)
    if due_row is not None:
        return DueCase(case_id, ripe, not kept_longer, due_row.due_at, due_row.record_class)
    return DueCase(case_id, ripe, not has_row and bool(documents) and len(ripe) == len(documents))


async def purge_tenant(
    sessionmaker: async_sessionmaker[AsyncSession],
    keyring: Keyring,
    store: ObjectStore,
    tenant_id: uuid.UUID,
    now: datetime,
    *,
    dry_run: bool = False,
) -> list[str]:
    """Destroy what is due in one tenant; return a line per case destroyed by this run (for a dry run: what
    would go and why). A case another sweep is destroying at the same moment is left to that sweep."""
    async with sessionmaker() as session:
        due = await find_due(session, tenant_id, now)
        await session.rollback()
    if dry_run:
        return [f"would destroy {case.describe()}" for case in due]
    lines = []
    for candidate in due:
        async with case_lock(sessionmaker, tenant_id, candidate.case_id) as locked:
            if not locked:
                continue
            async with sessionmaker() as session:  # again, under the lock: another sweep may have finished it
                again = await find_due(session, tenant_id, now, candidate.case_id)
                await session.commit()
            for case in again:
                await _purge_case(sessionmaker, keyring, store, tenant_id, case, now)
                lines.append(f"destroyed {case.describe()}")
    return lines


@asynccontextmanager
async def case_lock(
    sessionmaker: async_sessionmaker[AsyncSession], tenant_id: uuid.UUID, item_id: uuid.UUID
) -> AsyncIterator[bool]:
    """Hold a transaction advisory lock on one case (or consultation) for the whole purge of it, across
    the purge's own transactions; yields False when another sweep holds it. A killed process releases it
    with its connection."""
    async with sessionmaker() as session:
        locked = (
            await session.execute(
                text("SELECT pg_try_advisory_xact_lock(hashtextextended(:item, 0))"),
                {"item": f"retention:{tenant_id}:{item_id}"},
            )
        ).scalar_one()
        try:
            yield bool(locked)
        finally:
            await session.rollback()


async def _purge_case(
    sessionmaker: async_sessionmaker[AsyncSession],
    keyring: Keyring,
    store: ObjectStore,
    tenant_id: uuid.UUID,
    case: DueCase,
    now: datetime,
) -> None:
    if case.whole_case:
        async with sessionmaker() as session:  # (1) tombstone and crypto-shred, durable before anything else
            await tenant_context(session, [tenant_id])
            await _mark_destroyed(session, tenant_id, case, now)
            await keyring.destroy_case_key(session, tenant_id, case.case_id)
            await session.commit()
    for document in case.documents:  # (2) every stored version of every object
        await store.delete(document.object_key)
    async with sessionmaker() as session:  # (3) rows and certificate together
        await tenant_context(session, [tenant_id])
        # What refers to the documents first (a party's view of a shared document and its answers).
        referring: dict[str, int] = {}
        await _delete_referrers(
            session,
            "documents",
            "tenant_id = :tenant AND id = ANY(:documents)",
            {"tenant": tenant_id, "documents": [d.id for d in case.documents]},
            referring,
            depth=0,
        )
        deleted = list(
            (
                await session.execute(
                    delete(Document)
                    .where(Document.tenant_id == tenant_id, Document.id.in_([d.id for d in case.documents]))
                    .returning(Document.id, Document.record_class)
                )
            ).all()
        )
        rows = await _delete_case_rows(session, tenant_id, case.case_id) if case.whole_case else {}
        for table, count in referring.items():
            if count:
                rows[table] = rows.get(table, 0) + count
        await _certify(session, tenant_id, case, deleted, rows)
        await session.commit()
    log.info("retention.case_destroyed", tenant_id=str(tenant_id), case_id=str(case.case_id), documents=len(deleted))


async def _mark_destroyed(session: AsyncSession, tenant_id: uuid.UUID, case: DueCase, now: datetime) -> None:
    """The tombstone, before the key goes: from this moment every page says the case was destroyed."""
    if await session.get(DestroyedCase, (tenant_id, case.case_id)) is not None:
        return
    row = (
        await session.execute(
            text("SELECT kind, receipt_hash FROM cases WHERE tenant_id = :tenant AND id = :case"),
            {"tenant": tenant_id, "case": case.case_id},
        )
    ).first()
    record_class = case.record_class or min(d.record_class for d in case.documents)
    policy = await session.get(RetentionPolicy, (tenant_id, record_class))
    session.add(
        DestroyedCase(
            tenant_id=tenant_id,
            case_id=case.case_id,
            kind=row.kind if row else None,
            receipt_hash=row.receipt_hash if row else None,
            record_class=record_class,
            policy=policy_code(record_class, policy),
            destroyed_at=now,
        )
    )
    await session.flush()


async def _delete_case_rows(session: AsyncSession, tenant_id: uuid.UUID, case_id: uuid.UUID) -> dict[str, int]:
    """Every row of the case, texts included: what refers to the case row by a foreign key (found in the
    catalogue, so a table added above retention is not forgotten), then retention's own rows and the case.
    Returns the count per table."""
    counts: dict[str, int] = {}
    parameters = {"tenant": tenant_id, "case": case_id}
    await _delete_referrers(session, "cases", "tenant_id = :tenant AND id = :case", parameters, counts, depth=0)
    for table in ("case_events", "legal_holds"):
        result = await session.execute(
            text(f"DELETE FROM {table} WHERE tenant_id = :tenant AND case_id = :case"), parameters
        )
        counts[table] = int(result.rowcount or 0)  # type: ignore[attr-defined]
    result = await session.execute(text("DELETE FROM cases WHERE tenant_id = :tenant AND id = :case"), parameters)
    counts["cases"] = int(result.rowcount or 0)  # type: ignore[attr-defined]
    await session.execute(
        update(DestroyedCase)
        .where(DestroyedCase.tenant_id == tenant_id, DestroyedCase.case_id == case_id)
        .values(finished_at=func.now())
    )
    return {table: count for table, count in counts.items() if count}


REFERRERS = """
SELECT referrer.relname AS referrer,
       array_agg(own.attname ORDER BY k.position) AS own_columns,
       array_agg(ref.attname ORDER BY k.position) AS referred_columns
FROM pg_constraint c
JOIN pg_class referrer ON referrer.oid = c.conrelid
CROSS JOIN LATERAL unnest(c.conkey, c.confkey) WITH ORDINALITY AS k(own, referred, position)
JOIN pg_attribute own ON own.attrelid = c.conrelid AND own.attnum = k.own
JOIN pg_attribute ref ON ref.attrelid = c.confrelid AND ref.attnum = k.referred
WHERE c.contype = 'f' AND c.confrelid = CAST(:table AS regclass) AND c.conrelid <> c.confrelid
GROUP BY c.oid, referrer.relname
"""


async def _delete_referrers(
    session: AsyncSession,
    table: str,
    predicate: str,
    parameters: dict[str, Any],
    counts: dict[str, int],
    *,
    depth: int,
) -> None:
    """Delete, children first, every row that refers by a foreign key to the rows of ``table`` matching
    ``predicate`` (names come from the catalogue only; values are bound parameters)."""
    if depth > 5:
        raise RuntimeError(f"foreign keys to {table} nest deeper than the purge follows")
    for row in (await session.execute(text(REFERRERS), {"table": f'"{table}"'})).all():
        own = ", ".join(f'"{column}"' for column in row.own_columns)
        referred = ", ".join(f'"{column}"' for column in row.referred_columns)
        selects = f'({own}) IN (SELECT {referred} FROM "{table}" WHERE {predicate})'
        await _delete_referrers(session, row.referrer, selects, parameters, counts, depth=depth + 1)
        result = await session.execute(text(f'DELETE FROM "{row.referrer}" WHERE {selects}'), parameters)
        counts[row.referrer] = counts.get(row.referrer, 0) + int(result.rowcount or 0)  # type: ignore[attr-defined]


async def _certify(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    case: DueCase,
    deleted: list[Any],
    rows: dict[str, int],
) -> None:
    """The deletion certificate: what this run actually deleted (classes, documents, rows per table), under
    which policy, and whether the key is gone; never content or names."""
    key_left = (
        await session.execute(
            select(CaseKey.case_id).where(CaseKey.tenant_id == tenant_id, CaseKey.case_id == case.case_id)
        )
    ).scalar()
    policies = {
        p.record_class: p
        for p in (
            await session.execute(select(RetentionPolicy).where(RetentionPolicy.tenant_id == tenant_id))
        ).scalars()
    }
    classes = sorted({row.record_class for row in deleted} | ({case.record_class} if case.record_class else set()))
    await audit.record(
        session,
        tenant_id,
        PURGE,
        "retention.destroyed",
        "case",
        case.case_id,
        record_classes=",".join(classes),
        documents=len(deleted),
        # Structured, not joined into one text: a case's documents and tables outgrow an audit text's 200 signs.
        document_ids=sorted(str(row.id) for row in deleted),
        rows=[f"{table}:{count}" for table, count in sorted(rows.items())],
        policies=",".join(f"{c}:{policies[c].days}d-after-{policies[c].trigger}" for c in classes if c in policies),
        key_destroyed=key_left is None,
        whole_case=case.whole_case,
    )


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
    admins: list[AccountRef] | None = None
    per_person: dict[AccountRef, list[int]] = {}
    for document in documents:
        assert document.due_at is not None
        days_left = (document.due_at.date() - now.date()).days
        if document.case_id in held or days_left not in REMINDER_DAYS:
            continue
        if document.owner_account_id and document.owner_account_tenant_id:
            owners = [AccountRef(document.owner_account_tenant_id, document.owner_account_id)]
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
            dedup_key=f"retention.reminder:{owner.id}:{now.date().isoformat()}",
        )
    return queued

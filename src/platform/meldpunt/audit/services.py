"""Writing and verifying the audit chain.

Each entry carries the hash of the previous entry of its tenant and the hash of its own canonical
content (``sha256(prev_hash || canonical_json)``), so that altering, deleting or reordering an entry
breaks the chain from that point. Appends per tenant are serialised by a transaction advisory lock.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import msgspec
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from meldpunt.audit.models import AuditEntry, AuditHead
from meldpunt.db.context import current_tenant_ids, tenant_context
from meldpunt.db.engine import create_engine, create_sessionmaker
from meldpunt.db.tenants import tenants_table
from meldpunt.settings import Settings

GENESIS = bytes(32)
# Details are ids, kinds, counts and flags; a value that looks like free text is refused.
MAX_DETAIL_LENGTH = 200


@dataclass(frozen=True)
class AuditActor:
    """Who acted: an account (``account:<uuid>``), the system (``system:<component>``) or ``anonymous``."""

    label: str

    @classmethod
    def account(cls, account_id: uuid.UUID) -> AuditActor:
        return cls(f"account:{account_id}")

    @classmethod
    def system(cls, component: str) -> AuditActor:
        return cls(f"system:{component}")


ANONYMOUS = AuditActor("anonymous")


class AuditDetailRefused(ValueError):
    """A detail value is not an id, a kind, a number or a flag."""


def canonical_content(
    tenant_id: uuid.UUID,
    seq: int,
    occurred_at: datetime,
    actor: str,
    action: str,
    resource_type: str,
    resource_id: str | None,
    details: Mapping[str, Any],
) -> bytes:
    """The bytes an entry's hash covers: every field but the hashes, as sorted, compact JSON."""
    return msgspec.json.encode(
        {
            "tenant_id": str(tenant_id),
            "seq": seq,
            "occurred_at": occurred_at.astimezone(UTC).isoformat(),
            "actor": actor,
            "action": action,
            "resource_type": resource_type,
            "resource_id": resource_id,
            "details": details,
        },
        order="sorted",
    )


def chain_hash(prev_hash: bytes, content: bytes) -> bytes:
    return hashlib.sha256(prev_hash + content).digest()


def _check_details(details: Mapping[str, Any]) -> dict[str, Any]:
    checked = msgspec.to_builtins(dict(details))
    for key, value in checked.items():
        if isinstance(value, str) and len(value) > MAX_DETAIL_LENGTH:
            raise AuditDetailRefused(f"audit detail {key!r} is too long to be an id or a kind")
        if isinstance(value, dict):
            raise AuditDetailRefused(f"audit detail {key!r} must be flat")
    assert isinstance(checked, dict)
    return checked


async def record(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    actor: AuditActor,
    action: str,
    resource_type: str,
    resource_id: uuid.UUID | str | None = None,
    **details: Any,
) -> AuditEntry:
    """Append an entry to ``tenant_id``'s chain in the caller's transaction."""
    if tenant_id not in current_tenant_ids(session):
        raise PermissionError(f"audit entry for tenant {tenant_id} outside the session's tenant context")
    checked = _check_details(details)
    lock_key = int.from_bytes(hashlib.sha256(b"audit:" + tenant_id.bytes).digest()[:8], "big", signed=True)
    await session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": lock_key})
    last = (
        await session.execute(
            select(AuditEntry.seq, AuditEntry.entry_hash)
            .where(AuditEntry.tenant_id == tenant_id)
            .order_by(AuditEntry.seq.desc())
            .limit(1)
        )
    ).first()
    seq, prev_hash = (last.seq + 1, last.entry_hash) if last else (1, GENESIS)
    occurred_at = (await session.execute(select(func.clock_timestamp()))).scalar_one()
    rid = str(resource_id) if resource_id is not None else None
    content = canonical_content(tenant_id, seq, occurred_at, actor.label, action, resource_type, rid, checked)
    entry = AuditEntry(
        tenant_id=tenant_id,
        seq=seq,
        occurred_at=occurred_at,
        actor=actor.label,
        action=action,
        resource_type=resource_type,
        resource_id=rid,
        details=checked,
        prev_hash=prev_hash,
        entry_hash=chain_hash(prev_hash, content),
    )
    session.add(entry)
    await session.flush()
    return entry


@dataclass(frozen=True)
class ChainBreak:
    tenant_id: uuid.UUID
    seq: int
    reason: str

    def __str__(self) -> str:
        return f"tenant {self.tenant_id}: entry {self.seq}: {self.reason}"


async def _entries(session: AsyncSession, tenant_id: uuid.UUID) -> AsyncIterator[AuditEntry]:
    result = await session.stream_scalars(
        select(AuditEntry)
        .where(AuditEntry.tenant_id == tenant_id)
        .order_by(AuditEntry.seq)
        .execution_options(yield_per=1000)
    )
    async for entry in result:
        yield entry


async def verify_chain(session: AsyncSession, tenant_id: uuid.UUID) -> tuple[int, ChainBreak | None]:
    """Walk ``tenant_id``'s chain; return how many entries are intact and the first break, if any."""
    expected_seq, prev_hash, intact = 1, GENESIS, 0
    async for entry in _entries(session, tenant_id):
        if entry.seq != expected_seq:
            return intact, ChainBreak(tenant_id, expected_seq, f"missing (next present entry is {entry.seq})")
        if entry.prev_hash != prev_hash:
            return intact, ChainBreak(
                tenant_id,
                entry.seq,
                "does not follow the previous entry (reordered or an entry before it was removed or altered)",
            )
        content = canonical_content(
            entry.tenant_id,
            entry.seq,
            entry.occurred_at,
            entry.actor,
            entry.action,
            entry.resource_type,
            entry.resource_id,
            entry.details,
        )
        if chain_hash(prev_hash, content) != entry.entry_hash:
            return intact, ChainBreak(tenant_id, entry.seq, "altered (its content does not match its hash)")
        prev_hash, expected_seq, intact = entry.entry_hash, expected_seq + 1, intact + 1
    head = (await session.execute(select(AuditHead).where(AuditHead.tenant_id == tenant_id))).scalar()
    if head is not None and head.seq != intact:
        return intact, ChainBreak(tenant_id, intact + 1, f"missing (the chain's head is entry {head.seq})")
    if head is not None and head.entry_hash != prev_hash:
        return intact, ChainBreak(tenant_id, intact, "altered (it does not match the chain's head)")
    return intact, None


async def verify_tenants(settings: Settings, slug: str | None = None) -> list[tuple[str, int, ChainBreak | None]]:
    """Verify every tenant's chain (or one tenant's): (slug, intact entries, first break or None)."""
    engine = create_engine(settings, pooled=False)
    try:
        async with create_sessionmaker(engine)() as session:
            query = select(tenants_table.c.id, tenants_table.c.slug).order_by(tenants_table.c.slug)
            if slug is not None:
                query = query.where(tenants_table.c.slug == slug)
            tenants = (await session.execute(query)).all()
            if slug is not None and not tenants:
                raise LookupError(f"no tenant '{slug}'")
            results = []
            for tenant_id, tenant_slug in tenants:
                await tenant_context(session, [tenant_id])
                intact, problem = await verify_chain(session, tenant_id)
                results.append((tenant_slug, intact, problem))
                await session.rollback()
            return results
    finally:
        await engine.dispose()


async def list_entries(
    session: AsyncSession, tenant_id: uuid.UUID, *, before: int | None = None, limit: int = 100
) -> list[AuditEntry]:
    """A page of the tenant's log, newest first (``before``: only entries older than that sequence number)."""
    query = select(AuditEntry).where(AuditEntry.tenant_id == tenant_id)
    if before is not None:
        query = query.where(AuditEntry.seq < before)
    return list((await session.execute(query.order_by(AuditEntry.seq.desc()).limit(limit))).scalars())

"""Reconciliation of the object store with the documents table: what a process killed mid-upload left
behind (a complete object whose row never committed, a temporary file, an open multipart upload) is
removed once it is older than the grace period. It never removes an object that a document row names."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from meldpunt.db.context import tenant_context
from meldpunt.dossiers.documents import Document
from meldpunt.dossiers.storage import ObjectStore

log = structlog.get_logger(__name__)


def _tenant_of(key: str) -> uuid.UUID | None:
    parts = key.split("/")
    try:
        return uuid.UUID(parts[1]) if len(parts) > 1 and parts[0] == "tenant" else None
    except ValueError:
        return None


async def _accounted(session: AsyncSession, key: str) -> bool:
    """Whether a document row names this object (read in the tenant the key names)."""
    tenant_id = _tenant_of(key)
    if tenant_id is None:
        return False
    await tenant_context(session, [tenant_id])
    found = await session.execute(
        select(Document.id).where(Document.tenant_id == tenant_id, Document.object_key == key).limit(1)
    )
    return found.first() is not None


async def reconcile_store(
    sessionmaker: async_sessionmaker[AsyncSession],
    store: ObjectStore,
    now: datetime,
    grace: timedelta,
    *,
    dry_run: bool = False,
) -> list[str]:
    """Remove objects no document row accounts for and incomplete uploads, both older than ``grace``;
    return a line for each (ids only). Idempotent: a second run finds nothing."""
    cutoff = now - grace
    verb = "would remove" if dry_run else "removed"
    lines = []
    async with sessionmaker() as session:
        # Only a case's documents can be orphans: the audit log's anchors (audit/…) have no row by design.
        orphans = [
            item
            async for item in store.list_objects()
            if item.written_at <= cutoff and _tenant_of(item.key) is not None
        ]
        orphans = [item for item in orphans if not await _accounted(session, item.key)]
        await session.rollback()
    for item in orphans:
        if not dry_run:
            await store.delete(item.key)
        lines.append(f"{verb} object {item.key} (no document row; written {item.written_at:%Y-%m-%d %H:%M})")
    for upload in [u async for u in store.list_incomplete() if u.active_at <= cutoff]:
        if not dry_run:
            await store.abort(upload)
        lines.append(f"{verb} incomplete upload of {upload.key} (last written {upload.active_at:%Y-%m-%d %H:%M})")
    if lines and not dry_run:
        log.info("retention.reconciled", objects=len(orphans), removed=len(lines))
    return lines

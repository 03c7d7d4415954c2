"""The outbox: jobs written in the caller's transaction, relayed to Redis by the worker.

A job that must not be lost when Redis is down is enqueued here; it exists exactly when the caller's
transaction commits. The relay deletes a row only after Redis took its message (at-least-once delivery:
jobs are idempotent). Rows hold a job name and ids, never content.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import dramatiq
import msgspec
import structlog
from sqlalchemy import DateTime, String, func, select, update
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapped, mapped_column

from meldpunt.db.base import Base, TenantScoped
from meldpunt.db.context import current_tenant_ids, tenant_context
from meldpunt.db.tenants import all_tenant_ids
from meldpunt.jobs.registry import JOBS, job_spec, send_job

log = structlog.get_logger(__name__)


class OutboxMessage(TenantScoped, Base):
    __tablename__ = "outbox_messages"

    actor_name: Mapped[str] = mapped_column(String(128))
    queue_name: Mapped[str] = mapped_column(String(64))
    kwargs: Mapped[dict[str, Any]] = mapped_column(JSONB)
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class OutsideTenantContext(PermissionError):
    """A job was enqueued for a tenant the session is not scoped to."""


def enqueue(session: AsyncSession, tenant_id: uuid.UUID, name: str, **kwargs: Any) -> OutboxMessage:
    """Add job ``name`` for ``tenant_id`` to the caller's transaction; it runs after the commit."""
    spec = job_spec(name)
    if tenant_id not in current_tenant_ids(session):
        raise OutsideTenantContext(tenant_id)
    payload = msgspec.to_builtins({"tenant_id": tenant_id, **kwargs})
    message = OutboxMessage(
        tenant_id=tenant_id, id=uuid.uuid4(), actor_name=name, queue_name=spec.queue, kwargs=payload
    )
    session.add(message)
    return message


async def relay_batch(sessionmaker: async_sessionmaker[AsyncSession], broker: dramatiq.Broker, batch_size: int) -> int:
    """Move up to ``batch_size`` committed outbox rows to Redis; return how many were sent.

    Works over every tenant's outbox (the rows hold ids only) with SKIP LOCKED, so several relays share
    the work without sending a row twice while it is being sent. A relay takes only rows for jobs its
    process declares: a row written by a newer version waits for a relay that knows its job instead of
    stopping every row behind it.
    """
    async with sessionmaker() as session, session.begin():
        await tenant_context(session, await all_tenant_ids(session))
        pending = (
            select(OutboxMessage)
            .where(OutboxMessage.actor_name.in_(list(JOBS)))
            .order_by(OutboxMessage.created_at)
            .limit(batch_size)
        )
        rows = (await session.execute(pending.with_for_update(skip_locked=True))).scalars().all()
        sent = 0
        for row in rows:
            try:
                send_job(broker, row.actor_name, message_id=row.id, **row.kwargs)
            except Exception as error:
                log.warning("outbox.send_failed", outbox_id=str(row.id), error=type(error).__name__)
                await session.execute(
                    update(OutboxMessage)
                    .where(OutboxMessage.tenant_id == row.tenant_id, OutboxMessage.id == row.id)
                    .values(attempts=OutboxMessage.attempts + 1)
                )
                break
            await session.delete(row)
            sent += 1
    return sent

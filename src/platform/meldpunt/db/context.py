"""The tenant context: which tenants the current transaction may see.

``tenant_context(session, ids)`` records the ids on the session; an ``after_begin`` hook then starts
every transaction of that session with ``SET LOCAL meldpunt.tenant_ids``, so a commit in the middle of a
request does not drop it. The setting is transaction-local: a pooled connection never carries it to the
next user. No context means no rows.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

_INFO_KEY = "meldpunt.tenant_ids"


def _set_local_statement(tenant_ids: tuple[uuid.UUID, ...]) -> str:
    # Built only from uuid.UUID values, so nothing user-supplied reaches the SQL text. A literal
    # SET LOCAL (not set_config) because Citus forwards SET LOCAL to its workers (DESIGN §5).
    literal = "{" + ",".join(str(uuid.UUID(str(tenant_id))) for tenant_id in tenant_ids) + "}"
    return f"SET LOCAL meldpunt.tenant_ids = '{literal}'"


def current_tenant_ids(session: AsyncSession | Session) -> tuple[uuid.UUID, ...]:
    """The tenants the session's transactions are scoped to (empty: none)."""
    info = session.info
    ids: tuple[uuid.UUID, ...] = info.get(_INFO_KEY, ())
    return ids


async def tenant_context(session: AsyncSession, tenant_ids: Iterable[uuid.UUID]) -> None:
    """Scope this session, from now on, to exactly these tenants (an empty list: to none)."""
    ids = tuple(uuid.UUID(str(tenant_id)) for tenant_id in tenant_ids)
    session.info[_INFO_KEY] = ids
    if session.in_transaction():
        await session.execute(text(_set_local_statement(ids)))


@asynccontextmanager
async def also_in(session: AsyncSession, *tenant_ids: uuid.UUID) -> AsyncIterator[None]:
    """Widen the session's tenant context by these tenants for the block only (STYLE.md habit 1): the
    context it had comes back on leaving, also when the block raises or returns early."""
    before = current_tenant_ids(session)
    await tenant_context(session, [*before, *(t for t in tenant_ids if t not in before)])
    try:
        yield
    finally:
        await tenant_context(session, before)


_VAULT_KEY = "meldpunt.vault_owner"


def _vault_statement(account_id: uuid.UUID) -> str:
    return f"SET LOCAL meldpunt.vault_owner = '{uuid.UUID(str(account_id))}'"


async def vault_context(session: AsyncSession, account_id: uuid.UUID | None) -> None:
    """Open (or, with None, close) the vault of this adviser account for the session: the rows of the
    adviser's vault tables are visible only while it is the vault owner (DESIGN §7, seed-000 B.9)."""
    if account_id is None:
        session.info.pop(_VAULT_KEY, None)
        if session.in_transaction():
            await session.execute(text("SET LOCAL meldpunt.vault_owner = ''"))
        return
    session.info[_VAULT_KEY] = uuid.UUID(str(account_id))
    if session.in_transaction():
        await session.execute(text(_vault_statement(account_id)))


@event.listens_for(Session, "after_begin")
def _apply_tenant_context(session: Session, transaction: Any, connection: Any) -> None:
    # Always set it, also to "none": a connection never starts a transaction with a stale context.
    connection.exec_driver_sql(_set_local_statement(session.info.get(_INFO_KEY, ())))
    # The vault owner only when there is one: SET LOCAL ends with the transaction, so it cannot linger.
    owner = session.info.get(_VAULT_KEY)
    if owner is not None:
        connection.exec_driver_sql(_vault_statement(owner))

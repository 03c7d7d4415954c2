"""The columns of ``tenants`` that platform modules (jobs, audit, dossiers) read without importing tenancy."""

from __future__ import annotations

import uuid

from sqlalchemy import Uuid, column, select, table
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import String

tenants_table = table("tenants", column("id", Uuid()), column("slug", String()))


async def all_tenant_ids(session: AsyncSession) -> list[uuid.UUID]:
    return list((await session.execute(select(tenants_table.c.id))).scalars())

"""The public tenant of a route (``/m/{tenant}/…``, ``/api/v1/public/{tenant}/…``), found from the path once for
every public handler. It reads the path and nothing else of the request: no address, header or cookie."""

from __future__ import annotations

from typing import NamedTuple

from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from sqlalchemy.ext.asyncio import AsyncSession

from meldpunt.tenancy.models import Tenant
from meldpunt.tenancy.services import find_public_tenant


class PublicTenant(NamedTuple):
    """An active tenant as the public sees it, with its branch (None for a branch itself)."""

    tenant: Tenant
    branch: Tenant | None


async def provide_public(db: NamedDependency[AsyncSession], tenant: FromPath[str]) -> PublicTenant:
    """The active tenant of the path's ``{tenant}`` (TenantNotFound for an unknown or archived one)."""
    return PublicTenant(*await find_public_tenant(db, tenant))


# What a public handler or controller declares: ``dependencies = PUBLIC`` gives it ``public: PublicTenant``.
PUBLIC = {"public": Provide(provide_public)}

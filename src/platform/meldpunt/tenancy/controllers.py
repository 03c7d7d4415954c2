"""Public tenant information for the reporting point (no authentication, nothing confidential)."""

from __future__ import annotations

from litestar import get
from litestar.di import NamedDependency
from litestar.params import FromPath
from sqlalchemy.ext.asyncio import AsyncSession

from meldpunt.tenancy import services
from meldpunt.tenancy.schemas import BranchSummary, PublicTenant


@get("/api/v1/public/{tenant:str}", operation_id="GetPublicTenant", tags=["public"])
async def get_public_tenant(db: NamedDependency[AsyncSession], tenant: FromPath[str]) -> PublicTenant:
    """The name, look and language of a reporting point, and which of its branch's services it uses."""
    found, branch = await services.find_public_tenant(db, tenant)
    return PublicTenant(
        slug=found.slug,
        kind=found.kind,
        display_name=found.display_name,
        locale=found.locale,
        branding=found.branding,
        branch=BranchSummary(branch.slug, branch.display_name) if branch else None,
        uses_branch_services=sorted(found.branch_services),
    )

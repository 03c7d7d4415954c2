"""Public tenant information for the reporting point (no authentication, nothing confidential)."""

from __future__ import annotations

from litestar import get
from litestar.di import NamedDependency

from meldpunt.tenancy import schemas
from meldpunt.tenancy.dependencies import PUBLIC, PublicTenant
from meldpunt.tenancy.schemas import BranchSummary


@get("/api/v1/public/{tenant:str}", operation_id="GetPublicTenant", tags=["public"], dependencies=PUBLIC)
async def get_public_tenant(public: NamedDependency[PublicTenant]) -> schemas.PublicTenant:
    """The name, look and language of a reporting point, and which of its branch's services it uses."""
    found, branch = public
    return schemas.PublicTenant(
        slug=found.slug,
        kind=found.kind,
        display_name=found.display_name,
        locale=found.locale,
        branding=found.branding,
        branch=BranchSummary(branch.slug, branch.display_name) if branch else None,
        uses_branch_services=sorted(found.branch_services),
    )

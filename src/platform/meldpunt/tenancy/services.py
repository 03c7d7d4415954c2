"""Finding tenants as the public sees them: an active tenant by slug, with its branch and policy texts.

Tenants are created and changed from their files by ``meldpunt tenants apply`` (``meldpunt.provisioning``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from meldpunt.tenancy.errors import PolicyDocumentNotFound, TenantNotFound
from meldpunt.tenancy.models import SLUG_PATTERN, Tenant


async def find_public_tenant(session: AsyncSession, slug: str) -> tuple[Tenant, Tenant | None]:
    """The active tenant with this slug and its branch; archived and unknown tenants are not found.

    A name that cannot be a slug (a NUL, an overlong or foreign text) is not found without asking the database.
    """
    if not SLUG_PATTERN.fullmatch(slug):
        raise TenantNotFound(slug[:63])
    tenant = (await session.execute(select(Tenant).where(Tenant.slug == slug, Tenant.archived_at.is_(None)))).scalar()
    if tenant is None:
        raise TenantNotFound(slug)
    branch = await session.get(Tenant, tenant.branch_id) if tenant.branch_id else None
    return tenant, branch


async def find_policy_text(session: AsyncSession, slug: str, number: int) -> tuple[Tenant, dict[str, Any]]:
    """Policy document ``number`` (1 is the first) of the active tenant ``slug``, when it has its own text.

    A number out of range, or a document that is only a link elsewhere, is not found here.
    """
    tenant, _ = await find_public_tenant(session, slug)
    documents = tenant.policy_documents
    if not 1 <= number <= len(documents) or not documents[number - 1].get("text"):
        raise PolicyDocumentNotFound()
    return tenant, documents[number - 1]

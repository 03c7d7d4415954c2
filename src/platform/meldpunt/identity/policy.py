"""The one policy layer: may this actor do this action in this tenant? Unknown action or tenant: no.

Every tenant route asks here, through the ``acting`` dependency (``identity/dependencies.py``) and its
``require``; nothing else decides access.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from meldpunt.identity.errors import Forbidden
from meldpunt.identity.models import AccountRef
from meldpunt.identity.roles import PERMISSIONS, Action, Role


@dataclass(frozen=True)
class TenantAccess:
    tenant_id: uuid.UUID
    slug: str
    display_name: str
    roles: frozenset[Role]


@dataclass(frozen=True)
class Actor:
    """A signed-in professional and their active grants, loaded for this request."""

    account_id: uuid.UUID
    account_tenant_id: uuid.UUID
    display_name: str
    access: dict[str, TenantAccess] = field(default_factory=dict)  # by tenant slug
    loaded_at: datetime | None = None

    @property
    def ref(self) -> AccountRef:
        """The account as a reference (tenant and id), for services and audit."""
        return AccountRef(self.account_tenant_id, self.account_id)

    def roles_in(self, tenant_slug: str) -> frozenset[Role]:
        found = self.access.get(tenant_slug)
        return found.roles if found else frozenset()


def may(actor: Actor, action: str, tenant_slug: str) -> bool:
    try:
        known = Action(action)
    except ValueError:
        return False
    return bool(actor.roles_in(tenant_slug) & PERMISSIONS.get(known, frozenset()))


def require(actor: Actor, action: str, tenant_slug: str) -> TenantAccess:
    """The tenant the actor may act in, or Forbidden (the same for a tenant that does not exist)."""
    if not may(actor, action, tenant_slug):
        raise Forbidden()
    return actor.access[tenant_slug]

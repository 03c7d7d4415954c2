"""What the identity API takes and answers (msgspec): the signed-in account, grants, the audit log. Response
structs are keyword-only and built by name (STYLE.md habit 5)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import msgspec

from meldpunt.identity.roles import Role


class TenantRoles(msgspec.Struct, frozen=True, kw_only=True):
    slug: str
    display_name: str
    roles: list[str]


class Me(msgspec.Struct, frozen=True, kw_only=True):
    account_id: uuid.UUID
    display_name: str
    tenants: list[TenantRoles]
    account_tenant_id: uuid.UUID  # the account's home organisation (with account_id: how a panel seat names it)


class GrantOut(msgspec.Struct, frozen=True, kw_only=True):
    id: uuid.UUID
    account_id: uuid.UUID
    account_name: str
    role: str
    source: str
    valid_from: datetime
    valid_to: datetime | None


class GrantIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A role for an account of this organisation or its branch, from the API or the grants page's form."""

    account_id: uuid.UUID
    role: Role
    valid_to: datetime | None = None


class AuditEntryOut(msgspec.Struct, frozen=True, kw_only=True):
    seq: int
    occurred_at: datetime
    actor: str
    action: str
    resource_type: str
    resource_id: str | None
    details: dict[str, Any]


class VaultEntryCountOut(msgspec.Struct, frozen=True, kw_only=True):
    year: int
    entries: int

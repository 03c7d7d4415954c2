"""What the API shows of a tenant. Public fields only: name, look, language, which branch services apply."""

from __future__ import annotations

from typing import Any

import msgspec


class BranchSummary(msgspec.Struct, frozen=True):
    slug: str
    display_name: str


class PublicTenant(msgspec.Struct, frozen=True):
    slug: str
    kind: str
    display_name: str
    locale: str
    branding: dict[str, Any]
    branch: BranchSummary | None
    uses_branch_services: list[str]

"""The ``tenants`` table: the only table without a tenant column, and without row-level security.

It holds what is public about an organisation (name, branding, locale, size class, sector, its published
adviser directory and policy documents) and the settings later issues fill (identity provider, procedure
terms). Never case data, and never a person's identity-provider subject.
"""

from __future__ import annotations

import enum
import re
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ARRAY, CheckConstraint, DateTime, ForeignKey, String, Text, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from meldpunt.db.base import Base, Timestamped


class TenantKind(enum.StrEnum):
    BRANCH = "branch"
    MEMBER = "member"


class BranchService(enum.StrEnum):
    """What a branch offers its members to share (seed-000 §1: small members use the branch's people)."""

    ADVISERS = "advisers"
    COMPLAINTS_COMMITTEE = "complaints_committee"
    PROCESS_GUARDIANS = "process_guardians"
    MEDIATORS = "mediators"


# The one form of a slug: in the tenant files, the check constraint below and every look-up by slug.
SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")


class Tenant(Timestamped, Base):
    __tablename__ = "tenants"
    __table_args__ = (
        CheckConstraint("kind IN ('branch', 'member')", name="kind"),
        CheckConstraint("(kind = 'branch') = (branch_id IS NULL)", name="member_has_branch"),
        CheckConstraint("slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'", name="slug_format"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    slug: Mapped[str] = mapped_column(String(63), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    branch_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("tenants.id"), index=True)
    display_name: Mapped[str] = mapped_column(Text)
    locale: Mapped[str] = mapped_column(String(8), default="nl")
    fte: Mapped[int | None]
    sector_code: Mapped[str] = mapped_column(String(32))
    branch_services: Mapped[list[str]] = mapped_column(ARRAY(String(32)), default=list)
    branding: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    identity_provider: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    procedure: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    # The published directory: each adviser's display name, internal or external, and profile.
    advisers: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list, server_default=text("'[]'::jsonb"))
    # Each {title, summary?, url? | text?}, in the order the tenant file lists them.
    policy_documents: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, default=list, server_default=text("'[]'::jsonb")
    )
    archived_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

"""Accounts and grants.

An account is a person as their identity provider knows them, keyed by (issuer, subject), and lives in
the tenant whose IdP signed them in (a branch for shared professionals). A grant gives an account a role
in a tenant for a period; a shared professional's grants in members point across tenants on purpose,
through the explicit ``account_tenant_id`` column.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import ColumnElement, DateTime, ForeignKeyConstraint, String, UniqueConstraint, and_, func, or_
from sqlalchemy.orm import Mapped, mapped_column

from meldpunt.db.base import Base, TenantScoped


class AccountRef(NamedTuple):
    """An account by name, not by index: its home tenant and its id (STYLE.md habit 3)."""

    tenant_id: uuid.UUID
    id: uuid.UUID


class Account(TenantScoped, Base):
    __tablename__ = "accounts"
    __table_args__ = (UniqueConstraint("tenant_id", "issuer", "subject"),)

    issuer: Mapped[str] = mapped_column(String(255))
    subject: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    last_sign_in_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class GrantSource:
    DECLARED = "declared"  # the tenants YAML
    BRANCH_SERVICE = "branch_service"  # a branch professional, because the member uses that branch service
    ADMIN = "admin"  # a tenant_admin, in the UI or API


class Grant(TenantScoped, Base):
    __tablename__ = "grants"
    __table_args__ = (
        UniqueConstraint("tenant_id", "account_tenant_id", "account_id", "role", "source"),
        ForeignKeyConstraint(["account_tenant_id", "account_id"], ["accounts.tenant_id", "accounts.id"]),
    )

    account_tenant_id: Mapped[uuid.UUID]
    account_id: Mapped[uuid.UUID]
    role: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(16))
    valid_from: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    valid_to: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    @classmethod
    def valid_at(cls, moment: datetime) -> ColumnElement[bool]:
        """The SQL condition: the grant holds at ``moment`` (from its start, until its end)."""
        return and_(cls.valid_from <= moment, or_(cls.valid_to.is_(None), cls.valid_to > moment))

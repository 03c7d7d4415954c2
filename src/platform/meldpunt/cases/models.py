"""Tables of case handling. What a step *says* (notes, reasons, statements) is encrypted with the case key
(``sealed_*``); what a process guardian may see (kinds, dates, flags, closed lists) is in plain columns
and ``facts`` (DESIGN §6: "a process guardian sees process, not content")."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, DateTime, ForeignKeyConstraint, LargeBinary, String, UniqueConstraint, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from meldpunt.db.base import Base, TenantScoped


def _of_case(table: str) -> ForeignKeyConstraint:
    return ForeignKeyConstraint(["tenant_id", "case_id"], ["cases.tenant_id", "cases.id"])


class CaseRouting(TenantScoped, Base):
    """The reporting point's first decision (seed-000 §2.2): kind, route, reason, legal duties."""

    __tablename__ = "case_routings"
    __table_args__ = (_of_case("case_routings"),)

    case_id: Mapped[uuid.UUID]
    classified_as: Mapped[str] = mapped_column(String(16))
    route: Mapped[str] = mapped_column(String(32))
    legal_duties: Mapped[list[str]] = mapped_column(JSONB)
    overrides_wish: Mapped[bool] = mapped_column(Boolean)
    escalation: Mapped[str | None] = mapped_column(String(32))
    sealed_reason: Mapped[bytes] = mapped_column(LargeBinary)
    sealed_alternative: Mapped[bytes | None] = mapped_column(LargeBinary)
    decided_by_tenant_id: Mapped[uuid.UUID]
    decided_by_id: Mapped[uuid.UUID]
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class PanelMember(TenantScoped, Base):
    """A seat at a case's decision panel. One person, one seat (seed-000 §1.4 "één persoon, één rol")."""

    __tablename__ = "panel_members"
    __table_args__ = (
        _of_case("panel_members"),
        ForeignKeyConstraint(["account_tenant_id", "account_id"], ["accounts.tenant_id", "accounts.id"]),
        UniqueConstraint("tenant_id", "case_id", "account_tenant_id", "account_id"),
    )

    case_id: Mapped[uuid.UUID]
    account_tenant_id: Mapped[uuid.UUID]
    account_id: Mapped[uuid.UUID]
    role: Mapped[str] = mapped_column(String(32))  # decision_maker, expert, process_guardian
    pooled: Mapped[bool] = mapped_column(Boolean, default=False)
    assigned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    declaration: Mapped[str | None] = mapped_column(String(16))  # not_involved, involved
    declared_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sealed_declaration: Mapped[bytes | None] = mapped_column(LargeBinary)
    left_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # replaced by a deputy or excluded


class CaseExclusion(TenantScoped, Base):
    """Someone who may not sit at this case's panel nor see it: the accused, the accused's line manager,
    or a declared link (seed-000 Implications C.19–C.20)."""

    __tablename__ = "case_exclusions"
    __table_args__ = (
        _of_case("case_exclusions"),
        UniqueConstraint("tenant_id", "case_id", "account_tenant_id", "account_id"),
    )

    case_id: Mapped[uuid.UUID]
    account_tenant_id: Mapped[uuid.UUID]
    account_id: Mapped[uuid.UUID]
    reason: Mapped[str] = mapped_column(String(32))  # accused, accused_manager, declared_link
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ProcessConcern(TenantScoped, Base):
    """A process guardian's concern; the decision maker acknowledges it before the next step."""

    __tablename__ = "process_concerns"
    __table_args__ = (_of_case("process_concerns"),)

    case_id: Mapped[uuid.UUID]
    raised_by_tenant_id: Mapped[uuid.UUID]
    raised_by_id: Mapped[uuid.UUID]
    raised_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    sealed_text: Mapped[bytes] = mapped_column(LargeBinary)
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    acknowledged_by_id: Mapped[uuid.UUID | None]
    sealed_response: Mapped[bytes | None] = mapped_column(LargeBinary)


class CaseStep(TenantScoped, Base):
    """One recorded step of phase 1: its kind and process facts in the clear, its content encrypted."""

    __tablename__ = "case_steps"
    __table_args__ = (_of_case("case_steps"),)

    case_id: Mapped[uuid.UUID]
    kind: Mapped[str] = mapped_column(String(32))
    facts: Mapped[dict[str, Any]] = mapped_column(JSONB)
    sealed_content: Mapped[bytes | None] = mapped_column(LargeBinary)
    recorded_by_tenant_id: Mapped[uuid.UUID]
    recorded_by_id: Mapped[uuid.UUID]
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

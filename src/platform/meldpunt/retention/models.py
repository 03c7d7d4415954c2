"""Retention policies, the events that start retention periods, and legal holds."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, LargeBinary, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from meldpunt.db.base import Base, TenantScoped


class Trigger(enum.StrEnum):
    """What starts a retention period (DESIGN §9)."""

    CASE_CLOSED = "case_closed"
    DECISION_TAKEN = "decision_taken"
    SANCTION_ENDED = "sanction_ended"


class HoldKind(enum.StrEnum):
    """The three reasons that pause destruction (seed-000 H7 Stap 6)."""

    OBJECTION = "objection"  # a party objects to destruction
    COURT_PROCEEDINGS = "court_proceedings"  # the dossier is the subject of court proceedings
    NEW_INVESTIGATION = "new_investigation"  # a new investigation of the same persons


class RetentionPolicy(Base):
    __tablename__ = "retention_policies"

    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"), primary_key=True, sort_order=-10)
    record_class: Mapped[str] = mapped_column(String(32), primary_key=True)
    trigger: Mapped[str] = mapped_column(String(32))
    days: Mapped[int] = mapped_column(Integer)
    inherited: Mapped[bool] = mapped_column(Boolean)  # from the branch's defaults


class CaseEvent(Base):
    __tablename__ = "case_events"

    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"), primary_key=True, sort_order=-10)
    case_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    trigger: Mapped[str] = mapped_column(String(32), primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class LegalHold(TenantScoped, Base):
    """A hold on a case or on an adviser's consultation (exactly one of the two, DESIGN §9)."""

    __tablename__ = "legal_holds"

    case_id: Mapped[uuid.UUID | None]
    consultation_id: Mapped[uuid.UUID | None]
    kind: Mapped[str] = mapped_column(String(32))
    sealed_reason: Mapped[bytes] = mapped_column(LargeBinary)  # encrypted with the case key
    placed_by: Mapped[str] = mapped_column(String(128))
    placed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    released_by: Mapped[str | None] = mapped_column(String(128))
    released_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class DestroyedCase(Base):
    """What is left of a destroyed case besides its certificate: when, under which policy, and the receipt's
    hash so that the reporter is told so. No content. ``finished_at`` is set when its rows are gone."""

    __tablename__ = "destroyed_cases"
    __table_args__ = (UniqueConstraint("tenant_id", "receipt_hash"),)

    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"), primary_key=True, sort_order=-10)
    case_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    kind: Mapped[str | None] = mapped_column(String(16))
    receipt_hash: Mapped[bytes | None] = mapped_column(LargeBinary(32))
    record_class: Mapped[str] = mapped_column(String(32))
    policy: Mapped[str] = mapped_column(String(128))
    destroyed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

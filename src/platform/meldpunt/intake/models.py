"""Cases as they come in, their deadlines, messages both ways, and each tenant's receipt salt."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    ARRAY,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    LargeBinary,
    String,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from meldpunt.db.base import Base, TenantScoped


class Case(TenantScoped, Base):
    """One matter (DESIGN §7). The narrative, any identity and the discrimination grounds are encrypted
    with the case key."""

    __tablename__ = "cases"
    __table_args__ = (UniqueConstraint("tenant_id", "receipt_hash"),)

    kind: Mapped[str] = mapped_column(String(16))  # report, signal, complaint
    anonymity: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(32), default="received")
    category: Mapped[str] = mapped_column(String(32))
    # Closed lists and flags only, never free text, and never the grounds (special-category data).
    attributes: Mapped[dict[str, Any]] = mapped_column(JSONB)
    reporter_role: Mapped[str] = mapped_column(String(32))
    reporter_is_affected: Mapped[bool] = mapped_column(Boolean)
    accused_role: Mapped[str | None] = mapped_column(String(32))
    setting: Mapped[str | None] = mapped_column(String(32))
    wishes: Mapped[list[str]] = mapped_column(ARRAY(String(32)))
    sealed_narrative: Mapped[bytes] = mapped_column(LargeBinary)
    sealed_identity: Mapped[bytes | None] = mapped_column(LargeBinary)
    sealed_grounds: Mapped[bytes | None] = mapped_column(LargeBinary)  # intake.grounds; set for every case
    receipt_hash: Mapped[bytes | None] = mapped_column(LargeBinary(32))
    route: Mapped[str | None] = mapped_column(String(32))  # set by routing (cases.services.route_case)
    # Arrived during a flood without a solved challenge (DESIGN §11): the reporting point may dismiss it in bulk.
    flood_marked: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Deadline(TenantScoped, Base):
    __tablename__ = "deadlines"
    __table_args__ = (ForeignKeyConstraint(["tenant_id", "case_id"], ["cases.tenant_id", "cases.id"]),)

    case_id: Mapped[uuid.UUID]
    kind: Mapped[str] = mapped_column(String(32))
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    met_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    responsible_role: Mapped[str] = mapped_column(String(32), default="reporting_point")
    subject_id: Mapped[uuid.UUID | None]  # what it is about when not the case itself (an interim measure)
    reminded_on: Mapped[date | None] = mapped_column(Date)
    breach_reported_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class CaseMessage(TenantScoped, Base):
    __tablename__ = "case_messages"
    __table_args__ = (ForeignKeyConstraint(["tenant_id", "case_id"], ["cases.tenant_id", "cases.id"]),)

    case_id: Mapped[uuid.UUID]
    author: Mapped[str] = mapped_column(String(64))  # "reporter" or "account:<uuid>"
    sealed_body: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ReceiptSalt(Base):
    """Per tenant, so that one receipt hash means nothing at another tenant and a lookup is one hash."""

    __tablename__ = "receipt_salts"

    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    salt: Mapped[bytes] = mapped_column(LargeBinary(16))

"""The facts of sector trends (DESIGN §10). A fact is a row in the branch's tenant with coded dimensions only:
no free text, no names, no dates finer than the quarter in which it was written, no special-category data, and
no id that leads back to a case (``fact_key`` and ``member_key`` are keyed digests). Facts are written once and
never changed (the app role may only SELECT and INSERT them) and are never read by a board. A mark in the
member's tenant records that a case's milestone has had its fact, so each is written once."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKeyConstraint, Integer, LargeBinary, String, UniqueConstraint, func
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from meldpunt.db.base import Base, TenantScoped


class TrendFact(TenantScoped, Base):
    __tablename__ = "trend_facts"
    __table_args__ = (UniqueConstraint("tenant_id", "fact_key"),)

    fact_key: Mapped[bytes] = mapped_column(LargeBinary(32))
    member_key: Mapped[str] = mapped_column(String(32))
    milestone: Mapped[str] = mapped_column(String(24))
    quarter: Mapped[str] = mapped_column(String(7))
    size_class: Mapped[str] = mapped_column(String(16))
    sector_code: Mapped[str] = mapped_column(String(8))
    fte: Mapped[int | None] = mapped_column(Integer)
    dimensions: Mapped[dict[str, Any]] = mapped_column(JSONB)
    risk_factors: Mapped[list[str]] = mapped_column(ARRAY(String(48)), default=list)
    written_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class TrendMark(TenantScoped, Base):
    __tablename__ = "trend_marks"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "case_id"], ["cases.tenant_id", "cases.id"]),
        UniqueConstraint("tenant_id", "case_id", "milestone"),
    )

    case_id: Mapped[uuid.UUID]
    milestone: Mapped[str] = mapped_column(String(24))
    written_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

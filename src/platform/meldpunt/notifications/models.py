"""``notifications``: one message to one account, deduplicated by key, sent at most once."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, String, UniqueConstraint, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from meldpunt.db.base import Base, TenantScoped


class Notification(TenantScoped, Base):
    __tablename__ = "notifications"
    __table_args__ = (UniqueConstraint("tenant_id", "dedup_key"),)

    account_tenant_id: Mapped[uuid.UUID]
    account_id: Mapped[uuid.UUID]
    kind: Mapped[str] = mapped_column(String(64))
    counts: Mapped[dict[str, Any]] = mapped_column(JSONB)  # numbers only: how many, in how many days
    dedup_key: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    undeliverable: Mapped[str | None] = mapped_column(String(64))

"""``audit_entries``: one chain per tenant and one per adviser's vault. ``meldpunt_app`` may INSERT and SELECT,
never UPDATE or DELETE (privileges and a trigger, migration 0002); a vault chain is visible only while its
adviser's vault is open (migration 0014)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, ForeignKey, LargeBinary, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from meldpunt.db.base import Base

# The owner of the tenant's own chain; any other value is the account of the adviser whose vault it is.
TENANT_CHAIN = uuid.UUID(int=0)
# The largest bigint: no entry's seq is higher, so a page "before" it is bounded there (a larger one is refused).
MAX_SEQ = 2**63 - 1


class AuditEntry(Base):
    __tablename__ = "audit_entries"

    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    vault_owner_id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=TENANT_CHAIN)
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(64))
    resource_type: Mapped[str] = mapped_column(String(64))
    resource_id: Mapped[str | None] = mapped_column(String(128))
    details: Mapped[dict[str, Any]] = mapped_column(JSONB)
    prev_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    entry_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    # Ed25519 over the entry hash, by the application (audit.signing); NULL only before migration 0014.
    signing_key: Mapped[str | None] = mapped_column(String(32))
    signature: Mapped[bytes | None] = mapped_column(LargeBinary(64))


class AuditHead(Base):
    """The newest entry of a chain, kept by a database trigger; read-only for the application."""

    __tablename__ = "audit_heads"

    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    vault_owner_id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=TENANT_CHAIN)
    seq: Mapped[int] = mapped_column(BigInteger)
    entry_hash: Mapped[bytes] = mapped_column(LargeBinary(32))

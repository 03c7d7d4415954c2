"""Vault tables. Every row carries its adviser; the database shows a row only in its tenant *and* to that
adviser (``db.rls.isolate_vault_table``). What the adviser writes is encrypted with the consultation's
own key, so that destroying the key destroys the notes (retention class ``adviser_note``)."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, DateTime, ForeignKeyConstraint, Integer, LargeBinary, String, UniqueConstraint, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from meldpunt.db.base import Base, TenantScoped, stored_as_value
from meldpunt.vault.errors import ConsultationClosed


class ConsultationStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


# Where a consultation may go from each status: once closed it stays closed (its notes wait for destruction).
CONSULTATION_MOVES: dict[ConsultationStatus, frozenset[ConsultationStatus]] = {
    ConsultationStatus.OPEN: frozenset({ConsultationStatus.CLOSED}),
    ConsultationStatus.CLOSED: frozenset(),
}


class ConsentBasis(enum.StrEnum):
    """What lets something leave the vault: the reporter's consent, or a legal basis that overrides it."""

    CONSENT = "consent"
    DUTY_TO_REPORT = "duty_to_report"
    COURT_ORDER = "court_order"


class VaultOwned(TenantScoped):
    adviser_account_tenant_id: Mapped[uuid.UUID]
    adviser_account_id: Mapped[uuid.UUID]
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Consultation(VaultOwned, Base):
    """One person's matter with the adviser. Never a report by itself (seed-000 Implications B.10)."""

    __tablename__ = "consultations"
    __table_args__ = (
        ForeignKeyConstraint(
            ["adviser_account_tenant_id", "adviser_account_id"], ["accounts.tenant_id", "accounts.id"]
        ),
    )

    status: Mapped[ConsultationStatus] = mapped_column(
        stored_as_value(ConsultationStatus, 16), default=ConsultationStatus.OPEN
    )
    opened_on: Mapped[date] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    category: Mapped[str] = mapped_column(String(32))  # the intake categories; counted for the annual report
    reporter_role: Mapped[str | None] = mapped_column(String(32))
    sealed_label: Mapped[bytes] = mapped_column(LargeBinary)  # the adviser's own name for it, encrypted

    def move_to(self, status: ConsultationStatus) -> None:
        """Change the status along ``CONSULTATION_MOVES``; any other move is refused."""
        if status not in CONSULTATION_MOVES[self.status]:
            raise ConsultationClosed()
        self.status = status


class ConsultationContact(VaultOwned, Base):
    """One conversation (counted for the annual report), with the adviser's note, encrypted."""

    __tablename__ = "consultation_contacts"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "consultation_id"], ["consultations.tenant_id", "consultations.id"]),
    )

    consultation_id: Mapped[uuid.UUID]
    held_on: Mapped[date] = mapped_column(Date)
    channel: Mapped[str] = mapped_column(String(16))
    minutes: Mapped[int | None] = mapped_column(Integer)
    sealed_note: Mapped[bytes | None] = mapped_column(LargeBinary)


class ConsentRecord(VaultOwned, Base):
    """What the reporter allows to leave the vault (scope, recipient, date), or the legal basis that
    overrides their wish (a duty to report, a court order). Nothing leaves without one."""

    __tablename__ = "consent_records"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "consultation_id"], ["consultations.tenant_id", "consultations.id"]),
    )

    consultation_id: Mapped[uuid.UUID]
    basis: Mapped[ConsentBasis] = mapped_column(stored_as_value(ConsentBasis, 16))
    recipient: Mapped[str] = mapped_column(String(32))
    scopes: Mapped[list[str]] = mapped_column(JSONB)
    given_on: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    withdrawn_on: Mapped[date | None] = mapped_column(Date)
    sealed_note: Mapped[bytes | None] = mapped_column(LargeBinary)


class Disclosure(VaultOwned, Base):
    """Something that left the vault, under a consent record whose recipient and scope cover it."""

    __tablename__ = "disclosures"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "consultation_id"], ["consultations.tenant_id", "consultations.id"]),
        ForeignKeyConstraint(["tenant_id", "consent_id"], ["consent_records.tenant_id", "consent_records.id"]),
    )

    consultation_id: Mapped[uuid.UUID]
    consent_id: Mapped[uuid.UUID]
    recipient: Mapped[str] = mapped_column(String(32))
    scope: Mapped[str] = mapped_column(String(32))
    disclosed_on: Mapped[date] = mapped_column(Date)
    sealed_content: Mapped[bytes] = mapped_column(LargeBinary)


class AdviserSignal(TenantScoped, Base):
    """An anonymised signal from an adviser to the organisation: closed lists only, no case, no names,
    no adviser, and only the month (seed-000 §1.3 "mag de beschuldigde niet bekend maken")."""

    __tablename__ = "adviser_signals"

    month: Mapped[date] = mapped_column(Date)  # the first day of the month it was sent
    category: Mapped[str] = mapped_column(String(32))
    setting: Mapped[str | None] = mapped_column(String(32))
    accused_role: Mapped[str | None] = mapped_column(String(32))
    attributes: Mapped[dict[str, Any]] = mapped_column(JSONB)  # without the discrimination grounds
    # The grounds (AVG art. 9), sealed with the signal's own key in ``case_keys``; for every signal.
    sealed_grounds: Mapped[bytes | None] = mapped_column(LargeBinary)
    suggestions: Mapped[list[str]] = mapped_column(JSONB)  # what the organisation could look at


class ReportDraft(TenantScoped, Base):
    """A report the adviser prepared with the reporter. It becomes a report only when the reporter opens
    it with its code and submits it themselves (seed-000 Implications B.10)."""

    __tablename__ = "report_drafts"

    __table_args__ = (UniqueConstraint("tenant_id", "code_hash"),)

    code_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    sealed_submission: Mapped[bytes] = mapped_column(LargeBinary)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class VaultRetention(TenantScoped, Base):
    """When a closed consultation is due for destruction (``adviser_note`` policy). Holds no content and
    no ``adviser_account_id``: the purge finds it without opening the vault; ``owner_*`` names the vault."""

    __tablename__ = "vault_retention"

    owner_account_tenant_id: Mapped[uuid.UUID]
    owner_account_id: Mapped[uuid.UUID]
    closed_on: Mapped[date] = mapped_column(Date)
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

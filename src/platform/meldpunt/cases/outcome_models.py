"""Tables of the end of a case (DESIGN §7 "Decision and communication", "Phase 3"): the decision with its
measures, who was told the outcome, monitoring entries, aftercare actions per party, the evaluation of the
procedure, and the closure. What a person wrote is sealed with the case key (``sealed_*``); kinds, dates and
flags stay plain, so the process guardian sees the process and never the content."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Boolean, Date, DateTime, ForeignKeyConstraint, LargeBinary, String, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from meldpunt.db.base import Base, TenantScoped, stored_as_value


class Finding(StrEnum):
    """What the decision maker concludes about the report (seed-000 H7 Stap 4)."""

    WELL_FOUNDED = "well_founded"
    PARTLY_WELL_FOUNDED = "partly_well_founded"
    NOT_WELL_FOUNDED = "not_well_founded"
    NOT_ESTABLISHED = "not_established"


# A measure needs the behaviour to be plausible (seed-000 §3.4 "aannemelijkheid"); an unfounded accusation
# gets rehabilitation for the accused instead (§2.5 "Nazorg for the beschuldigde").
FOUNDED = frozenset({Finding.WELL_FOUNDED, Finding.PARTLY_WELL_FOUNDED})


class MeasureKind(StrEnum):
    """Labour-law and disciplinary measures (seed-000 §3.4, §3.5)."""

    OFFICIAL_WARNING = "official_warning"
    IMPROVEMENT_PLAN = "improvement_plan"
    LEAVE_FROM_WORK = "leave_from_work"
    SUSPENSION = "suspension"
    TRANSFER = "transfer"
    PAY_SANCTION = "pay_sanction"
    DEMOTION = "demotion"
    CAREER_LIMITATION = "career_limitation"
    DISMISSAL = "dismissal"
    DISCIPLINARY_COMPLAINT = "disciplinary_complaint"  # to the professional disciplinary board (tuchtrecht)


class Audience(StrEnum):
    REPORTER = "reporter"  # in the receipt inbox
    ACCUSED = "accused"  # a letter in the party portal
    TEAM = "team"  # a process-only template, no case content


class TeamTemplate(StrEnum):
    """The fixed texts the team may be told (process only, never content; seed-000 §2.3 Stap 5)."""

    HANDLED = "handled"
    CONCLUDED = "concluded"
    AFTERCARE_OFFERED = "aftercare_offered"
    WHERE_TO_GO = "where_to_go"


class AftercareParty(StrEnum):
    REPORTER = "reporter"
    ACCUSED = "accused"
    WITNESSES = "witnesses"
    TEAM = "team"


class AftercareKind(StrEnum):
    SUPPORT = "support"  # someone keeps supporting them (the adviser, for one)
    CHECK_IN = "check_in"  # ask regularly what they need
    EXTERNAL_HELP = "external_help"  # long-term guidance, victim support
    REHABILITATION = "rehabilitation"  # an unfounded accusation: the accused's name restored
    TRUST_RESTORATION = "trust_restoration"  # restoring trust in the team


class Perspective(StrEnum):
    """Whose view an evaluation of the procedure gathers (seed-000 §2.5 "with all perspectives")."""

    REPORTER = "reporter"
    ACCUSED = "accused"
    PANEL = "panel"
    OTHERS = "others"


def _of_case() -> ForeignKeyConstraint:
    return ForeignKeyConstraint(["tenant_id", "case_id"], ["cases.tenant_id", "cases.id"])


class CaseDecision(TenantScoped, Base):
    """The decision maker's decision with reasons; a case sent back up the ladder may be decided again."""

    __tablename__ = "case_decisions"
    __table_args__ = (_of_case(),)

    case_id: Mapped[uuid.UUID]
    finding: Mapped[Finding] = mapped_column(stored_as_value(Finding, 32))
    sealed_reasons: Mapped[bytes] = mapped_column(LargeBinary)
    decided_by_tenant_id: Mapped[uuid.UUID]
    decided_by_id: Mapped[uuid.UUID]
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class CaseMeasure(TenantScoped, Base):
    """A measure of a decision: its kind, when the accused was heard, its end date (``ended_at`` is set by
    the sweep that records ``sanction_ended``); what it is and why are sealed."""

    __tablename__ = "case_measures"
    __table_args__ = (
        _of_case(),
        ForeignKeyConstraint(["tenant_id", "decision_id"], ["case_decisions.tenant_id", "case_decisions.id"]),
    )

    case_id: Mapped[uuid.UUID]
    decision_id: Mapped[uuid.UUID]
    kind: Mapped[MeasureKind] = mapped_column(stored_as_value(MeasureKind, 32))
    heard_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sealed_content: Mapped[bytes] = mapped_column(LargeBinary)


class OutcomeMessage(TenantScoped, Base):
    """Who was told the outcome, how and when (the words themselves are the inbox message, the letter or the
    fixed template)."""

    __tablename__ = "outcome_messages"
    __table_args__ = (_of_case(),)

    case_id: Mapped[uuid.UUID]
    audience: Mapped[Audience] = mapped_column(stored_as_value(Audience, 16))
    template: Mapped[str | None] = mapped_column(String(32))
    document_id: Mapped[uuid.UUID | None]
    sent_by_tenant_id: Mapped[uuid.UUID]
    sent_by_id: Mapped[uuid.UUID]
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class MonitoringEntry(TenantScoped, Base):
    """A look at how things are after the decision (seed-000 §2.5 "Monitor and adjust")."""

    __tablename__ = "monitoring_entries"
    __table_args__ = (_of_case(),)

    case_id: Mapped[uuid.UUID]
    behaviour_stopped: Mapped[bool] = mapped_column(Boolean)
    work_restored: Mapped[bool] = mapped_column(Boolean)
    escalated: Mapped[bool] = mapped_column(Boolean)
    next_on: Mapped[date | None] = mapped_column(Date)
    sealed_note: Mapped[bytes] = mapped_column(LargeBinary)
    recorded_by_tenant_id: Mapped[uuid.UUID]
    recorded_by_id: Mapped[uuid.UUID]
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class AftercareAction(TenantScoped, Base):
    """One aftercare action for one party, with its owner (an account) and due date; it outlives closure."""

    __tablename__ = "aftercare_actions"
    __table_args__ = (_of_case(),)

    case_id: Mapped[uuid.UUID]
    party: Mapped[AftercareParty] = mapped_column(stored_as_value(AftercareParty, 16))
    kind: Mapped[AftercareKind] = mapped_column(stored_as_value(AftercareKind, 32))
    owner_tenant_id: Mapped[uuid.UUID]
    owner_id: Mapped[uuid.UUID]
    due_on: Mapped[date] = mapped_column(Date)
    sealed_text: Mapped[bytes] = mapped_column(LargeBinary)
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sealed_done_note: Mapped[bytes | None] = mapped_column(LargeBinary)
    planned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class CaseEvaluation(TenantScoped, Base):
    """The organisation's own evaluation of the procedure: the perspectives heard (plain), what each said,
    the findings and the actions (sealed)."""

    __tablename__ = "case_evaluations"
    __table_args__ = (_of_case(),)

    case_id: Mapped[uuid.UUID]
    perspectives: Mapped[list[str]] = mapped_column(JSONB)
    sealed_content: Mapped[bytes] = mapped_column(LargeBinary)
    recorded_by_tenant_id: Mapped[uuid.UUID]
    recorded_by_id: Mapped[uuid.UUID]
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class CaseClosure(TenantScoped, Base):
    """The closure of a case: the one moment retention starts from (DESIGN §9)."""

    __tablename__ = "case_closures"
    __table_args__ = (_of_case(),)

    case_id: Mapped[uuid.UUID]
    route: Mapped[str | None] = mapped_column(String(32))
    sealed_reason: Mapped[bytes | None] = mapped_column(LargeBinary)
    closed_by_tenant_id: Mapped[uuid.UUID]
    closed_by_id: Mapped[uuid.UUID]
    closed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    facts: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)

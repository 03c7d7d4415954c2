"""Tables of case handling. What a step *says* (notes, reasons, statements) is encrypted with the case key
(``sealed_*``); what a process guardian may see (kinds, dates, flags, closed lists) is in plain columns
and ``facts`` (DESIGN §6: "a process guardian sees process, not content"). Roles, routes, reasons and
kinds are enums on their columns; a seat's declaration moves only as ``DECLARATION_MOVES`` allows."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Boolean, DateTime, ForeignKeyConstraint, LargeBinary, String, UniqueConstraint, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from meldpunt.cases.errors import AlreadyDeclared
from meldpunt.db.base import Base, TenantScoped, stored_as_value


class Route(StrEnum):
    """Where the reporting point sends a case (seed-000 §2.2)."""

    ADVISER_ONLY = "adviser_only"
    DECISION_PANEL = "decision_panel"
    COMPLAINTS_COMMITTEE = "complaints_committee"
    WHISTLEBLOWER = "whistleblower"
    POLICE = "police"
    NO_ACTION = "no_action"  # only with a recorded alternative (a CHECK in migration 0009)


class Escalation(StrEnum):
    """Who decides instead, when the accused is a manager or a director (seed-000 Implications C.20)."""

    HIGHER_MANAGER = "higher_manager"
    SUPERVISORY_BOARD = "supervisory_board"
    BRANCH = "branch"


class PanelRole(StrEnum):
    """A seat at the decision panel (seed-000 §1.4); one person, one seat."""

    DECISION_MAKER = "decision_maker"
    EXPERT = "expert"
    PROCESS_GUARDIAN = "process_guardian"


class Involvement(StrEnum):
    """A panel member's written declaration, per case."""

    NOT_INVOLVED = "not_involved"
    INVOLVED = "involved"


class ExclusionReason(StrEnum):
    ACCUSED = "accused"
    ACCUSED_MANAGER = "accused_manager"
    DECLARED_LINK = "declared_link"


class StepKind(StrEnum):
    """The phase-1 steps (seed-000 §2.3), as the ``type`` tags of ``schemas.Step``."""

    FIRST_CONVERSATION = "first_conversation"
    EXPLORATION = "exploration"
    REPORTER_TOLD = "reporter_told"
    ACCUSED_INFORMED = "accused_informed"
    NOTICE_DEFERRED = "notice_deferred"
    INTERIM_MEASURE = "interim_measure"
    WEIGHING = "weighing"
    RIGHTS_EXPLAINED = "rights_explained"
    COMMUNICATION = "communication"
    # Issue 13: the steps that lead each route to an end (DESIGN §7 "Routing") and the review of a measure.
    INTERIM_REVIEW = "interim_review"  # an interim measure reviewed: continued (new date), changed or ended
    SCOPE_CHANGE = "scope_change"  # the case's scope changed or new people were named: every seat declares again
    POLICE_REPORT = "police_report"  # the report to the police is recorded (date, by whom, reference sealed)
    WHISTLEBLOWER_ACKNOWLEDGED = "whistleblower_acknowledged"  # the Wbk's acknowledgement within 7 days
    WHISTLEBLOWER_FEEDBACK = "whistleblower_feedback"  # the Wbk's feedback within 3 months
    REPORTER_CLOSED = "reporter_closed"  # the reporter says, from the inbox, that an adviser-only case may close


class ScopeChange(StrEnum):
    """Why seated members declare again (DESIGN §7: "again when the scope changes and new people are named")."""

    PERSON_NAMED = "person_named"  # a party (an accused, a witness) is added to the case
    SCOPE_WIDENED = "scope_widened"  # the behaviour or period the case is about is wider than declared for
    ASSIGNMENT_CHANGED = "assignment_changed"  # an investigation's assignment changed (investigations/)


class IgjAnswer(StrEnum):
    """A care-sector organisation's answer at routing: is this a calamity or violence in the care relationship
    that must be reported to the IGJ (Wkkgz art. 11)?"""

    REPORTABLE = "reportable"
    NOT_REPORTABLE = "not_reportable"


# A declaration is made once: none yet -> either answer, and no way back or across (seed-000 §1.4).
DECLARATION_MOVES: dict[Involvement | None, frozenset[Involvement]] = {
    None: frozenset(Involvement),
    Involvement.NOT_INVOLVED: frozenset(),
    Involvement.INVOLVED: frozenset(),
}


def _of_case(table: str) -> ForeignKeyConstraint:
    return ForeignKeyConstraint(["tenant_id", "case_id"], ["cases.tenant_id", "cases.id"])


class CaseRouting(TenantScoped, Base):
    """The reporting point's first decision (seed-000 §2.2): kind, route, reason, legal duties."""

    __tablename__ = "case_routings"
    __table_args__ = (_of_case("case_routings"),)

    case_id: Mapped[uuid.UUID]
    classified_as: Mapped[str] = mapped_column(String(16))  # report, signal, complaint (the case's kind)
    route: Mapped[Route] = mapped_column(stored_as_value(Route, 32))
    legal_duties: Mapped[list[str]] = mapped_column(JSONB)
    overrides_wish: Mapped[bool] = mapped_column(Boolean)
    escalation: Mapped[Escalation | None] = mapped_column(stored_as_value(Escalation, 32))
    sealed_reason: Mapped[bytes] = mapped_column(LargeBinary)
    sealed_alternative: Mapped[bytes | None] = mapped_column(LargeBinary)
    sealed_duty_reasons: Mapped[bytes | None] = mapped_column(LargeBinary)  # {duty: reason}, one for each duty
    igj_answer: Mapped[IgjAnswer | None] = mapped_column(stored_as_value(IgjAnswer, 16))  # care-sector tenants
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
    role: Mapped[PanelRole] = mapped_column(stored_as_value(PanelRole, 32))
    pooled: Mapped[bool] = mapped_column(Boolean, default=False)
    assigned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    declaration: Mapped[Involvement | None] = mapped_column(stored_as_value(Involvement, 16))
    declared_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sealed_declaration: Mapped[bytes | None] = mapped_column(LargeBinary)
    left_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # replaced by a deputy or excluded
    # The scope changed after the declaration: no content until the seat declares again (``redeclare``).
    redeclare_from: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    redeclared_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sealed_redeclaration: Mapped[bytes | None] = mapped_column(LargeBinary)


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
    reason: Mapped[ExclusionReason] = mapped_column(stored_as_value(ExclusionReason, 32))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class CaseRoleHeld(TenantScoped, Base):
    """Who took which role in this case: a seat at the panel, at a follow-up (``interventions``,
    ``investigations``) or at its complaint (``complaints``), written by the module that seats, in this floor's
    terms (DESIGN §4), so that the rules across them are read in one place (``follow_up.investigator_role_refusal``:
    the internal investigator plays no later role, seed-000 §1.4 and H7 B–C). ``role`` is the role's value of
    ``identity.roles``; ``internal`` marks the organisation's own investigator."""

    __tablename__ = "case_roles_held"
    __table_args__ = (
        _of_case("case_roles_held"),
        ForeignKeyConstraint(["account_tenant_id", "account_id"], ["accounts.tenant_id", "accounts.id"]),
    )

    case_id: Mapped[uuid.UUID]
    account_tenant_id: Mapped[uuid.UUID]
    account_id: Mapped[uuid.UUID]
    role: Mapped[str] = mapped_column(String(32))
    internal: Mapped[bool] = mapped_column(Boolean, default=False)
    taken_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


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
    kind: Mapped[StepKind] = mapped_column(stored_as_value(StepKind, 32))
    facts: Mapped[dict[str, Any]] = mapped_column(JSONB)
    sealed_content: Mapped[bytes | None] = mapped_column(LargeBinary)
    recorded_by_tenant_id: Mapped[uuid.UUID | None]  # None: the reporter, from the inbox (``reporter_closed``)
    recorded_by_id: Mapped[uuid.UUID | None]
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


def declare_seat(seat: PanelMember, answer: Involvement) -> None:
    """The one way a seat's declaration changes, as ``DECLARATION_MOVES`` allows: once."""
    if answer not in DECLARATION_MOVES[seat.declaration]:
        raise AlreadyDeclared()
    seat.declaration = answer

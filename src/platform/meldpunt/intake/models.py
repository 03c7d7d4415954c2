"""Cases as they come in, their deadlines, messages both ways, and each tenant's receipt salt; a case's
statuses with the moves between them."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, datetime
from enum import StrEnum
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

from meldpunt.db.base import Base, TenantScoped, stored_as_value


class CaseKind(StrEnum):
    REPORT = "report"
    SIGNAL = "signal"
    COMPLAINT = "complaint"


class Anonymity(StrEnum):
    """a: anonymous, no channel back; b: anonymous with a two-way inbox (receipt); c: named but confidential."""

    ANONYMOUS = "anonymous"
    ANONYMOUS_WITH_CONTACT = "anonymous_with_contact"
    CONFIDENTIAL = "confidential"


class CaseStatus(StrEnum):
    RECEIVED = "received"
    ROUTED = "routed"  # cases.services.route_case
    IN_PROGRESS = "in_progress"  # the panel is complete
    DECIDED = "decided"  # a weighing was recorded: the phase-1 choice
    FOLLOWING_UP = "following_up"  # phase 2: a chosen follow-up is being carried out (interventions/)
    CONCLUDED = "concluded"  # the decision maker decided with reasons; phase 3: monitoring, aftercare, evaluation
    JUDGED = "judged"  # a complaint has been judged
    WITHDRAWN = "withdrawn"  # the complainant withdrew
    CLOSED = "closed"
    DISMISSED = "dismissed"  # junk from a flood, dismissed in bulk by the reporting point


_MOVES: dict[CaseStatus, Iterable[CaseStatus]] = {
    CaseStatus.RECEIVED: (CaseStatus.ROUTED, CaseStatus.WITHDRAWN, CaseStatus.DISMISSED),
    CaseStatus.ROUTED: (CaseStatus.ROUTED, CaseStatus.IN_PROGRESS, CaseStatus.WITHDRAWN, CaseStatus.CLOSED),
    # A complaint's committee advice judges it (complaints/): withdrawal ends there.
    CaseStatus.IN_PROGRESS: (
        CaseStatus.ROUTED,
        CaseStatus.DECIDED,
        CaseStatus.JUDGED,
        CaseStatus.WITHDRAWN,
        CaseStatus.CLOSED,
    ),
    CaseStatus.DECIDED: (
        CaseStatus.ROUTED,
        CaseStatus.DECIDED,
        CaseStatus.FOLLOWING_UP,
        CaseStatus.CONCLUDED,
        CaseStatus.JUDGED,
        CaseStatus.WITHDRAWN,
        CaseStatus.CLOSED,
    ),
    # A monitoring entry or a denial sends a case back up the ladder: the panel weighs again (IN_PROGRESS).
    CaseStatus.FOLLOWING_UP: (CaseStatus.IN_PROGRESS, CaseStatus.CONCLUDED, CaseStatus.WITHDRAWN),
    # Decided: nothing is withdrawn any more; the case closes, or goes back up the ladder, or follows up again.
    CaseStatus.CONCLUDED: (CaseStatus.IN_PROGRESS, CaseStatus.FOLLOWING_UP, CaseStatus.CLOSED),
    CaseStatus.JUDGED: (CaseStatus.CLOSED,),
    CaseStatus.WITHDRAWN: (CaseStatus.CLOSED,),
    CaseStatus.DISMISSED: (CaseStatus.WITHDRAWN,),  # a complaint swept away with a flood is still the complainant's
}
# Where a case may go from each status: a judged, withdrawn or closed case does not go back.
CASE_MOVES: dict[CaseStatus, frozenset[CaseStatus]] = {
    status: frozenset(_MOVES.get(status, ())) for status in CaseStatus
}


class StatusMoveRefused(RuntimeError):
    """A service moved a case where ``CASE_MOVES`` does not allow it: a programming error, never a request's
    (the services refuse such a request with a domain error before they move)."""


def may_move(case: Case, to: CaseStatus) -> bool:
    return to in CASE_MOVES[CaseStatus(case.status)]


def move_case(case: Case, to: CaseStatus) -> None:
    """The one way to change a case's status that checks the move against ``CASE_MOVES``."""
    if not may_move(case, to):
        raise StatusMoveRefused(f"{case.status} -> {to}")
    case.status = to


class DeadlineKind(StrEnum):
    ACKNOWLEDGE = "acknowledge"
    ROUTE = "route"
    INFORM_ACCUSED = "inform_accused"
    PANEL = "panel"
    FIRST_CONVERSATION = "first_conversation"
    CHOICE = "choice"
    INTERIM_REVIEW = "interim_review"
    DEFERRAL_REVIEW = "deferral_review"
    WHISTLEBLOWER_FEEDBACK = "whistleblower_feedback"
    # Phase 2 and 3 (DESIGN §7): a module above records its open work as a deadline of the case, met when the
    # work is done; ``subject_id`` names the record (an intervention, a decision's sanction, an aftercare plan).
    FOLLOW_UP = "follow_up"  # a chosen follow-up (an intervention, an investigation) is carried out
    DECISION = "decision"  # the decision maker decides, once the follow-up is done
    MONITORING = "monitoring"  # a monitoring entry is due
    EVALUATION = "evaluation"  # the evaluation of the procedure
    AFTERCARE = "aftercare"  # an aftercare action for one party, due after closure as well
    SANCTION_END = "sanction_end"  # a sanction's end date: passing it records ``sanction_ended``
    PARTY_TERM = "party_term"  # a term the panel set for one party (subject_id: the party)
    WHISTLEBLOWER_ACKNOWLEDGEMENT = "whistleblower_acknowledgement"  # the Wbk's 7 days, met by its step (cases/)
    # The complaint track (complaints/, DESIGN §7): each stage's term from the tenant's procedure terms.
    COMPLAINT_RECEIPT = "complaint_receipt"
    COMPLAINT_ADMISSIBILITY = "complaint_admissibility"
    COMPLAINT_DEFENCE = "complaint_defence"
    COMPLAINT_HEARING = "complaint_hearing"
    COMPLAINT_RECORD_REPLY = "complaint_record_reply"
    COMPLAINT_DRAFT_REPLY = "complaint_draft_reply"
    COMPLAINT_ADVICE = "committee_advice"
    COMPLAINT_DECISION = "complaint_decision"
    COMPLAINT_OBJECTION = "complaint_objection"


# What does not hold a case open: closure is refused while any other deadline of the case is unmet (DESIGN §7).
OUTLIVES_CLOSURE: frozenset[DeadlineKind] = frozenset({DeadlineKind.AFTERCARE, DeadlineKind.SANCTION_END})


class Case(TenantScoped, Base):
    """One matter (DESIGN §7). The narrative, any identity and the discrimination grounds are encrypted
    with the case key."""

    __tablename__ = "cases"
    __table_args__ = (UniqueConstraint("tenant_id", "receipt_hash"),)

    kind: Mapped[CaseKind] = mapped_column(stored_as_value(CaseKind, 16))
    anonymity: Mapped[Anonymity] = mapped_column(stored_as_value(Anonymity, 32))
    status: Mapped[CaseStatus] = mapped_column(stored_as_value(CaseStatus, 32), default=CaseStatus.RECEIVED)
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
    kind: Mapped[DeadlineKind] = mapped_column(stored_as_value(DeadlineKind, 32))
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    met_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    responsible_role: Mapped[str] = mapped_column(String(32), default="reporting_point")
    # The account on the case that answers for it (a seat); reminders go to it alone when it is set.
    responsible_tenant_id: Mapped[uuid.UUID | None]
    responsible_id: Mapped[uuid.UUID | None]
    subject_id: Mapped[uuid.UUID | None]  # what it is about when not the case itself (an interim measure)
    # Who a breach goes to when the case has no seated process guardian (the complaint track's guardian seat).
    guardian_tenant_id: Mapped[uuid.UUID | None]
    guardian_id: Mapped[uuid.UUID | None]
    reminded_on: Mapped[date | None] = mapped_column(Date)
    breach_reported_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    ended_by: Mapped[str | None] = mapped_column(String(32))  # the route that ended it unmet (met_at is then set)


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

"""Tables of the complaint track (DESIGN §7 "Complaint track"; seed-003 §4): one complaint per case routed to
the complaints committee, in the member's tenant; who sits at it, per complaint, with a written independence
declaration and their employer; and every record of its dossier with its visibility. Process facts (dates,
closed lists, counts) are plain; what anyone said or wrote is sealed with the case key."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import DateTime, ForeignKeyConstraint, LargeBinary, String, UniqueConstraint, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from meldpunt.cases.models import Involvement
from meldpunt.complaints.errors import ComplaintMoveRefused
from meldpunt.db.base import Base, TenantScoped, stored_as_value
from meldpunt.errors import Named


class ComplaintStatus(StrEnum):
    REGISTERED = "registered"  # the secretary registered it; the committee is seated and declares
    ADMISSIBLE = "admissible"  # the accused's written defence is asked for within its term
    INADMISSIBLE = "inadmissible"  # with a reason of the closed list
    HEARING = "hearing"  # the defence is in (or its term passed): both sides are heard
    HEARD = "heard"  # both heard, or a refusal after invitation recorded; records sent for reaction
    DRAFT_ADVICE = "draft_advice"  # a reply round on the draft advice, where the regulation provides one
    ADVISED = "advised"  # the committee's reasoned advice to the competent authority
    DECIDED = "decided"  # the employer's decision, with reasons when it departs from the advice
    NOTIFIED = "notified"  # both parties told in writing
    OBJECTION = "objection"  # an objection lodged, where the regulation provides it
    AFTERCARE = "aftercare"  # aftercare planned (and the unfounded complaint's duties)
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"  # by the complainant, until the advice
    SUSPENDED = "suspended"  # for mediation; resumes with its terms recomputed
    SETTLED = "settled"  # the mediation settled it


BEFORE_ADVICE = frozenset(
    {
        ComplaintStatus.REGISTERED,
        ComplaintStatus.ADMISSIBLE,
        ComplaintStatus.HEARING,
        ComplaintStatus.HEARD,
        ComplaintStatus.DRAFT_ADVICE,
    }
)
_ENDINGS = frozenset({ComplaintStatus.WITHDRAWN, ComplaintStatus.SUSPENDED})
COMPLAINT_MOVES: dict[ComplaintStatus, frozenset[ComplaintStatus]] = {
    ComplaintStatus.REGISTERED: frozenset({ComplaintStatus.ADMISSIBLE, ComplaintStatus.INADMISSIBLE}) | _ENDINGS,
    ComplaintStatus.ADMISSIBLE: frozenset({ComplaintStatus.HEARING}) | _ENDINGS,
    ComplaintStatus.HEARING: frozenset({ComplaintStatus.HEARD}) | _ENDINGS,
    ComplaintStatus.HEARD: frozenset({ComplaintStatus.DRAFT_ADVICE, ComplaintStatus.ADVISED}) | _ENDINGS,
    ComplaintStatus.DRAFT_ADVICE: frozenset({ComplaintStatus.ADVISED}) | _ENDINGS,
    ComplaintStatus.ADVISED: frozenset({ComplaintStatus.DECIDED}),
    ComplaintStatus.DECIDED: frozenset({ComplaintStatus.NOTIFIED}),
    ComplaintStatus.NOTIFIED: frozenset({ComplaintStatus.OBJECTION, ComplaintStatus.AFTERCARE}),
    ComplaintStatus.OBJECTION: frozenset({ComplaintStatus.AFTERCARE}),
    ComplaintStatus.AFTERCARE: frozenset({ComplaintStatus.CLOSED}),
    ComplaintStatus.INADMISSIBLE: frozenset({ComplaintStatus.CLOSED}),
    ComplaintStatus.WITHDRAWN: frozenset({ComplaintStatus.CLOSED}),
    ComplaintStatus.SETTLED: frozenset({ComplaintStatus.CLOSED}),
    # Resuming returns to the status it was suspended in (``facts["suspended_in"]``), checked by the service.
    ComplaintStatus.SUSPENDED: BEFORE_ADVICE | {ComplaintStatus.SETTLED, ComplaintStatus.WITHDRAWN},
    ComplaintStatus.CLOSED: frozenset(),
}


class InadmissibleReason(StrEnum):
    """The closed list (seed-003 §4.4 step 2; anchors-next §2.1, LKOG/LKC practice)."""

    NOT_AFFECTED = "not_affected"  # not by the affected person
    OUT_OF_SCOPE = "out_of_scope"  # outside the regulation's scope
    INTERNAL_ROUTE_FIRST = "internal_route_first"  # the regulation requires the internal route first
    TOO_LATE = "too_late"  # after the complaint window
    ALREADY_JUDGED = "already_judged"
    ANONYMOUS = "anonymous"


class Outcome(StrEnum):
    WELL_FOUNDED = "well_founded"
    PARTLY = "partly"
    NOT_WELL_FOUNDED = "not_well_founded"
    NOT_ESTABLISHED = "not_established"


UNFOUNDED = frozenset({Outcome.NOT_WELL_FOUNDED, Outcome.NOT_ESTABLISHED})


class SeatRole(StrEnum):
    CHAIR = "committee_chair"
    MEMBER = "committee_member"
    SECRETARY = "committee_secretary"
    DECISION_MAKER = "decision_maker"  # the member's competent authority (bevoegd gezag)
    PROCESS_GUARDIAN = "process_guardian"


COMMITTEE = frozenset({SeatRole.CHAIR, SeatRole.MEMBER, SeatRole.SECRETARY})


class Employer(StrEnum):
    """Whom a seated person works for (seed-003 Implications 23): never the parties' member for the committee."""

    THIS_MEMBER = "this_member"
    OTHER_MEMBER = "other_member"
    BRANCH = "branch"
    EXTERNAL = "external"


class Visibility(StrEnum):
    """Who reads a record of the dossier (anchors-next §2.3 "who sees what")."""

    COMMITTEE = "committee"  # internal deliberation notes: the declared committee only
    PARTIES = "parties"  # what the committee relies on: both parties, and the decision maker with the advice
    OWN_PARTY = "own_party"  # a hearing record and its reaction: the committee and that party


class RecordKind(StrEnum):
    DEFENCE = "defence"
    HEARING_RECORD = "hearing_record"
    REACTION = "reaction"
    EVIDENCE = "evidence"
    DELIBERATION = "deliberation"
    DRAFT_ADVICE = "draft_advice"
    ADVICE = "advice"
    DECISION = "decision"
    MEDIATION_AGREEMENT = "mediation_agreement"  # only the agreement or the outcome, never session content


def _of_case() -> ForeignKeyConstraint:
    return ForeignKeyConstraint(["tenant_id", "case_id"], ["cases.tenant_id", "cases.id"])


def _of_complaint() -> ForeignKeyConstraint:
    return ForeignKeyConstraint(["tenant_id", "complaint_id"], ["complaints.tenant_id", "complaints.id"])


class Complaint(TenantScoped, Base):
    __tablename__ = "complaints"
    __table_args__ = (_of_case(), UniqueConstraint("tenant_id", "case_id"))

    case_id: Mapped[uuid.UUID]
    status: Mapped[ComplaintStatus] = mapped_column(
        stored_as_value(ComplaintStatus, 16), default=ComplaintStatus.REGISTERED
    )
    committee_tenant_id: Mapped[uuid.UUID]  # whose committee: the branch's, or the member's own
    inadmissible_reason: Mapped[InadmissibleReason | None] = mapped_column(stored_as_value(InadmissibleReason, 32))
    advice_outcome: Mapped[Outcome | None] = mapped_column(stored_as_value(Outcome, 24))
    decision_outcome: Mapped[Outcome | None] = mapped_column(stored_as_value(Outcome, 24))
    facts: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)  # dates, closed lists, flags, counts
    sealed_content: Mapped[bytes | None] = mapped_column(LargeBinary)  # reasons, measures, informal-route note
    registered_by_tenant_id: Mapped[uuid.UUID]
    registered_by_id: Mapped[uuid.UUID]
    registered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ComplaintSeat(TenantScoped, Base):
    """Someone who sits at one complaint: a committee member, its secretary, the competent authority, the
    process guardian; with their employer and, before anything of it, their written declaration."""

    __tablename__ = "complaint_seats"
    __table_args__ = (
        _of_case(),
        _of_complaint(),
        ForeignKeyConstraint(["account_tenant_id", "account_id"], ["accounts.tenant_id", "accounts.id"]),
        UniqueConstraint("tenant_id", "complaint_id", "account_tenant_id", "account_id"),
    )

    case_id: Mapped[uuid.UUID]
    complaint_id: Mapped[uuid.UUID]
    account_tenant_id: Mapped[uuid.UUID]
    account_id: Mapped[uuid.UUID]
    role: Mapped[SeatRole] = mapped_column(stored_as_value(SeatRole, 24))
    employer: Mapped[Employer] = mapped_column(stored_as_value(Employer, 16))
    employer_tenant_id: Mapped[uuid.UUID | None]  # the employer, when it is an organisation on the platform
    facts: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)  # a decision maker's escalation, deputy of
    declaration: Mapped[Involvement | None] = mapped_column(stored_as_value(Involvement, 16))
    declared_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sealed_declaration: Mapped[bytes | None] = mapped_column(LargeBinary)
    assigned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    left_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ComplaintRecord(TenantScoped, Base):
    """One record of the dossier with its visibility; its text sealed, a document when parties read it."""

    __tablename__ = "complaint_records"
    __table_args__ = (
        _of_case(),
        _of_complaint(),
        ForeignKeyConstraint(["tenant_id", "document_id"], ["documents.tenant_id", "documents.id"]),
    )

    case_id: Mapped[uuid.UUID]
    complaint_id: Mapped[uuid.UUID]
    kind: Mapped[RecordKind] = mapped_column(stored_as_value(RecordKind, 24))
    visibility: Mapped[Visibility] = mapped_column(stored_as_value(Visibility, 16))
    party: Mapped[str | None] = mapped_column(String(16))  # complainant | accused: whose hearing or reaction
    facts: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    sealed_body: Mapped[bytes] = mapped_column(LargeBinary)
    document_id: Mapped[uuid.UUID | None]
    recorded_by_tenant_id: Mapped[uuid.UUID]
    recorded_by_id: Mapped[uuid.UUID]
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


def move_complaint(complaint: Complaint, to: ComplaintStatus) -> None:
    """The one way a complaint's status changes, as ``COMPLAINT_MOVES`` allows."""
    if to not in COMPLAINT_MOVES[complaint.status]:
        raise ComplaintMoveRefused(status=Named(f"complaint.status.{complaint.status.value}"))
    complaint.status = to

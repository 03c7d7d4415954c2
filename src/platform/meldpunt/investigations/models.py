"""Tables of the investigations of phase 2 (seed-000 §2.4 *Stappenplan onderzoek*, §3.2): each investigation
the panel commissions, with its kind, status and process facts in the clear and its assignment (goal,
questions, norms framework, outcomes, protocol) sealed with the case key; the investigator's seat per case and
for a time, with their own declaration of independence (and, for a firm, its Wpbr licence); the interviews,
whose records go to the interviewee through the party portal; and the parties' reactions to each round of the
draft report."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Date, DateTime, ForeignKeyConstraint, LargeBinary, String, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from meldpunt.cases.models import Involvement
from meldpunt.db.base import Base, TenantScoped, stored_as_value
from meldpunt.errors import Named
from meldpunt.investigations.errors import InvestigationMoveRefused


class InvestigationKind(StrEnum):
    """The three investigations of the ladder (seed-000 §3.1, "Informatie inwinnen")."""

    FACT = "fact"  # feitenonderzoek: truth-finding about persons (hoor en wederhoor, Wpbr)
    CULTURE = "culture"  # cultuuronderzoek: norms and patterns, no persons
    SYSTEM = "system"  # systeemonderzoek: policy and measures, no persons

    @property
    def option(self) -> str:
        """The weighing's option of the ladder that chooses this kind (``cases.schemas.LADDER``)."""
        return f"{self.value}_investigation"

    @property
    def about_persons(self) -> bool:
        return self is InvestigationKind.FACT


class OnBehalfOf(StrEnum):
    """On whose behalf an investigation is commissioned, and so who controls it afterwards (its assignment, its
    investigator, its stop and its adoption): the case's panel (its declared decision maker), or the complaints
    committee hearing the case's complaint (its chair, who commissioned it). Kept in ``facts["on_behalf_of"]``;
    an investigation without it is the panel's."""

    PANEL = "panel"
    COMPLAINTS_COMMITTEE = "complaints_committee"


class InvestigationStatus(StrEnum):
    COMMISSIONED = "commissioned"  # the panel gave the assignment; no investigation yet (protocol not agreed)
    UNDER_WAY = "under_way"  # the investigator agreed the complete protocol: interviews may be held
    DRAFT = "draft"  # a draft report is with the parties for their written reaction
    FINAL = "final"  # the final report, after hoor en wederhoor
    ADOPTED = "adopted"  # the panel decided on its conclusions and recommendations; the parties were told
    STOPPED = "stopped"  # ended by the panel, with a reason


INVESTIGATION_MOVES: dict[InvestigationStatus, frozenset[InvestigationStatus]] = {
    InvestigationStatus.COMMISSIONED: frozenset({InvestigationStatus.UNDER_WAY, InvestigationStatus.STOPPED}),
    # Back to commissioned: the investigator returned the assignment, or the panel changed it.
    InvestigationStatus.UNDER_WAY: frozenset(
        {InvestigationStatus.DRAFT, InvestigationStatus.COMMISSIONED, InvestigationStatus.STOPPED}
    ),
    InvestigationStatus.DRAFT: frozenset(
        {
            InvestigationStatus.DRAFT,  # an essential change: the round is repeated
            InvestigationStatus.FINAL,
            InvestigationStatus.COMMISSIONED,
            InvestigationStatus.STOPPED,
        }
    ),
    InvestigationStatus.FINAL: frozenset({InvestigationStatus.ADOPTED, InvestigationStatus.STOPPED}),
    InvestigationStatus.ADOPTED: frozenset(),
    InvestigationStatus.STOPPED: frozenset(),
}
ENDED = frozenset(status for status, moves in INVESTIGATION_MOVES.items() if not moves)


class InterviewStatus(StrEnum):
    SCHEDULED = "scheduled"
    SHARED = "shared"  # held; its record is with the interviewee for approval or comment
    CANCELLED = "cancelled"


class ReactionHandling(StrEnum):
    """What the investigator did with a party's reaction to the draft report (seed-000 §2.4 D)."""

    INCORPORATED = "incorporated"
    ANNEXED = "annexed"
    NONE_GIVEN = "none_given"  # the term passed without a reaction


def _of_case() -> ForeignKeyConstraint:
    return ForeignKeyConstraint(["tenant_id", "case_id"], ["cases.tenant_id", "cases.id"])


def _of_investigation() -> ForeignKeyConstraint:
    return ForeignKeyConstraint(["tenant_id", "investigation_id"], ["investigations.tenant_id", "investigations.id"])


def _of_party() -> ForeignKeyConstraint:
    return ForeignKeyConstraint(["tenant_id", "party_id"], ["case_parties.tenant_id", "case_parties.id"])


class Investigation(TenantScoped, Base):
    __tablename__ = "investigations"
    __table_args__ = (_of_case(),)

    case_id: Mapped[uuid.UUID]
    kind: Mapped[InvestigationKind] = mapped_column(stored_as_value(InvestigationKind, 16))
    status: Mapped[InvestigationStatus] = mapped_column(
        stored_as_value(InvestigationStatus, 16), default=InvestigationStatus.COMMISSIONED
    )
    assignment_version: Mapped[int] = mapped_column(default=1)  # raised by each change of the assignment
    round: Mapped[int] = mapped_column(default=0)  # the draft report's round (0: none yet)
    facts: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)  # dates, counts, ids, closed lists
    sealed_content: Mapped[bytes] = mapped_column(LargeBinary)  # goal, questions, norms, outcomes, protocol, …
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by_tenant_id: Mapped[uuid.UUID]
    created_by_id: Mapped[uuid.UUID]
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class InvestigatorSeat(TenantScoped, Base):
    """The investigator of one investigation, for a time, once they declared their independence in writing."""

    __tablename__ = "investigator_seats"
    __table_args__ = (
        _of_case(),
        _of_investigation(),
        ForeignKeyConstraint(["account_tenant_id", "account_id"], ["accounts.tenant_id", "accounts.id"]),
    )

    case_id: Mapped[uuid.UUID]
    investigation_id: Mapped[uuid.UUID]
    account_tenant_id: Mapped[uuid.UUID]
    account_id: Mapped[uuid.UUID]
    external: Mapped[bool]
    licence_number: Mapped[str | None] = mapped_column(String(64))  # a firm's Wpbr licence (POB number)
    licence_valid_until: Mapped[date | None] = mapped_column(Date)
    valid_from: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    valid_to: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    declaration: Mapped[Involvement | None] = mapped_column(stored_as_value(Involvement, 16))
    declared_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sealed_declaration: Mapped[bytes | None] = mapped_column(LargeBinary)
    protocol_agreed_version: Mapped[int | None]  # the assignment version whose protocol they agreed
    assigned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    left_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    returned_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # they returned the assignment


class InvestigationInterview(TenantScoped, Base):
    """One interview: scheduled with a party of the case, the right to bring someone told; once held, its
    record is a document shared with the interviewee for approval or comment (``share_id``)."""

    __tablename__ = "investigation_interviews"
    __table_args__ = (_of_case(), _of_investigation(), _of_party())

    case_id: Mapped[uuid.UUID]
    investigation_id: Mapped[uuid.UUID]
    party_id: Mapped[uuid.UUID]
    status: Mapped[InterviewStatus] = mapped_column(stored_as_value(InterviewStatus, 16))
    scheduled_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    companion_told_on: Mapped[date] = mapped_column(Date)  # the interviewee was told they may bring someone
    held_on: Mapped[date | None] = mapped_column(Date)
    document_id: Mapped[uuid.UUID | None]  # the interview record
    share_id: Mapped[uuid.UUID | None]
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class InvestigationReaction(TenantScoped, Base):
    """One party's written reaction to one round of the draft report, within its term (extendable on request,
    with a reason), and what the investigator did with it."""

    __tablename__ = "investigation_reactions"
    __table_args__ = (_of_case(), _of_investigation(), _of_party())

    case_id: Mapped[uuid.UUID]
    investigation_id: Mapped[uuid.UUID]
    party_id: Mapped[uuid.UUID]
    round: Mapped[int]
    share_id: Mapped[uuid.UUID]
    deadline_id: Mapped[uuid.UUID]
    respond_by: Mapped[date] = mapped_column(Date)
    extensions: Mapped[int] = mapped_column(default=0)
    sealed_extension_reasons: Mapped[bytes | None] = mapped_column(LargeBinary)
    handling: Mapped[ReactionHandling | None] = mapped_column(stored_as_value(ReactionHandling, 16))
    document_id: Mapped[uuid.UUID | None]  # the reaction as a document of the dossier
    handled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


def move_investigation(investigation: Investigation, to: InvestigationStatus) -> None:
    """The one way an investigation's status changes, as ``INVESTIGATION_MOVES`` allows."""
    if to not in INVESTIGATION_MOVES[investigation.status]:
        raise InvestigationMoveRefused(status=Named(f"investigation.status.{investigation.status.value}"))
    investigation.status = to

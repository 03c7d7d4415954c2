"""Tables of phase 2 (seed-000 §2.4, §3.2): each chosen follow-up that is not an investigation is an
intervention with its kind, its status and its process facts in the clear, and what is said in it (agreed
points, notes, outcomes, agreements) sealed with the case key. Who carries it out sits at it per case and
for a time (``valid_from``–``valid_to``), with their own written declaration."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import DateTime, ForeignKeyConstraint, LargeBinary, UniqueConstraint, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from meldpunt.cases.models import Involvement
from meldpunt.db.base import Base, TenantScoped, stored_as_value
from meldpunt.errors import Named
from meldpunt.interventions.errors import MoveRefused


class InterventionKind(StrEnum):
    """The restoring options of the ladder (seed-000 §3.1, first column)."""

    INFORMAL_CONVERSATION = "informal_conversation"
    CORRECTIVE_CONVERSATION = "corrective_conversation"
    GROUP_CONVERSATION = "group_conversation"
    BEMIDDELING = "bemiddeling"
    MEDIATION = "mediation"


class InterventionStatus(StrEnum):
    PLANNED = "planned"  # started by the decision maker; the people are seated
    PREPARED = "prepared"  # its preconditions recorded (consents, what may be shared, the purpose told)
    HELD = "held"  # the conversation or session took place
    COMPLETED = "completed"  # its outcome recorded
    STOPPED = "stopped"  # ended by the decision maker, with a reason
    BACK_TO_PANEL = "back_to_panel"  # the accused denied in a corrective conversation: the panel weighs again


INTERVENTION_MOVES: dict[InterventionStatus, frozenset[InterventionStatus]] = {
    InterventionStatus.PLANNED: frozenset({InterventionStatus.PREPARED, InterventionStatus.STOPPED}),
    InterventionStatus.PREPARED: frozenset({InterventionStatus.HELD, InterventionStatus.STOPPED}),
    InterventionStatus.HELD: frozenset(
        {InterventionStatus.COMPLETED, InterventionStatus.STOPPED, InterventionStatus.BACK_TO_PANEL}
    ),
    InterventionStatus.COMPLETED: frozenset(),
    InterventionStatus.STOPPED: frozenset(),
    InterventionStatus.BACK_TO_PANEL: frozenset(),
}
ENDED = frozenset(status for status, moves in INTERVENTION_MOVES.items() if not moves)


class SeatRole(StrEnum):
    """Who carries a follow-up out; each is a role of ``identity.roles`` held in the tenant."""

    LINE_MANAGER = "line_manager"
    HR = "hr"  # the third person of a corrective conversation
    FACILITATOR = "facilitator"
    MEDIATOR = "mediator"


# Who carries out which kind (seed-000 §3.2): the first role leads and records; the others take part.
CARRIED_OUT_BY: dict[InterventionKind, tuple[SeatRole, ...]] = {
    InterventionKind.INFORMAL_CONVERSATION: (SeatRole.LINE_MANAGER,),
    InterventionKind.CORRECTIVE_CONVERSATION: (SeatRole.LINE_MANAGER, SeatRole.HR),
    InterventionKind.GROUP_CONVERSATION: (SeatRole.FACILITATOR, SeatRole.LINE_MANAGER),
    InterventionKind.BEMIDDELING: (SeatRole.MEDIATOR,),
    InterventionKind.MEDIATION: (SeatRole.MEDIATOR,),
}


def _of_case() -> ForeignKeyConstraint:
    return ForeignKeyConstraint(["tenant_id", "case_id"], ["cases.tenant_id", "cases.id"])


class Intervention(TenantScoped, Base):
    __tablename__ = "interventions"
    __table_args__ = (
        _of_case(),
        ForeignKeyConstraint(["tenant_id", "after_id"], ["interventions.tenant_id", "interventions.id"]),
    )

    case_id: Mapped[uuid.UUID]
    kind: Mapped[InterventionKind] = mapped_column(stored_as_value(InterventionKind, 32))
    status: Mapped[InterventionStatus] = mapped_column(
        stored_as_value(InterventionStatus, 16), default=InterventionStatus.PLANNED
    )
    after_id: Mapped[uuid.UUID | None]  # in sequence: starts once this one has ended; none: in parallel
    facts: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)  # dates, counts, flags, closed lists
    sealed_content: Mapped[bytes | None] = mapped_column(LargeBinary)  # agreed points, notes, outcome, agreements
    document_id: Mapped[uuid.UUID | None]  # the official warning, or the signed mediation agreement
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by_tenant_id: Mapped[uuid.UUID]
    created_by_id: Mapped[uuid.UUID]
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class InterventionSeat(TenantScoped, Base):
    """Someone who carries out one intervention, for a time, once they declared not to be involved."""

    __tablename__ = "intervention_seats"
    __table_args__ = (
        _of_case(),
        ForeignKeyConstraint(["tenant_id", "intervention_id"], ["interventions.tenant_id", "interventions.id"]),
        ForeignKeyConstraint(["account_tenant_id", "account_id"], ["accounts.tenant_id", "accounts.id"]),
        UniqueConstraint("tenant_id", "intervention_id", "account_tenant_id", "account_id"),
    )

    case_id: Mapped[uuid.UUID]
    intervention_id: Mapped[uuid.UUID]
    account_tenant_id: Mapped[uuid.UUID]
    account_id: Mapped[uuid.UUID]
    role: Mapped[SeatRole] = mapped_column(stored_as_value(SeatRole, 16))
    facts: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)  # a mediator's registration number
    valid_from: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    valid_to: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    declaration: Mapped[Involvement | None] = mapped_column(stored_as_value(Involvement, 16))
    declared_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sealed_declaration: Mapped[bytes | None] = mapped_column(LargeBinary)
    assigned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    left_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # ended by the decision maker


def move_intervention(intervention: Intervention, to: InterventionStatus) -> None:
    """The one way an intervention's status changes, as ``INTERVENTION_MOVES`` allows."""
    if to not in INTERVENTION_MOVES[intervention.status]:
        raise MoveRefused(status=Named(f"intervention.status.{intervention.status.value}"))
    intervention.status = to

"""The whole timeline of one case on its page (issue 13, DESIGN §7): from the report through routing, the panel,
the phase-1 steps, each follow-up, the decision and what was told, monitoring, aftercare and the evaluation, to
closure, and then what is still open. Each module gives its rows as process facts (kinds, dates, statuses); this
page puts them in one order. Nothing here is content: whoever sees the case's process sees the same timeline,
and a step's content is shown only where the case page already shows it (``content`` of the viewer's seat)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Literal

from meldpunt.cases import outcome
from meldpunt.cases.controllers import OnCase
from meldpunt.cases.follow_up import At
from meldpunt.cases.models import CaseStep
from meldpunt.cases.services import ProcessView
from meldpunt.catalogues import text
from meldpunt.intake.models import Deadline
from meldpunt.interventions import services as interventions
from meldpunt.investigations import services as investigations

State = Literal["done", "due", "missed"]


@dataclass(frozen=True)
class Moment:
    """One line of the timeline: when, what (in the reader's language), and whether it is done or still due."""

    at: datetime
    what: str
    state: State = "done"
    step: CaseStep | None = None  # a phase-1 step: the page shows its warnings, and its content where allowed
    who: str = ""


@dataclass
class Timeline:
    """The moments of one case in one language, gathered source by source and then put in order."""

    language: str
    moments: list[Moment] = field(default_factory=list)

    def add(
        self,
        at: datetime | date | None,
        message_id: str,
        *,
        who: str = "",
        after: datetime | None = None,
        **params: str,
    ) -> None:
        """``after``: for a day without a time (a conversation held on a date), the moment it was recorded
        or planned, so that it never sorts before what led to it on the same day."""
        if at is None:
            return
        words = {key: text(self.language, value) for key, value in params.items()}
        moment = _instant(at) if after is None else max(_instant(at), after)
        self.moments.append(Moment(moment, text(self.language, message_id, **words), who=who))

    def ordered(self) -> list[Moment]:
        return sorted(self.moments, key=lambda moment: moment.at)


def _instant(at: datetime | date) -> datetime:
    if isinstance(at, datetime):
        return at
    return datetime.combine(at, time.min, tzinfo=UTC)


def _process(timeline: Timeline, view: ProcessView) -> None:
    """The case itself: received, routed, the panel seated and declared, the steps, the concerns."""
    timeline.add(view.case.created_at, "timeline.received")
    if view.routing is not None:
        timeline.add(view.routing.decided_at, "timeline.routed", route=f"case.routes.{view.routing.route}")
    for seat in view.seats:
        who = view.names.get(seat.account_id, "")
        role = f"case.seat_roles.{seat.role}"
        timeline.add(seat.assigned_at, "timeline.seated", role=role, who=who)
        timeline.add(seat.declared_at, "timeline.declared", role=role, who=who)
        timeline.add(seat.left_at, "timeline.left", role=role, who=who)
    for step in view.steps:
        what = text(timeline.language, f"case.step_kinds.{step.kind}")
        timeline.moments.append(Moment(step.recorded_at, what, step=step))
    for concern in view.concerns:
        timeline.add(concern.raised_at, "timeline.concern_raised")
        timeline.add(concern.acknowledged_at, "timeline.concern_answered")


def _follow_ups(timeline: Timeline, views: Iterable[interventions.InterventionView]) -> None:
    """Each follow-up of phase 2: started, held, and how it ended."""
    for view in views:
        row = view.intervention
        kind = f"intervention.kind.{row.kind}"
        timeline.add(row.created_at, "timeline.follow_up_started", kind=kind)
        held_on = row.facts.get("held_on")
        if isinstance(held_on, str):
            timeline.add(date.fromisoformat(held_on), "timeline.follow_up_held", kind=kind, after=row.created_at)
        timeline.add(row.ended_at, "timeline.follow_up_ended", kind=kind, status=f"intervention.status.{row.status}")


def _investigations(timeline: Timeline, views: Iterable[investigations.InvestigationView]) -> None:
    """Each investigation of phase 2: commissioned, every interview held, and how it ended."""
    for view in views:
        row = view.investigation
        kind = f"investigation.kind.{row.kind}"
        timeline.add(row.created_at, "timeline.investigation_commissioned", kind=kind)
        for interview in view.interviews:
            timeline.add(interview.held_on, "timeline.interview_held", kind=kind, after=interview.created_at)
        status = f"investigation.status.{row.status}"
        timeline.add(row.ended_at, "timeline.investigation_ended", kind=kind, status=status)


def _end(timeline: Timeline, view: outcome.OutcomeView) -> None:
    """Phase 3: the decision, what was told to whom, monitoring, aftercare, the evaluation, closure."""
    for decision in view.decisions:
        timeline.add(decision.decided_at, "timeline.decided", finding=f"outcome.finding.{decision.finding}")
    for measure in view.measures:
        timeline.add(measure.ended_at, "timeline.sanction_ended", measure=f"outcome.measure.{measure.kind}")
    for message in view.messages:
        timeline.add(message.sent_at, "timeline.told", audience=f"outcome.audience.{message.audience}")
    for entry in view.monitoring:
        timeline.add(entry.recorded_at, "timeline.monitored")
    for action in view.aftercare:
        timeline.add(action.planned_at, "timeline.aftercare_planned", kind=f"outcome.kind.{action.kind}")
        timeline.add(action.done_at, "timeline.aftercare_done", kind=f"outcome.kind.{action.kind}")
    for evaluation in view.evaluations:
        timeline.add(evaluation.recorded_at, "timeline.evaluated")
    if view.closure is not None:
        timeline.add(view.closure.closed_at, "timeline.closed")


def still_open(language: str, deadlines: Sequence[Deadline]) -> list[Moment]:
    """What is still to be done, soonest first: each open deadline, marked when its term has passed."""
    moments = [
        Moment(
            deadline.due_at,
            text(language, f"case.deadline_kinds.{deadline.kind}"),
            "missed" if deadline.breach_reported_at or deadline.due_at < datetime.now(UTC) else "due",
        )
        for deadline in deadlines
        if deadline.met_at is None
    ]
    return sorted(moments, key=lambda moment: moment.at)


async def case_timeline(on: OnCase, view: ProcessView, language: str) -> Timeline:
    """The timeline of the case of ``on`` for its viewer (who may see its process: the caller's ``view``)."""
    timeline = Timeline(language)
    _process(timeline, view)
    at = At(on.db, on.keyring, on.who, on.tenant, on.case_id)
    _follow_ups(timeline, await interventions.process(at, on.is_point))
    _investigations(timeline, await investigations.process(at, on.is_point))
    _end(timeline, await outcome.outcome_facts(on.db, on.who, on.tenant, on.case_id, on.is_point))
    return timeline

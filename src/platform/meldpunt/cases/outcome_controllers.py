"""The end of a case as JSON: ``/api/v1/t/{tenant}/cases/{case}/outcome…`` (decision, telling the outcome,
monitoring, aftercare, evaluation, closure) and the aftercare owner's ``/api/v1/t/{tenant}/aftercare``. The role is
checked here (identity.policy); the seat, the owner and every rule in ``cases/outcome.py``."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable

from litestar import Controller, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from meldpunt.cases import outcome
from meldpunt.cases.controllers import OnCase, provide_on_case
from meldpunt.cases.outcome_models import AftercareAction
from meldpunt.cases.outcome_schemas import (
    AccusedToldIn,
    AftercareDoneIn,
    AftercareIn,
    AftercareOut,
    ClosureIn,
    ClosureOut,
    DecisionIn,
    DecisionOut,
    EvaluationIn,
    EvaluationOut,
    MeasureOut,
    MessageOut,
    MonitoringIn,
    MonitoringOut,
    OutcomeOut,
    ReporterToldIn,
    TeamToldIn,
)
from meldpunt.dossiers.keys import Keyring
from meldpunt.dossiers.storage import ObjectStore
from meldpunt.identity.policy import Actor
from meldpunt.identity.roles import Action
from meldpunt.tenancy.models import Tenant


def aftercare_out(action: AftercareAction, text: str | None = None) -> AftercareOut:
    return AftercareOut(
        id=action.id,
        case_id=action.case_id,
        party=action.party,
        kind=action.kind,
        owner_id=action.owner_id,
        due_on=action.due_on,
        done_at=action.done_at,
        text=text,
    )


def outcome_out(view: outcome.OutcomeView) -> OutcomeOut:
    """The view's rows with their facts; the texts only when the viewer sees content (``view.texts`` is empty
    otherwise)."""
    texts = view.texts
    return OutcomeOut(
        case_id=view.case.id,
        status=view.case.status,
        content=view.content,
        decisions=[
            DecisionOut(
                id=d.id,
                finding=d.finding,
                decided_at=d.decided_at,
                reasons=texts.get(d.id),
                measures=[
                    MeasureOut(
                        id=m.id,
                        kind=m.kind,
                        heard_on=m.heard_on,
                        ends_on=m.ends_on,
                        ended_at=m.ended_at,
                        content=texts.get(m.id),
                    )
                    for m in view.measures
                    if m.decision_id == d.id
                ],
            )
            for d in view.decisions
        ],
        messages=[
            MessageOut(id=m.id, audience=m.audience, template=m.template, sent_at=m.sent_at) for m in view.messages
        ],
        monitoring=[
            MonitoringOut(
                id=e.id,
                behaviour_stopped=e.behaviour_stopped,
                work_restored=e.work_restored,
                escalated=e.escalated,
                next_on=e.next_on,
                recorded_at=e.recorded_at,
                note=(texts.get(e.id) or {}).get("note"),
            )
            for e in view.monitoring
        ],
        aftercare=[aftercare_out(a, texts.get(a.id)) for a in view.aftercare],
        evaluations=[
            EvaluationOut(
                id=e.id, perspectives=list(e.perspectives), recorded_at=e.recorded_at, content=texts.get(e.id)
            )
            for e in view.evaluations
        ],
        closure=(
            ClosureOut(closed_at=view.closure.closed_at, route=view.closure.route, reason=texts.get(view.closure.id))
            if view.closure
            else None
        ),
    )


async def _outcome(on: OnCase) -> OutcomeOut:
    return outcome_out(await outcome.outcome_view(on.db, on.keyring, on.who, on.tenant, on.case_id, on.is_point))


async def _after(on: OnCase, done: Awaitable[object]) -> OutcomeOut:
    """The case's end as it stands once ``done`` (a service call of ``outcome``) has been done."""
    await done
    return await _outcome(on)


class CaseOutcomeController(Controller):
    """One case's end: each route names its action; ``on`` is the case in the tenant of the path."""

    path = "/api/v1/t/{tenant:str}/cases/{case_id:uuid}/outcome"
    tags = ("case outcome",)
    dependencies = {"on": Provide(provide_on_case)}  # noqa: RUF012 - read once by Litestar, never changed

    @get("/", operation_id="CaseOutcome", action=Action.CASE_PROCESS)
    async def show(self, on: NamedDependency[OnCase]) -> OutcomeOut:
        """Decisions, measures, who was told, monitoring, aftercare, evaluation, closure: facts for whoever sees
        the process, the texts for a declared decision maker or expert (audited)."""
        return await _outcome(on)

    @post("/decision", operation_id="Decide", status_code=201, action=Action.CASE_CONCLUDE)
    async def decide(self, on: NamedDependency[OnCase], data: JSONBody[DecisionIn]) -> OutcomeOut:
        """Decide with reasons once every follow-up is done; measures need a founded finding and the accused heard."""
        return await _after(on, outcome.decide(on.db, on.keyring, on.who, on.tenant, on.case_id, data))

    @post("/reporter", operation_id="TellReporter", status_code=201, action=Action.CASE_CONCLUDE)
    async def tell_reporter(self, on: NamedDependency[OnCase], data: JSONBody[ReporterToldIn]) -> OutcomeOut:
        """The outcome in plain words in the reporter's inbox."""
        return await _after(on, outcome.tell_reporter(on.db, on.keyring, on.who, on.tenant, on.case_id, data))

    @post("/accused", operation_id="TellAccused", status_code=201, action=Action.CASE_CONCLUDE)
    async def tell_accused(
        self, on: NamedDependency[OnCase], store: NamedDependency[ObjectStore], data: JSONBody[AccusedToldIn]
    ) -> OutcomeOut:
        """The outcome letter, shared with the accused in the party portal."""
        return await _after(on, outcome.tell_accused(on.db, on.keyring, store, on.who, on.tenant, on.case_id, data))

    @post("/team", operation_id="TellTeam", status_code=201, action=Action.CASE_CONCLUDE)
    async def tell_team(self, on: NamedDependency[OnCase], data: JSONBody[TeamToldIn]) -> OutcomeOut:
        """A process-only text for the team, from the closed list."""
        return await _after(on, outcome.tell_team(on.db, on.who, on.tenant, on.case_id, data))

    @post("/monitoring", operation_id="Monitor", status_code=201, action=Action.CASE_CONCLUDE)
    async def monitor(self, on: NamedDependency[OnCase], data: JSONBody[MonitoringIn]) -> OutcomeOut:
        """A monitoring entry; ``escalate`` sends the case back to the panel's weighing."""
        return await _after(on, outcome.record_monitoring(on.db, on.keyring, on.who, on.tenant, on.case_id, data))

    @post("/aftercare", operation_id="PlanAftercare", status_code=201, action=Action.CASE_CONCLUDE)
    async def plan_aftercare(self, on: NamedDependency[OnCase], data: JSONBody[AftercareIn]) -> OutcomeOut:
        """An aftercare action for one party, with its owner and due date (it outlives closure)."""
        return await _after(on, outcome.plan_aftercare(on.db, on.keyring, on.who, on.tenant, on.case_id, data))

    @post("/evaluation", operation_id="Evaluate", status_code=201, action=Action.CASE_CONCLUDE)
    async def evaluate(self, on: NamedDependency[OnCase], data: JSONBody[EvaluationIn]) -> OutcomeOut:
        """The organisation's evaluation of the procedure, every perspective heard."""
        return await _after(on, outcome.evaluate(on.db, on.keyring, on.who, on.tenant, on.case_id, data))

    @post("/closure", operation_id="CloseCase", status_code=201, action=Action.CASE_CLOSE)
    async def close(self, on: NamedDependency[OnCase], data: JSONBody[ClosureIn]) -> OutcomeOut:
        """Close the case: refused while a mandatory step is open, naming it; starts retention."""
        return await _after(
            on, outcome.close_case(on.db, on.keyring, on.who, on.tenant, on.case_id, data, reporting_point=on.is_point)
        )


class AftercareController(Controller):
    """The aftercare actions the signed-in account owns in the tenant of the path."""

    path = "/api/v1/t/{tenant:str}/aftercare"
    tags = ("case outcome",)

    @get("/", operation_id="MyAftercare", action=Action.CASE_AFTERCARE)
    async def mine(
        self,
        db: NamedDependency[AsyncSession],
        keyring: NamedDependency[Keyring],
        actor: NamedDependency[Actor],
        acting: NamedDependency[Tenant],
    ) -> list[AftercareOut]:
        return [aftercare_out(o.action, o.text) for o in await outcome.my_aftercare(db, keyring, actor.ref, acting)]

    @post("/{action_id:uuid}/done", operation_id="CompleteAftercare", status_code=201, action=Action.CASE_AFTERCARE)
    async def done(
        self,
        db: NamedDependency[AsyncSession],
        keyring: NamedDependency[Keyring],
        actor: NamedDependency[Actor],
        acting: NamedDependency[Tenant],
        action_id: FromPath[uuid.UUID],
        data: JSONBody[AftercareDoneIn],
    ) -> AftercareOut:
        """The owner marks their action done (after closure too)."""
        return aftercare_out(await outcome.complete_aftercare(db, keyring, actor.ref, acting, action_id, data.note))


ROUTES = (CaseOutcomeController, AftercareController)

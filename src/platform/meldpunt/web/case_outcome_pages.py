"""The pages of a case's end (``/app/t/{tenant}/zaken/{case}/afronding``): the timeline of the decision, who was
told, monitoring, aftercare, evaluation and closure, with the declared decision maker's forms (the reporting
point closes the routes without a panel); and the aftercare owner's own list (``/app/t/{tenant}/nazorg``). Each
form has its own handler, decodes into the API's struct and calls the API's service (``cases/outcome.py``); a
refusal shows the page again with what was typed."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from meldpunt.cases import outcome, services
from meldpunt.cases import parties as case_parties
from meldpunt.cases.controllers import OnCase
from meldpunt.cases.models import PanelRole
from meldpunt.cases.outcome_models import (
    AftercareKind,
    AftercareParty,
    Finding,
    MeasureKind,
    Perspective,
    TeamTemplate,
)
from meldpunt.cases.outcome_schemas import (
    AccusedToldIn,
    AftercareDoneIn,
    AftercareIn,
    ClosureIn,
    DecisionIn,
    EvaluationIn,
    MeasureIn,
    MonitoringIn,
    ReporterToldIn,
    TeamToldIn,
)
from meldpunt.catalogues import LANGUAGES, text
from meldpunt.dossiers.keys import Keyring
from meldpunt.dossiers.storage import ObjectStore
from meldpunt.errors import DomainError
from meldpunt.identity.roles import Action
from meldpunt.intake.models import OUTLIVES_CLOSURE, DeadlineKind
from meldpunt.parties.models import PartyRole
from meldpunt.web.forms import decode_form, form_fields
from meldpunt.web.page_forms import case_page_dependencies, submit_on_case
from meldpunt.web.pages import AT_TENANT, AtTenant, language, same_language, shell_context
from meldpunt.web.pro_texts import WORDS

Form = dict[str, Any]
# The deadline kinds of the end of a case, in the order the timeline shows them.
OUTCOME_DEADLINES = ("decision", "monitoring", "evaluation", "aftercare", "sanction_end")


def _words(language: str) -> dict[str, dict[str, str]]:
    """The closed lists of the end of a case in ``language``, from the catalogues."""

    def group(name: str, values: Any) -> dict[str, str]:
        return {value.value: text(language, f"outcome.{name}.{value.value}") for value in values}

    return {
        "findings": group("finding", Finding),
        "measures": group("measure", MeasureKind),
        "team_templates": group("team", TeamTemplate),
        "aftercare_parties": group("party", AftercareParty),
        "aftercare_kinds": group("kind", AftercareKind),
        "perspectives": group("perspective", Perspective),
        "audiences": {value: text(language, f"outcome.audience.{value}") for value in ("reporter", "accused", "team")},
        "deadline_kinds": {kind.value: text(language, f"case.deadline_kinds.{kind.value}") for kind in DeadlineKind},
        "language_names": {other: text(language, f"outcome.language.{other}") for other in LANGUAGES},
    }


OUTCOME_WORDS = {language: _words(language) for language in LANGUAGES}


def _decision(form: Form) -> DecisionIn:
    """The decision with at most one measure from the page (the API takes several)."""
    measures = []
    if form.get("measure_kind"):
        fields = {key.removeprefix("measure_"): value for key, value in form.items() if key.startswith("measure_")}
        measures.append(decode_form(fields, MeasureIn))
    return decode_form(form, DecisionIn, measures=measures)


def _monitoring(form: Form) -> MonitoringIn:
    """A monitoring entry: a checkbox left unticked is not sent, and means no."""
    flags = {flag: form.get(flag) in ("on", "yes") for flag in ("behaviour_stopped", "work_restored", "escalate")}
    return decode_form(form, MonitoringIn, **flags)


def _evaluation(form: Form) -> EvaluationIn:
    perspectives = {p.value: str(form.get(f"perspective_{p.value}") or "") for p in Perspective}
    return decode_form(form, EvaluationIn, perspectives=perspectives)


def _aftercare(form: Form) -> AftercareIn:
    tenant_id, _, account_id = str(form.get("owner") or "").partition(":")
    return decode_form(form, AftercareIn, owner_tenant_id=tenant_id, owner_id=account_id)


@dataclass(frozen=True)
class OutcomePage:
    """One case's end for the signed-in viewer in the acting tenant."""

    request: Request[Any, Any, Any]
    on: OnCase

    @property
    def here(self) -> str:
        return f"/app/t/{self.on.slug}/zaken/{self.on.case_id}/afronding"

    async def render(self, *, message: str | None = None, entered: Form | None = None, status: int = 200) -> Template:
        on, chosen = self.on, language(self.request)
        view = await outcome.outcome_view(on.db, on.keyring, on.who, on.tenant, on.case_id, on.is_point)
        deciding = view.content and view.seat is not None and view.seat.role == PanelRole.DECISION_MAKER
        accused = []
        if deciding:
            every = await case_parties.parties_of(on.db, on.keyring, on.who, on.tenant, on.case_id)
            accused = [(str(p.party.id), p.name) for p in every if p.party.role == PartyRole.ACCUSED]
        owners = await outcome.aftercare_owners(on.db, on.tenant) if deciding else []
        process = await services.process_view(on.db, on.tenant, on.case_id)
        return Template(
            "case_outcome_page.html",
            status_code=status,
            context={
                **shell_context(self.request, on.actor, on.slug),
                **OUTCOME_WORDS[chosen],
                "languages": list(OUTCOME_WORDS[chosen]["language_names"].items()),
                "view": view,
                "deadlines": [d for d in process.deadlines if d.kind in OUTCOME_DEADLINES],
                "outlives": {kind.value for kind in OUTLIVES_CLOSURE},
                "deciding": deciding,
                "may_close": deciding or (on.is_point and view.case.route != "decision_panel"),
                "accused": accused,
                "owners": [(f"{who.tenant_id}:{who.id}", name) for who, name in owners],
                "case_here": f"/app/t/{on.slug}/zaken/{on.case_id}",
                "message": message,
                # A message goes out in Dutch unless the decision maker chooses English (as ``ReporterToldIn``).
                "entered": entered or {"language": "nl"},
                "today": date.today(),
            },
        )

    async def submit(self, act: Callable[[Form], Awaitable[object]]) -> Template | Redirect:
        return await submit_on_case(self, act, self.here)


class CaseOutcomePages(Controller):
    path = "/app/t/{tenant:str}/zaken/{case_id:uuid}/afronding"
    include_in_schema = False
    dependencies = case_page_dependencies(OutcomePage)

    @get("/", action=Action.CASE_PROCESS)
    async def show(self, page: NamedDependency[OutcomePage]) -> Template:
        return await page.render()

    @post("/besluit", status_code=200, action=Action.CASE_CONCLUDE)
    async def decide(self, page: NamedDependency[OutcomePage], on: NamedDependency[OnCase]) -> Template | Redirect:
        """The decision with reasons (Decide)."""
        return await page.submit(
            lambda form: outcome.decide(on.db, on.keyring, on.who, on.tenant, on.case_id, _decision(form))
        )

    @post("/melder", status_code=200, action=Action.CASE_CONCLUDE)
    async def tell_reporter(
        self, request: Request[Any, Any, Any], page: NamedDependency[OutcomePage], on: NamedDependency[OnCase]
    ) -> Template | Redirect:
        """The outcome in the reporter's inbox (TellReporter)."""
        return await page.submit(
            lambda form: outcome.tell_reporter(
                on.db, on.keyring, on.who, on.tenant, on.case_id, decode_form(form, ReporterToldIn)
            )
        )

    @post("/beschuldigde", status_code=200, action=Action.CASE_CONCLUDE)
    async def tell_accused(
        self, page: NamedDependency[OutcomePage], on: NamedDependency[OnCase], store: NamedDependency[ObjectStore]
    ) -> Template | Redirect:
        """The outcome letter in the accused's portal (TellAccused)."""
        return await page.submit(
            lambda form: outcome.tell_accused(
                on.db, on.keyring, store, on.who, on.tenant, on.case_id, decode_form(form, AccusedToldIn)
            )
        )

    @post("/team", status_code=200, action=Action.CASE_CONCLUDE)
    async def tell_team(self, page: NamedDependency[OutcomePage], on: NamedDependency[OnCase]) -> Template | Redirect:
        """A process-only text for the team (TellTeam)."""
        return await page.submit(
            lambda form: outcome.tell_team(on.db, on.who, on.tenant, on.case_id, decode_form(form, TeamToldIn))
        )

    @post("/monitoring", status_code=200, action=Action.CASE_CONCLUDE)
    async def monitor(self, page: NamedDependency[OutcomePage], on: NamedDependency[OnCase]) -> Template | Redirect:
        """A monitoring entry, perhaps back up the ladder (Monitor)."""
        return await page.submit(
            lambda form: outcome.record_monitoring(on.db, on.keyring, on.who, on.tenant, on.case_id, _monitoring(form))
        )

    @post("/nazorg", status_code=200, action=Action.CASE_CONCLUDE)
    async def plan_aftercare(
        self, page: NamedDependency[OutcomePage], on: NamedDependency[OnCase]
    ) -> Template | Redirect:
        """An aftercare action for one party (PlanAftercare)."""
        return await page.submit(
            lambda form: outcome.plan_aftercare(on.db, on.keyring, on.who, on.tenant, on.case_id, _aftercare(form))
        )

    @post("/evaluatie", status_code=200, action=Action.CASE_CONCLUDE)
    async def evaluate(self, page: NamedDependency[OutcomePage], on: NamedDependency[OnCase]) -> Template | Redirect:
        """The evaluation of the procedure (Evaluate)."""
        return await page.submit(
            lambda form: outcome.evaluate(on.db, on.keyring, on.who, on.tenant, on.case_id, _evaluation(form))
        )

    @post("/sluiten", status_code=200, action=Action.CASE_CLOSE)
    async def close(self, page: NamedDependency[OutcomePage], on: NamedDependency[OnCase]) -> Template | Redirect:
        """Close the case (CloseCase)."""
        return await page.submit(
            lambda form: outcome.close_case(
                on.db,
                on.keyring,
                on.who,
                on.tenant,
                on.case_id,
                decode_form(form, ClosureIn),
                reporting_point=on.is_point,
            )
        )


class AftercarePages(Controller):
    """The aftercare actions the signed-in account owns in this organisation, each marked done by its owner."""

    path = "/app/t/{tenant:str}/nazorg"
    include_in_schema = False
    dependencies = AT_TENANT

    async def _render(
        self, at: AtTenant, keyring: Keyring, *, message: str | None = None, status: int = 200
    ) -> Template:
        chosen = language(at.request)
        return Template(
            "aftercare.html",
            status_code=status,
            context={
                **at.shell(),
                **OUTCOME_WORDS[chosen],
                "actions": await outcome.my_aftercare(at.db, keyring, at.actor.ref, at.acting),
                "message": message,
            },
        )

    @get("/", action=Action.CASE_AFTERCARE)
    async def mine(self, at: NamedDependency[AtTenant], keyring: NamedDependency[Keyring]) -> Template:
        return await self._render(at, keyring)

    @post("/{action_id:uuid}/klaar", status_code=200, action=Action.CASE_AFTERCARE)
    async def done(
        self, at: NamedDependency[AtTenant], keyring: NamedDependency[Keyring], action_id: FromPath[uuid.UUID]
    ) -> Template | Redirect:
        """The owner marks the action done (CompleteAftercare)."""
        form = form_fields(await at.request.form())
        chosen = language(at.request)
        try:
            note = decode_form(form, AftercareDoneIn).note
            await outcome.complete_aftercare(at.db, keyring, at.actor.ref, at.acting, action_id, note)
        except ValueError:
            return await self._render(at, keyring, message=WORDS[chosen]["form_incomplete"], status=400)
        except DomainError as refused:
            if refused.status in (403, 404):
                raise
            await at.db.rollback()
            await at.db.refresh(at.acting)
            return await self._render(at, keyring, message=refused.detail_in(chosen), status=refused.status)
        return Redirect(same_language(at.request, f"/app/t/{at.acting.slug}/nazorg"), status_code=303)


ROUTES = (CaseOutcomePages, AftercarePages)

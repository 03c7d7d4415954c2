"""The pages of the investigations. A case's investigations (``/app/t/{tenant}/zaken/{case}/onderzoek``): its
declared decision maker commissions what the weighing chose, seats the investigator and stops; whoever sees the
case's process sees the stages and deadlines there, never content. The investigator's own assignments
(``/app/t/{tenant}/onderzoeken``, "Mijn onderzoeksopdrachten") and one assignment's page with the declaration,
the agreement of the protocol, the interviews and their records, and the return of the assignment. Each form has
its own handler, decodes into the API's struct and calls the API's service; a refusal shows the page again with
what was typed."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from meldpunt.cases import parties as case_parties
from meldpunt.cases import services as cases
from meldpunt.cases.controllers import OnCase
from meldpunt.cases.models import PanelRole
from meldpunt.cases.schemas import DeclarationIn
from meldpunt.dossiers.storage import ObjectStore
from meldpunt.identity import services as identity
from meldpunt.identity.roles import Action, Role
from meldpunt.investigations import services, work
from meldpunt.investigations.controllers import at
from meldpunt.investigations.models import ENDED
from meldpunt.investigations.schemas import (
    COMMON_PROTOCOL,
    FACT_PROTOCOL,
    AdoptionIn,
    AssignmentChangeIn,
    CommissionIn,
    DraftIn,
    ExtensionIn,
    FinalIn,
    HandlingIn,
    InterviewIn,
    InvestigatorIn,
    Outcome,
    ProtocolChangeIn,
    ProtocolIn,
    RecordIn,
    ReturnIn,
    ReuseIn,
    StopIn,
    TermsIn,
    Told,
)
from meldpunt.parties import services as party_services
from meldpunt.web.forms import decode_form
from meldpunt.web.page_forms import case_page_dependencies, submit_on_case
from meldpunt.web.pages import AT_TENANT, AtTenant, same_language, shell_context

Form = dict[str, Any]
PROTOCOL_FIELDS = (*COMMON_PROTOCOL, *FACT_PROTOCOL, "legal_protocol")
OUTCOME_ROWS = 3


def _filled(form: Form) -> Form:
    return {key: value for key, value in form.items() if value not in ("", None)}


def commission_of(form: Form) -> CommissionIn:
    """The assignment from its form: a question per line, outcomes as numbered rows, the protocol's fields."""
    questions = [line.strip() for line in str(form.get("questions") or "").splitlines() if line.strip()]
    outcomes = [
        Outcome(outcome=str(form.get(f"outcome_{i}")), follows=str(form.get(f"follows_{i}") or ""))
        for i in range(1, OUTCOME_ROWS + 1)
        if form.get(f"outcome_{i}")
    ]
    protocol = decode_form(form, ProtocolIn)
    terms = decode_form(_filled(form), TermsIn)
    return decode_form(
        _filled(form), CommissionIn, questions=questions, outcomes=outcomes, protocol=protocol, terms=terms
    )


def _lines(form: Form, name: str) -> list[str]:
    return [line.strip() for line in str(form.get(name) or "").splitlines() if line.strip()]


def change_of(form: Form) -> AssignmentChangeIn:
    """A change of the assignment: new questions (a question per line) and scope only when given."""
    return decode_form(_filled(form), AssignmentChangeIn, questions=_lines(form, "questions") or None)


def adoption_of(form: Form) -> AdoptionIn:
    """The adoption: for each party ``told_<party>`` names the channel (or nothing); the ticks as yes or no."""
    told = [
        Told(party_id=uuid.UUID(key.removeprefix("told_")), channel=value)
        for key, value in form.items()
        if key.startswith("told_") and value in ("portal", "letter")
    ]
    distribution = form.get("distribution")
    return decode_form(
        _filled(form),
        AdoptionIn,
        told=told,
        conclusions_adopted=form.get("conclusions_adopted") in ("on", "yes"),
        recommendations_adopted=form.get("recommendations_adopted") in ("on", "yes"),
        distribution=([distribution] if isinstance(distribution, str) else distribution) or None,
    )


def draft_of(form: Form) -> DraftIn:
    to = form.get("to")
    return decode_form(
        _filled(form),
        DraftIn,
        to=[to] if isinstance(to, str) else (to or []),
        essential_change=form.get("essential_change") in ("on", "yes"),
    )


def investigator_of(form: Form) -> InvestigatorIn:
    """A seat: the form names the account as "<tenant>:<account>"."""
    tenant_id, _, account_id = str(form.get("account") or "").partition(":")
    return decode_form(
        _filled(form),
        InvestigatorIn,
        account_tenant_id=tenant_id,
        account_id=account_id,
        external=form.get("external") in ("on", "yes"),
    )


@dataclass(frozen=True)
class CaseInvestigationsPage:
    """One case's investigations for the signed-in viewer."""

    request: Request[Any, Any, Any]
    on: OnCase

    @property
    def here(self) -> str:
        return f"/app/t/{self.on.slug}/zaken/{self.on.case_id}/onderzoek"

    async def _manages(self) -> bool:
        on = self.on
        seat = await cases.may_see_process(on.db, on.tenant, on.case_id, on.who, on.is_point)
        return seat is not None and cases.sees_content(seat) and seat.role == PanelRole.DECISION_MAKER

    async def render(self, *, message: str | None = None, entered: Form | None = None, status: int = 200) -> Template:
        on = self.on
        committee = await services.controls_one(at(on))  # the complaints committee's chair, for what they commissioned
        manages = committee or await self._manages()
        found = await services.read_all(at(on)) if manages else await services.process(at(on), on.is_point)
        candidates = await identity.role_holders(on.db, on.tenant.id, Role.INVESTIGATOR.value) if manages else []
        parties = (
            await party_services.parties_of(on.db, on.keyring, on.tenant, on.case_id)
            if committee
            else await case_parties.parties_of(on.db, on.keyring, on.who, on.tenant, on.case_id)
            if manages
            else []
        )
        names = await cases.account_names(on.db, on.tenant, candidates) if candidates else {}
        interviews = {iv.id: iv for view in found for iv in view.interviews}
        reusable = {  # what another investigation of the case heard, on record, not yet decided on here
            view.investigation.id: [
                iv
                for iv in interviews.values()
                if iv.investigation_id != view.investigation.id
                and iv.status == "shared"
                and str(iv.id) not in view.investigation.facts.get("reused", [])
            ]
            for view in found
        }
        return Template(
            "case_investigations.html",
            status_code=status,
            context={
                **shell_context(self.request, on.actor, on.slug),
                "case_id": on.case_id,
                "here": self.here,
                "found": found,
                "manages": manages,
                "committee": committee,
                "ended": ENDED,
                "protocol_fields": PROTOCOL_FIELDS,
                "outcome_rows": range(1, OUTCOME_ROWS + 1),
                "candidates": [(f"{who.tenant_id}:{who.id}", names.get(who.id, str(who.id))) for who in candidates],
                "parties": parties,
                "party_names": {p.party.id: p.name for p in parties},
                "interviews": {str(k): v for k, v in interviews.items()},
                "reusable": reusable,
                "message": message,
                "entered": entered or {},
                "today": date.today(),
            },
        )

    async def submit(self, act: Any) -> Template | Redirect:
        return await submit_on_case(self, act, self.here)


class CaseInvestigationsPages(Controller):
    path = "/app/t/{tenant:str}/zaken/{case_id:uuid}/onderzoek"
    include_in_schema = False
    dependencies = case_page_dependencies(CaseInvestigationsPage)

    @get("/", action=Action.INVESTIGATION_VIEW)
    async def show(self, page: NamedDependency[CaseInvestigationsPage]) -> Template:
        return await page.render()

    @post("/", status_code=200, action=Action.INVESTIGATION_MANAGE)
    async def commission(
        self,
        page: NamedDependency[CaseInvestigationsPage],
        on: NamedDependency[OnCase],
        store: NamedDependency[ObjectStore],
    ) -> Template | Redirect:
        """Commission the investigation the weighing chose (CommissionInvestigation)."""
        return await page.submit(lambda form: services.commission(at(on), store, commission_of(form)))

    @post("/{investigation_id:uuid}/onderzoeker", status_code=200, action=Action.INVESTIGATION_MANAGE)
    async def seat(
        self,
        page: NamedDependency[CaseInvestigationsPage],
        on: NamedDependency[OnCase],
        investigation_id: FromPath[uuid.UUID],
    ) -> Template | Redirect:
        """Seat the investigator for a time (SeatInvestigator)."""
        return await page.submit(
            lambda form: services.seat_investigator(at(on), investigation_id, investigator_of(form))
        )

    @post("/{investigation_id:uuid}/stoppen", status_code=200, action=Action.INVESTIGATION_MANAGE)
    async def stop(
        self,
        page: NamedDependency[CaseInvestigationsPage],
        on: NamedDependency[OnCase],
        investigation_id: FromPath[uuid.UUID],
    ) -> Template | Redirect:
        """End it before its adoption, with a reason (StopInvestigation)."""
        return await page.submit(lambda form: services.stop(at(on), investigation_id, decode_form(form, StopIn)))

    @post("/{investigation_id:uuid}/protocol", status_code=200, action=Action.INVESTIGATION_MANAGE)
    async def protocol(
        self,
        page: NamedDependency[CaseInvestigationsPage],
        on: NamedDependency[OnCase],
        store: NamedDependency[ObjectStore],
        investigation_id: FromPath[uuid.UUID],
    ) -> Template | Redirect:
        """Complete the protocol before the investigator agrees it (SetInvestigationProtocol)."""
        return await page.submit(
            lambda form: services.set_protocol(
                at(on), store, investigation_id, ProtocolChangeIn(protocol=decode_form(form, ProtocolIn))
            )
        )

    @post("/{investigation_id:uuid}/opdracht", status_code=200, action=Action.INVESTIGATION_MANAGE)
    async def change(
        self,
        page: NamedDependency[CaseInvestigationsPage],
        on: NamedDependency[OnCase],
        store: NamedDependency[ObjectStore],
        investigation_id: FromPath[uuid.UUID],
    ) -> Template | Redirect:
        """Change the assignment with reasons (ChangeInvestigationAssignment); every seat declares again, so the
        decision maker goes on at the case page, where they declare (the committee's chair, without a panel seat,
        back here)."""
        back = page.here if await services.controls_one(at(on)) else f"/app/t/{on.slug}/zaken/{on.case_id}"
        return await submit_on_case(
            page, lambda form: services.change_assignment(at(on), store, investigation_id, change_of(form)), back
        )

    @post("/{investigation_id:uuid}/hergebruik", status_code=200, action=Action.INVESTIGATION_MANAGE)
    async def reuse(
        self,
        page: NamedDependency[CaseInvestigationsPage],
        on: NamedDependency[OnCase],
        investigation_id: FromPath[uuid.UUID],
    ) -> Template | Redirect:
        """A record of another investigation of the case may be used in this one, with reasons
        (DecideStatementReuse; seed-000 H6 Stap 3: "niet zomaar")."""
        return await page.submit(lambda form: work.decide_reuse(at(on), investigation_id, decode_form(form, ReuseIn)))

    @post("/{investigation_id:uuid}/vaststellen", status_code=200, action=Action.INVESTIGATION_MANAGE)
    async def adopt(
        self,
        page: NamedDependency[CaseInvestigationsPage],
        on: NamedDependency[OnCase],
        store: NamedDependency[ObjectStore],
        investigation_id: FromPath[uuid.UUID],
    ) -> Template | Redirect:
        """Decide on the final report; every party told in writing (AdoptInvestigation)."""
        return await page.submit(lambda form: work.adopt(at(on), store, investigation_id, adoption_of(form)))


class InvestigatorAssignmentsPage(Controller):
    """Mijn onderzoeksopdrachten: the investigations the signed-in investigator is seated for here."""

    path = "/app/t/{tenant:str}/onderzoeken"
    include_in_schema = False
    dependencies = AT_TENANT

    @get("/", action=Action.INVESTIGATION_CARRY_OUT)
    async def assignments(self, at: NamedDependency[AtTenant]) -> Template:
        return Template(
            "investigator_assignments.html",
            context={**at.shell(), "assignments": await services.assignments(at.db, at.actor.ref, at.acting)},
        )


@dataclass(frozen=True)
class InvestigatorPage:
    """One investigation for its investigator: the brief and the forms."""

    request: Request[Any, Any, Any]
    on: OnCase

    @property
    def investigation_id(self) -> uuid.UUID:
        return uuid.UUID(str(self.request.path_params["investigation_id"]))

    @property
    def here(self) -> str:
        return f"/app/t/{self.on.slug}/onderzoeken/{self.on.case_id}/{self.investigation_id}"

    async def render(self, *, message: str | None = None, entered: Form | None = None, status: int = 200) -> Template:
        on = self.on
        brief = await services.brief(at(on), self.investigation_id)
        declared = brief.assignment is not None
        reused = await work.reused_records(at(on), brief.view.investigation) if declared else []
        return Template(
            "investigation_assignment.html",
            status_code=status,
            context={
                **shell_context(self.request, on.actor, on.slug),
                "here": self.here,
                "brief": brief,
                "i": brief.view.investigation,
                "parties": {p["id"]: p for p in brief.parties or []},
                "reused": reused,
                "protocol_fields": PROTOCOL_FIELDS,
                "message": message,
                "entered": entered or {},
                "today": date.today(),
            },
        )

    async def submit(self, act: Any) -> Template | Redirect:
        return await submit_on_case(self, act, self.here)


class InvestigatorPages(Controller):
    path = "/app/t/{tenant:str}/onderzoeken/{case_id:uuid}/{investigation_id:uuid}"
    include_in_schema = False
    dependencies = case_page_dependencies(InvestigatorPage)

    @get("/", action=Action.INVESTIGATION_CARRY_OUT)
    async def show(self, page: NamedDependency[InvestigatorPage]) -> Template:
        return await page.render()

    @get("/verslagen/{interview_id:uuid}", action=Action.INVESTIGATION_CARRY_OUT)
    async def read_record(
        self,
        page: NamedDependency[InvestigatorPage],
        on: NamedDependency[OnCase],
        store: NamedDependency[ObjectStore],
        interview_id: FromPath[uuid.UUID],
    ) -> Template:
        """A record read back: of this investigation, or of another one of the case once the panel decided it may
        be used here (ReadInterviewRecord; the read is audited)."""
        record, answer = await work.read_record(at(on), store, page.investigation_id, interview_id)
        return Template(
            "investigation_record.html",
            context={
                **shell_context(page.request, on.actor, on.slug),
                "back": page.here,
                "record": record,
                "answer": answer,
            },
        )

    @post("/verklaring", status_code=200, action=Action.INVESTIGATION_CARRY_OUT)
    async def declare(
        self, page: NamedDependency[InvestigatorPage], on: NamedDependency[OnCase]
    ) -> Template | Redirect:
        """The investigator's written declaration of independence (DeclareIndependence)."""

        involved = []

        async def declared(form: Form) -> None:
            data = decode_form(form, DeclarationIn, involved=form.get("involved") == "yes")
            await services.declare(at(on), page.investigation_id, data)
            involved.append(data.involved)

        response = await page.submit(declared)
        return _to_mine(page, on) if isinstance(response, Redirect) and any(involved) else response

    @post("/akkoord", status_code=200, action=Action.INVESTIGATION_CARRY_OUT)
    async def agree(self, page: NamedDependency[InvestigatorPage], on: NamedDependency[OnCase]) -> Template | Redirect:
        """Agree the complete protocol (AgreeInvestigationProtocol)."""
        return await page.submit(lambda _: services.agree_protocol(at(on), page.investigation_id))

    @post("/gesprekken", status_code=200, action=Action.INVESTIGATION_CARRY_OUT)
    async def schedule(
        self, page: NamedDependency[InvestigatorPage], on: NamedDependency[OnCase]
    ) -> Template | Redirect:
        """Schedule an interview (ScheduleInterview); the moment as the form's local date and time, in UTC."""

        async def scheduled(form: Form) -> None:
            moment = f"{form.get('date', '')}T{form.get('time', '')}:00+00:00"
            data = decode_form(_filled(form), InterviewIn, scheduled_at=moment)
            await work.schedule_interview(at(on), page.investigation_id, data)

        return await page.submit(scheduled)

    @post("/gesprekken/{interview_id:uuid}/verslag", status_code=200, action=Action.INVESTIGATION_CARRY_OUT)
    async def record(
        self,
        page: NamedDependency[InvestigatorPage],
        on: NamedDependency[OnCase],
        store: NamedDependency[ObjectStore],
        interview_id: FromPath[uuid.UUID],
    ) -> Template | Redirect:
        """The record, to the interviewee's portal for approval or comment (RecordInterview)."""
        return await page.submit(
            lambda form: work.record_interview(
                at(on), store, page.investigation_id, interview_id, decode_form(_filled(form), RecordIn)
            )
        )

    @post("/concept", status_code=200, action=Action.INVESTIGATION_CARRY_OUT)
    async def draft(
        self, page: NamedDependency[InvestigatorPage], on: NamedDependency[OnCase], store: NamedDependency[ObjectStore]
    ) -> Template | Redirect:
        """The draft report to the parties for their written reaction (ShareDraftReport)."""
        return await page.submit(lambda form: work.share_draft(at(on), store, page.investigation_id, draft_of(form)))

    @post("/reacties/{reaction_id:uuid}/verlengen", status_code=200, action=Action.INVESTIGATION_CARRY_OUT)
    async def extend(
        self, page: NamedDependency[InvestigatorPage], on: NamedDependency[OnCase], reaction_id: FromPath[uuid.UUID]
    ) -> Template | Redirect:
        """A later date to react, with the reason (ExtendReactionTerm)."""
        return await page.submit(
            lambda form: work.extend_term(at(on), page.investigation_id, reaction_id, decode_form(form, ExtensionIn))
        )

    @post("/reacties/{reaction_id:uuid}/verwerken", status_code=200, action=Action.INVESTIGATION_CARRY_OUT)
    async def handle(
        self,
        page: NamedDependency[InvestigatorPage],
        on: NamedDependency[OnCase],
        store: NamedDependency[ObjectStore],
        reaction_id: FromPath[uuid.UUID],
    ) -> Template | Redirect:
        """Incorporated, annexed, or none given after the term (HandleReaction)."""
        return await page.submit(
            lambda form: work.handle_reaction(
                at(on), store, page.investigation_id, reaction_id, decode_form(form, HandlingIn)
            )
        )

    @post("/eindrapport", status_code=200, action=Action.INVESTIGATION_CARRY_OUT)
    async def final(
        self, page: NamedDependency[InvestigatorPage], on: NamedDependency[OnCase], store: NamedDependency[ObjectStore]
    ) -> Template | Redirect:
        """The final report (FinaliseInvestigation)."""
        return await page.submit(
            lambda form: work.finalise(at(on), store, page.investigation_id, decode_form(form, FinalIn))
        )

    @post("/teruggeven", status_code=200, action=Action.INVESTIGATION_CARRY_OUT)
    async def give_back(
        self, page: NamedDependency[InvestigatorPage], on: NamedDependency[OnCase]
    ) -> Template | Redirect:
        """Return the assignment (ReturnInvestigation); the seat ends."""
        response = await page.submit(
            lambda form: services.return_assignment(
                at(on),
                page.investigation_id,
                decode_form(form, ReturnIn, towards_persons=form.get("towards_persons") in ("on", "yes")),
            )
        )
        return _to_mine(page, on) if isinstance(response, Redirect) else response


def _to_mine(page: InvestigatorPage, on: OnCase) -> Redirect:
    """The seat has ended (a declared link, a returned assignment): back to the list of one's own."""
    return Redirect(same_language(page.request, f"/app/t/{on.slug}/onderzoeken"), status_code=303)


ROUTES = (CaseInvestigationsPages, InvestigatorAssignmentsPage, InvestigatorPages)

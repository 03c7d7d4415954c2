"""The pages of the complaint track, for the committee (chair, members, secretary), the member's competent
authority and the process guardian: the complaints one may know of here (``/app/t/{tenant}/klachten``, with the
secretary's registration form) and one complaint's page (``/app/t/{tenant}/klachten/{complaint}``) with what the
viewer's seat may see and the forms of the moves its seat and the complaint's state allow. Each form decodes into
the API's struct and calls the API's service; a refusal shows the page again with what was typed."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from meldpunt.cases.party_controllers import invitation_link
from meldpunt.complaints import parties as complaint_parties
from meldpunt.complaints import procedure, restrictions, services, views
from meldpunt.complaints.errors import ComplaintNotFound
from meldpunt.complaints.models import COMMITTEE, SeatRole
from meldpunt.complaints.schemas import (
    AdmissibilityIn,
    AdviceIn,
    AftercareIn,
    ClosureIn,
    DecisionIn,
    DeclareIn,
    ExtensionIn,
    HearingIn,
    LiftIn,
    ObjectionIn,
    RecordIn,
    RegisterIn,
    RestrictionIn,
    ResumptionIn,
    SeatIn,
    SuspensionIn,
    WithdrawalIn,
)
from meldpunt.dossiers.keys import Keyring
from meldpunt.dossiers.storage import ObjectStore
from meldpunt.errors import DomainError
from meldpunt.identity.policy import Actor
from meldpunt.identity.roles import Action
from meldpunt.parties.schemas import PartyIn
from meldpunt.settings import Settings
from meldpunt.tenancy.models import Tenant
from meldpunt.tenancy.terms import terms_of
from meldpunt.web.forms import decode_form, form_fields
from meldpunt.web.investigation_pages import OUTCOME_ROWS, PROTOCOL_FIELDS, commission_of
from meldpunt.web.pages import language, same_language, shell_context
from meldpunt.web.pro_texts import WORDS

Form = dict[str, Any]
Move = Callable[[services.At, ObjectStore, uuid.UUID, Form], Awaitable[object]]


def _filled(form: Form) -> Form:
    return {key: value for key, value in form.items() if value not in ("", None)}


def _seat_of_form(form: Form) -> SeatIn:
    """A seat: the form names the account as "<tenant>:<account>"."""
    tenant_id, _, account_id = str(form.get("account") or "").partition(":")
    return decode_form(_filled(form), SeatIn, account_tenant_id=tenant_id, account_id=account_id)


def _of(kind: type[msgspec.Struct], *ticks: str, **given: Any) -> Callable[[Form], Any]:
    """The struct from the form; each of ``ticks`` is a checkbox (absent: no)."""
    return lambda form: decode_form(
        _filled(form), kind, **{tick: form.get(tick) in ("on", "yes") for tick in ticks}, **given
    )


# The committee's moves by the form's address (``…/klachten/{complaint}/{move}``); the services check the seat.
MOVES: dict[str, Move] = {
    "plaats": lambda at, _, cid, form: services.seat(at, cid, _seat_of_form(form)),
    "ontvankelijkheid": lambda at, _, cid, form: procedure.judge_admissibility(at, cid, _of(AdmissibilityIn)(form)),
    "stuk": lambda at, store, cid, form: procedure.add_to_dossier(at, store, cid, _of(RecordIn)(form)),
    "zonder-verweer": lambda at, _, cid, form: procedure.without_defence(at, cid),
    "horen": lambda at, store, cid, form: procedure.hear(at, store, cid, _of(HearingIn, "brought_someone")(form)),
    "onderzoek": lambda at, store, cid, form: procedure.commission_investigation(at, store, cid, commission_of(form)),
    "conceptadvies": lambda at, store, cid, form: procedure.draft_advice(at, store, cid, _of(AdviceIn)(form)),
    "advies": lambda at, store, cid, form: procedure.advise(at, store, cid, _of(AdviceIn)(form)),
    "mededeling": lambda at, _, cid, form: procedure.notify(at, cid),
    "bezwaar": lambda at, _, cid, form: procedure.objection(at, cid, _of(ObjectionIn, "lodged")(form)),
    "nazorg": lambda at, _, cid, form: procedure.plan_aftercare(at, cid, _of(AftercareIn)(form)),
    "sluiten": lambda at, _, cid, form: procedure.close(at, cid, _of(ClosureIn)(form).reason),
    "intrekking": lambda at, _, cid, form: procedure.withdraw(at, cid, _of(WithdrawalIn, in_writing=True)(form)),
    "opschorten": lambda at, _, cid, form: procedure.suspend(at, cid, _of(SuspensionIn)(form)),
    "hervatten": lambda at, store, cid, form: procedure.resume(at, store, cid, _of(ResumptionIn, "settled")(form)),
    "verlenging": lambda at, _, cid, form: procedure.extend(at, cid, _of(ExtensionIn)(form)),
}


@dataclass(frozen=True)
class ComplaintPages:
    """The complaint pages of one tenant for the signed-in professional."""

    request: Request[Any, Any, Any]
    db: AsyncSession
    keyring: Keyring
    actor: Actor
    acting: Tenant

    @property
    def at(self) -> services.At:
        return services.At(self.db, self.keyring, self.actor.ref, self.acting)

    def here(self, complaint_id: uuid.UUID | None = None) -> str:
        base = f"/app/t/{self.acting.slug}/klachten"
        return f"{base}/{complaint_id}" if complaint_id else base

    async def register(self, *, message: str | None = None, entered: Form | None = None, status: int = 200) -> Template:
        return Template(
            "complaints.html",
            status_code=status,
            context={
                **shell_context(self.request, self.actor, self.acting.slug),
                "entries": await views.register_of(self.at),
                "here": self.here(),
                "message": message,
                "entered": entered or {},
            },
        )

    async def complaint(
        self,
        complaint_id: uuid.UUID,
        *,
        message: str | None = None,
        entered: Form | None = None,
        status: int = 200,
        invitation: dict[str, str] | None = None,
    ) -> Template:
        found = await views.view(self.at, complaint_id)
        seat = found.seat
        committee = seat is not None and seat.role in COMMITTEE and seat.declaration == "not_involved"
        runs = committee and seat is not None and seat.role in (SeatRole.CHAIR, SeatRole.SECRETARY)
        return Template(
            "complaint.html",
            status_code=status,
            context={
                **shell_context(self.request, self.actor, self.acting.slug),
                "found": found,
                "seat": seat,
                "committee": committee,
                "runs": runs,
                "parties": await complaint_parties.parties_of(self.at, complaint_id) if runs else [],
                "invitation": invitation,
                "chairs": committee and seat is not None and seat.role == SeatRole.CHAIR,
                "candidates": await views.seat_candidates(self.db, self.acting) if committee else [],
                "draft_round": terms_of(self.acting.procedure).complaint_draft_reply_days is not None,
                "protocol_fields": PROTOCOL_FIELDS,  # the chair's form of an investigation's assignment
                "outcome_rows": range(1, OUTCOME_ROWS + 1),
                "here": self.here(complaint_id),
                "message": message,
                "entered": entered or {},
                "today": date.today(),
            },
        )

    async def submit(
        self,
        act: Callable[[Form], Awaitable[object]],
        shown: Callable[..., Awaitable[Template]],
        back: str | list[str],
    ) -> Template | Redirect:
        """``act`` decodes and calls the service; a refusal shows the page again with what was typed (after a
        refused service in a fresh transaction); not sitting at the complaint is answered as the API answers it."""
        form = form_fields(await self.request.form())
        chosen = language(self.request)
        try:
            await act(form)
        except (msgspec.ValidationError, ValueError):
            return await shown(message=WORDS[chosen]["form_incomplete"], entered=form, status=400)
        except DomainError as refused:
            if refused.status in (403, 404):
                raise
            await self.db.rollback()
            await self.db.refresh(self.acting)
            return await shown(message=refused.detail_in(chosen), entered=form, status=refused.status)
        where = back if isinstance(back, str) else back[0]  # a list: the act may change where to
        return Redirect(same_language(self.request, where), status_code=303)

    async def on_complaint(
        self, complaint_id: uuid.UUID, act: Callable[[Form], Awaitable[object]], back: list[str] | None = None
    ) -> Template | Redirect:
        """``submit`` on the complaint's page: a refusal shows that page again; done, back to it (or to ``back``)."""

        async def shown(**kwargs: Any) -> Template:
            return await self.complaint(complaint_id, **kwargs)

        return await self.submit(act, shown, back or self.here(complaint_id))


def provide_pages(
    request: Request[Any, Any, Any],
    db: NamedDependency[AsyncSession],
    keyring: NamedDependency[Keyring],
    actor: NamedDependency[Actor],
    acting: NamedDependency[Tenant],
) -> ComplaintPages:
    return ComplaintPages(request, db, keyring, actor, acting)


Pages = NamedDependency[ComplaintPages]


class ComplaintPagesController(Controller):
    path = "/app/t/{tenant:str}/klachten"
    include_in_schema = False
    dependencies = {"pages": Provide(provide_pages, sync_to_thread=False)}  # noqa: RUF012 - read once by Litestar

    @get("/", action=Action.COMPLAINT_PROCESS)
    async def register_list(self, pages: Pages) -> Template:
        return await pages.register()

    @post("/", status_code=200, action=Action.COMPLAINT_HANDLE)
    async def register(self, pages: Pages) -> Template | Redirect:
        """The secretary registers a complaint routed to the committee (RegisterComplaint)."""

        return await pages.submit(
            lambda form: services.register(pages.at, decode_form(_filled(form), RegisterIn)),
            pages.register,
            pages.here(),
        )

    @get("/{complaint_id:uuid}", action=Action.COMPLAINT_PROCESS)
    async def show(self, pages: Pages, complaint_id: FromPath[uuid.UUID]) -> Template:
        return await pages.complaint(complaint_id)

    @post("/{complaint_id:uuid}/verklaring", status_code=200, action=Action.COMPLAINT_PROCESS)
    async def declare(self, pages: Pages, complaint_id: FromPath[uuid.UUID]) -> Template | Redirect:
        """The seat's written independence declaration (DeclareOnComplaint); a declared link leads to the list."""

        back = [pages.here(complaint_id)]

        async def act(form: Form) -> None:
            data = _of(DeclareIn, "involved", "interest", "reporting_line")(form)
            seat = await services.declare(
                pages.at, complaint_id, data.involved, data.interest, data.reporting_line, data.statement
            )
            if seat.left_at is not None:  # a declared link: the complaint is gone for them
                back[0] = pages.here()

        return await pages.on_complaint(complaint_id, act, back)

    @post("/{complaint_id:uuid}/partij", status_code=200, action=Action.COMPLAINT_HANDLE)
    async def add_party(self, pages: Pages, complaint_id: FromPath[uuid.UUID]) -> Template | Redirect:
        """The complainant (also an external one), the accused or a companion (AddComplaintParty)."""

        return await pages.on_complaint(
            complaint_id,
            lambda form: complaint_parties.add_party(pages.at, complaint_id, decode_form(_filled(form), PartyIn)),
        )

    @post("/{complaint_id:uuid}/partij/{party_id:uuid}/uitnodiging", status_code=200, action=Action.COMPLAINT_HANDLE)
    async def invite(
        self,
        pages: Pages,
        settings: NamedDependency[Settings],
        complaint_id: FromPath[uuid.UUID],
        party_id: FromPath[uuid.UUID],
    ) -> Template:
        """A new invitation: the link and the code, shown on this page once (never sent together)."""
        invitation = await complaint_parties.invite(pages.at, complaint_id, party_id)
        link = invitation_link(settings, pages.acting.slug, invitation.token)
        return await pages.complaint(complaint_id, invitation={"link": link, "code": invitation.code})

    @post("/{complaint_id:uuid}/besluit", status_code=200, action=Action.COMPLAINT_DECIDE)
    async def decide(
        self, pages: Pages, store: NamedDependency[ObjectStore], complaint_id: FromPath[uuid.UUID]
    ) -> Template | Redirect:
        """The competent authority's decision on the advice (DecideOnAdvice)."""

        return await pages.on_complaint(
            complaint_id,
            lambda form: procedure.decide(pages.at, store, complaint_id, _of(DecisionIn, "follows_advice")(form)),
        )

    @post("/{complaint_id:uuid}/stukken/{record_id:uuid}/{act:str}", status_code=200, action=Action.COMPLAINT_HANDLE)
    async def restriction(
        self,
        pages: Pages,
        store: NamedDependency[ObjectStore],
        complaint_id: FromPath[uuid.UUID],
        record_id: FromPath[uuid.UUID],
        act: FromPath[str],
    ) -> Template | Redirect:
        """The chair keeps a record from one party (``beperken``, art. 23) or lifts that (``opheffen``)."""
        acts = {
            "beperken": lambda form: restrictions.restrict_reading(
                pages.at, store, complaint_id, record_id, _of(RestrictionIn)(form)
            ),
            "opheffen": lambda form: restrictions.lift_restriction(
                pages.at, complaint_id, record_id, _of(LiftIn)(form).withheld_from
            ),
        }
        if act not in acts:
            raise ComplaintNotFound()

        return await pages.on_complaint(complaint_id, acts[act])

    @post("/{complaint_id:uuid}/{move:str}", status_code=200, action=Action.COMPLAINT_HANDLE)
    async def move(
        self, pages: Pages, store: NamedDependency[ObjectStore], complaint_id: FromPath[uuid.UUID], move: FromPath[str]
    ) -> Template | Redirect:
        """One of the committee's moves (``MOVES``); an address that names none is not found."""
        if move not in MOVES:
            raise ComplaintNotFound()

        return await pages.on_complaint(complaint_id, lambda form: MOVES[move](pages.at, store, complaint_id, form))


ROUTES = (ComplaintPagesController,)

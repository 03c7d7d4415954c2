"""The panel's side of the party portal (DESIGN §6, seed-000 H6 Stap 2 and 5): a declared decision maker adds
the parties of a case, invites them, shares documents with them, writes to them, reads their answers, links
cases about the same accused, and sends the accused the written notice. The rules of the portal itself are
``parties/``; this module adds what only case handling knows: who sits at the panel, and the steps."""

from __future__ import annotations

import functools
import inspect
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Concatenate, ParamSpec, TypeVar

import jinja2
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from meldpunt.audit import services as audit
from meldpunt.cases import services
from meldpunt.cases.errors import NoticeKeptBack
from meldpunt.cases.models import CaseStep, PanelRole
from meldpunt.cases.schemas import AccusedInformed
from meldpunt.catalogues import LANGUAGES, text
from meldpunt.dossiers.documents import (
    Document,
    DocumentMeta,
    RecordClass,
    open_document,
    store_document,
)
from meldpunt.dossiers.keys import Keyring
from meldpunt.dossiers.storage import ObjectStore
from meldpunt.identity.models import AccountRef
from meldpunt.intake import services as intake
from meldpunt.intake.models import Case
from meldpunt.parties import services as parties
from meldpunt.parties.errors import PartyNotFound, PartyRefused
from meldpunt.parties.models import CaseParty, PartyRole
from meldpunt.parties.rights import rights_in
from meldpunt.parties.schemas import PartyIn, ShareIn
from meldpunt.tenancy.models import Tenant

P = ParamSpec("P")
R = TypeVar("R")

# Who adds, invites, shares and writes (the committee's seats come later).
MANAGES = frozenset({PanelRole.DECISION_MAKER})
LETTERS = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).resolve().parent / "letters"),
    autoescape=False,  # noqa: S701 (plain-text letters, stored as text/plain and never rendered as markup)
    undefined=jinja2.StrictUndefined,
    keep_trailing_newline=True,
)


async def _managed(session: AsyncSession, tenant: Tenant, case_id: uuid.UUID, who: AccountRef) -> Case:
    """The case, when ``who`` holds a declared decision maker's seat at its panel."""
    case = await services.panel_case(session, tenant, case_id)
    await services.declared_seat(session, case, who, MANAGES)
    return case


async def _read(
    session: AsyncSession, tenant: Tenant, case_id: uuid.UUID, who: AccountRef, what: str | None = None
) -> Case:
    """The case, when ``who`` holds a declared seat that sees content (decision maker or expert); ``what`` is
    read is audited (parties, a thread, answers: case content), without the content itself."""
    case = await services.panel_case(session, tenant, case_id)
    await services.declared_seat(session, case, who, services.CONTENT_ROLES)
    if what is not None:
        await audit.record(session, tenant.id, services.actor_of(who), f"party.read.{what}", "case", case_id)
    return case


async def read_letter(
    session: AsyncSession,
    keyring: Keyring,
    store: ObjectStore,
    who: AccountRef,
    tenant: Tenant,
    case_id: uuid.UUID,
    document_id: uuid.UUID,
) -> tuple[DocumentMeta, str]:
    """A letter of this case (the accused's notice) as text, for printing: a declared seat that sees content
    reads it, the read audited; a document of another case is not found."""
    await _read(session, tenant, case_id, who)
    document = await session.get(Document, (tenant.id, document_id))
    if document is None or document.case_id != case_id:
        raise PartyNotFound()
    opened = await open_document(session, keyring, store, services.actor_of(who), tenant.id, document_id)
    return opened.meta, b"".join([chunk async for chunk in opened.content]).decode()


def _seated(
    check: Callable[[AsyncSession, Tenant, uuid.UUID, AccountRef], Awaitable[object]],
) -> Callable[[Callable[P, Awaitable[R]]], Callable[P, Awaitable[R]]]:
    """``service`` of ``parties`` with the seat ``check`` first (the service takes ``session``, ``who``,
    ``tenant`` and ``case_id`` by those names)."""

    def seated(service: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
        signature = inspect.signature(service)

        @functools.wraps(service)
        async def checked(*args: P.args, **kwargs: P.kwargs) -> R:
            given = signature.bind(*args, **kwargs).arguments
            await check(given["session"], given["tenant"], given["case_id"], given["who"])
            return await service(*args, **kwargs)

        return checked

    return seated


_managing = _seated(_managed)  # for a declared decision maker of the case


@dataclass(frozen=True)
class Added:
    """The party just added, and whether the panel must now declare again."""

    view: parties.PartyView
    declare_again: bool


async def add_party(
    session: AsyncSession, keyring: Keyring, who: AccountRef, tenant: Tenant, case_id: uuid.UUID, data: PartyIn
) -> Added:
    """A party on the case, added by a declared decision maker. A person newly named (a witness, an affected
    person, an external complainant, an accused beside the one already there) widens who the panel must be
    independent of: every seat that declared declares again before it sees the content (``scope_changed``,
    ``person_named``). A companion, and the first accused (the one the report names), change nothing. The
    added party as the panel sees it, read before the others are asked to declare again."""
    case = await _managed(session, tenant, case_id, who)
    accused_before = await _has_accused(session, case)
    party = await parties.add_party(session, keyring, who, tenant, case_id, data)
    added = next(view for view in await parties.parties_of(session, keyring, tenant, case_id) if view.party == party)
    again = names_a_new_person(data.role, accused_before)
    if again:
        await services.scope_changed(session, case, "person_named")
    return Added(added, again)


def names_a_new_person(role: PartyRole, accused_before: bool) -> bool:
    if role == PartyRole.COMPANION:
        return False
    return role != PartyRole.ACCUSED or accused_before


async def _has_accused(session: AsyncSession, case: Case) -> bool:
    found = select(CaseParty.id).where(
        CaseParty.tenant_id == case.tenant_id, CaseParty.case_id == case.id, CaseParty.role == PartyRole.ACCUSED
    )
    return (await session.execute(found.limit(1))).first() is not None


remove_party = _managing(parties.remove_party)
invite = _managing(parties.invite)
revoke = _managing(parties.revoke)
share = _managing(parties.share)
write_to_party = _managing(parties.write_to_party)
set_term = _managing(parties.set_term)
meet_term = _managing(parties.meet_term)


def _reading(
    what: str | None, service: Callable[Concatenate[AsyncSession, Keyring, Tenant, uuid.UUID, P], Awaitable[R]]
) -> Callable[Concatenate[AsyncSession, Keyring, AccountRef, Tenant, uuid.UUID, P], Awaitable[R]]:
    """``service`` of ``parties`` (it takes ``session, keyring, tenant, case_id, …``) for ``who``, a declared seat
    that sees content; ``what`` is read is audited (``party.read.<what>``), without the content itself."""

    @functools.wraps(service)
    async def read(
        session: AsyncSession,
        keyring: Keyring,
        who: AccountRef,
        tenant: Tenant,
        case_id: uuid.UUID,
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> R:
        await _read(session, tenant, case_id, who, what)
        return await service(session, keyring, tenant, case_id, *args, **kwargs)

    return read


parties_of = _reading("parties", parties.parties_of)
thread = _reading("thread", parties.messages_of)
responses = _reading("responses", parties.responses_to)
terms = _reading("terms", parties.party_terms)
shares = _reading("responses", parties.shares_of)  # what was shared, with the answers to each
documents = _reading(None, parties.documents_of)  # by name, for the panel to choose what to share
files_from = _reading(None, parties.files_from)  # what a party sent with their replies, by name


open_file_from = _seated(_read)(parties.open_file_from)  # a file the party sent; the read audited by the document


async def notice_held_until(session: AsyncSession, who: AccountRef, tenant: Tenant, case_id: uuid.UUID) -> date | None:
    """The review date of an art. 23 deferral that keeps the accused's notice back, for the panel's page."""
    return await deferred_until(session, await _read(session, tenant, case_id, who))


@dataclass(frozen=True)
class Pattern:
    """The tenant's other cases about an accused of the same name, and the cases already linked."""

    same_accused: list[uuid.UUID]
    linked: list[uuid.UUID]


async def pattern(session: AsyncSession, who: AccountRef, tenant: Tenant, case_id: uuid.UUID) -> Pattern:
    await _read(session, tenant, case_id, who)
    return Pattern(
        await parties.same_accused(session, tenant, case_id), await parties.linked_cases(session, tenant, case_id)
    )


async def link(
    session: AsyncSession, who: AccountRef, tenant: Tenant, case_id: uuid.UUID, other_id: uuid.UUID
) -> Pattern:
    """Link another case of the tenant to this one (seed-000 H6 Stap 1: "andere meldingen of signalen over de
    beschuldigde"); the panel sees that the other exists, not its content."""
    await _managed(session, tenant, case_id, who)
    await parties.link_cases(session, who, tenant, case_id, other_id)
    return await pattern(session, who, tenant, case_id)


# ---------------------------------------------------------------- the accused's written notice


async def deferred_until(session: AsyncSession, case: Case) -> date | None:
    """The review date of an art. 23 deferral that still holds: the last deferral, when no notice was given
    after it and its review date has not come."""
    steps = (
        (
            await session.execute(
                select(CaseStep)
                .where(
                    CaseStep.tenant_id == case.tenant_id,
                    CaseStep.case_id == case.id,
                    CaseStep.kind.in_(("notice_deferred", "accused_informed")),
                )
                .order_by(CaseStep.recorded_at.desc())
                .limit(1)
            )
        )
        .scalars()
        .all()
    )
    if not steps or steps[0].kind != "notice_deferred":
        return None
    review_on = date.fromisoformat(str(steps[0].facts["review_on"]))
    return review_on if review_on > date.today() else None


def notice_letter(language: str, **context: object) -> str:
    """The accused's notice as a plain-text letter in ``language`` (Dutch or English)."""
    return LETTERS.get_template(f"accused_notice.{language}.txt").render(
        rights=rights_in(language), today=date.today().strftime("%d-%m-%Y"), **context
    )


async def _chunks(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def _named_source(session: AsyncSession, keyring: Keyring, tenant: Tenant, case: Case) -> str | None:
    """The reporter's name for the notice, only with the reporter's agreement."""
    if not await parties.reporter_agreed(session, case):
        return None
    identity = await intake.reporter_identity(session, keyring, tenant, case)
    return identity.name if identity else None


def _notice_meta(language: str) -> DocumentMeta:
    """What the notice letter is called as a document of the case's report dossier."""
    return DocumentMeta(
        filename="kennisgeving.txt" if language == "nl" else "notice.txt",
        content_type="text/plain; charset=utf-8",
        title=text(language, "case.notice.title"),
    )


async def send_notice(
    session: AsyncSession,
    keyring: Keyring,
    store: ObjectStore,
    who: AccountRef,
    tenant: Tenant,
    case_id: uuid.UUID,
    party_id: uuid.UUID,
    language: str = "nl",
) -> Document:
    """Inform the accused in writing (AVG art. 14, within the month; seed-000 H6 Stap 2): the letter is made
    from the template, kept as a document of the case, shared with that accused in the portal (and printable),
    and recorded as the step that meets the deadline. An art. 23 deferral that still holds keeps it back; the
    reporter is told first; the reporter is named only with the reporter's agreement."""
    case = await _managed(session, tenant, case_id, who)
    accused = next(
        (p for p in await parties.parties_of(session, keyring, tenant, case_id) if p.party.id == party_id), None
    )
    if accused is None or accused.party.role != PartyRole.ACCUSED:
        raise PartyRefused("notice-to-accused")
    held_until = await deferred_until(session, case)
    if held_until is not None:
        raise NoticeKeptBack(held_until)
    if language not in LANGUAGES:
        language = "nl"
    summary = text("nl", "case.notice.summary")
    await services.record_step(
        session,
        keyring,
        who,
        tenant,
        case_id,
        AccusedInformed(informed_on=date.today(), in_writing=True, summary=summary),
    )
    source = await _named_source(session, keyring, tenant, case)
    letter = notice_letter(
        language,
        organisation=tenant.display_name,
        name=accused.name,
        received=case.created_at.strftime("%d-%m-%Y"),
        category=text(language, f"public.option.category.{case.category}"),
        source=source,
    )
    kept = RecordClass.REPORT_DOSSIER, _chunks(letter.encode()), _notice_meta(language)
    document = await store_document(session, keyring, store, services.actor_of(who), tenant.id, case_id, *kept)
    await parties.share(
        session, who, tenant, case_id, ShareIn(document_id=document.id, party_id=party_id, shows_reporter=bool(source))
    )
    return document

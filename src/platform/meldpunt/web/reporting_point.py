"""The public reporting point's pages at ``/m/{tenant}/``: explanation, form, receipt and inbox.

They work without JavaScript and set no cookie: the inbox is opened with the receipt on every request,
and the language (Dutch, or English with ``?lang=en``) travels in the address. A wrong answer brings the
form back with a message at the question and everything typed kept; files are read in memory only
(``intake/uploads.py``) and stored encrypted. The pages decode their forms into the API's structs and call
the services the API calls (``intake.services.submit``, ``inbox_view``, ``add_from_reporter``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.response import Template
from litestar.status_codes import HTTP_503_SERVICE_UNAVAILABLE
from sqlalchemy.ext.asyncio import AsyncSession

from meldpunt.cases import services as cases
from meldpunt.cases.schemas import ReporterClosedIn
from meldpunt.catalogues import text
from meldpunt.dossiers.keys import Keyring
from meldpunt.dossiers.storage import ObjectStore, StorageUnavailable
from meldpunt.errors import DomainError
from meldpunt.intake import attachments, ratelimit, services
from meldpunt.intake.attachments import MAX_REQUEST_BYTES, AttachmentRefused
from meldpunt.intake.challenge import Proof
from meldpunt.intake.models import Case
from meldpunt.intake.ratelimit import FloodGuard
from meldpunt.intake.schemas import Identity, SubmissionIn
from meldpunt.intake.services import normalise_receipt
from meldpunt.intake.uploads import read_posted_form
from meldpunt.parties import services as parties
from meldpunt.tenancy.dependencies import PUBLIC, PublicTenant
from meldpunt.tenancy.models import Tenant
from meldpunt.vault import services as vault
from meldpunt.web.forms import decode_form
from meldpunt.web.outage import RETRY_AFTER_SECONDS
from meldpunt.web.public_texts import TEXTS, error_text, language_for, public_context

SINGLE = (
    "kind",
    "anonymity",
    "category",
    "reporter_role",
    "reporter_is_affected",
    "accused_role",
    "setting",
    "when",
    "narrative",
    "name",
    "contact",
)
MULTIPLE = ("wishes", "attributes", "discrimination_grounds")
# The field a service's refusal belongs to on the form; anything else is shown above the form.
ERROR_FIELD = {"complaint-needs-name": "kind", "identity-mismatch": "identity"}
FIELD_MESSAGE = {"narrative": "narrative_limit", "identity": "identity_needed"}


def _language(request: Request[Any, Any, Any], tenant: Tenant) -> str:
    return language_for(request.query_params.get("lang"), tenant.locale)


def render(
    request: Request[Any, Any, Any],
    tenant: Tenant,
    template: str,
    status_code: int = 200,
    **context: Any,
) -> Template:
    """A public page of this organisation in the reporter's language, with its words and ``link()``."""
    language = _language(request, tenant)
    return Template(
        template,
        status_code=status_code,
        context={**public_context(language, tenant.locale), "tenant": tenant, **context},
    )


def retry_later(page: Template) -> Template:
    """A page that says a store is down: it tells the browser, too, when to try again."""
    page.headers["retry-after"] = str(RETRY_AFTER_SECONDS)
    return page


def _entered(form: Any) -> dict[str, Any]:
    entered: dict[str, Any] = {name: form.get(name).strip() for name in SINGLE}
    for name in MULTIPLE:
        entered[name] = form.getall(name)
    return entered


def _submission(entered: dict[str, Any]) -> SubmissionIn:
    """The form as the API's struct (``decode_form``). An open question is left out, so that it is refused by
    its name; the flags, the grounds and the identity are the struct's nested parts."""
    answered = {name: value for name, value in entered.items() if value not in ("", [])}
    known = entered["name"] or entered["contact"]
    grounds = entered["discrimination_grounds"] if entered["category"] == "discrimination" else []
    attributes = {
        **dict.fromkeys(entered["attributes"], True),
        "discrimination_grounds": grounds,
        "when": entered["when"] or None,
    }
    identity = {"name": entered["name"], "contact": entered["contact"]} if known else None
    return decode_form(answered, SubmissionIn, attributes=attributes, identity=identity)


def _entered_from(submission: SubmissionIn) -> dict[str, Any]:
    """A submission as the form shows it (to open an adviser's draft in the form)."""
    attributes = msgspec.to_builtins(submission.attributes)
    return {
        "kind": submission.kind,
        "anonymity": submission.anonymity,
        "category": submission.category,
        "reporter_role": submission.reporter_role,
        "reporter_is_affected": "true" if submission.reporter_is_affected else "false",
        "accused_role": submission.accused_role or "",
        "setting": submission.setting or "",
        "narrative": submission.narrative,
        "name": submission.identity.name if submission.identity else "",
        "contact": submission.identity.contact if submission.identity else "",
        "wishes": list(submission.wishes),
        "attributes": [name for name, value in attributes.items() if value is True],
        "when": submission.attributes.when or "",
        "discrimination_grounds": list(submission.attributes.discrimination_grounds),
    }


def _field_of(error: msgspec.ValidationError) -> str:
    """The question a refusal of ``_submission`` belongs to."""
    message = str(error)
    where = message.partition(" - at `$.")[2].rstrip("`")
    if message.startswith("Object missing required field `") and not where:
        return message.split("`")[1]
    if where.startswith(("attributes.when", "attributes.discrimination_grounds")):
        return where.split(".")[1].split("[")[0]
    return where.split(".")[0].split("[")[0] or "narrative"


async def _form_page(
    request: Request[Any, Any, Any], found: Tenant, guard: FloodGuard, status_code: int = 200, **context: Any
) -> Template:
    """The report form with a fresh proof-of-work challenge, which /static/challenge.js solves while the
    reporter writes (DESIGN §11); without the script the form is sent all the same."""
    return render(request, found, "m/form.html", status_code, **await _challenges(guard, found), **context)


async def _challenges(guard: FloodGuard, found: Tenant) -> dict[str, Any]:
    """What a page needs for the challenge fields of its forms: each form gets its own (an answer works once)."""
    bits = await ratelimit.challenge_bits(guard.limiter, guard.rules, found.id)
    return {"challenge_bits": bits, "new_challenge": lambda: guard.challenges.issue(found.id, bits)}


def _proof(form: Any) -> Proof:
    """The challenge and its answer as a form sent them (empty without the page's script)."""
    return Proof(str(form.get("challenge") or ""), str(form.get("answer") or ""))


def _spend_draft(
    keyring: Keyring, guard: FloodGuard, found: Tenant, code: str
) -> Callable[[AsyncSession], Awaitable[None]]:
    """The adviser's draft the form was opened from (``concept``), spent with the report it became."""

    async def spend(session: AsyncSession) -> None:
        draft, _ = await vault.open_draft_limited(session, guard.limiter, keyring, found, code)
        await vault.use_draft(session, keyring, draft)

    return spend


@dataclass(frozen=True)
class _Inbox:
    """A reporter at their inbox for one action: the organisation, the receipt and (once it opened) the case."""

    request: Request[Any, Any, Any]
    db: AsyncSession
    keyring: Keyring
    guard: FloodGuard
    found: Tenant
    receipt: str = ""
    case: Case | None = None

    @property
    def language(self) -> str:
        return _language(self.request, self.found)

    @property
    def texts(self) -> dict[str, str]:
        return TEXTS[self.language]

    async def page(
        self,
        status_code: int = 200,
        *,
        error: str | None = None,
        notice: str | None = None,
        entered: dict[str, str] | None = None,
    ) -> Template:
        """The inbox as ``services.inbox_view`` has it, or the receipt form while no case is open."""
        context: dict[str, Any] = {"receipt": self.receipt if self.case else "", "case": self.case}
        if self.case is not None:
            view = await services.inbox_view(self.db, self.keyring, self.found, self.case)
            context.update(
                messages=view.messages,
                files=view.files,
                known_as=view.identity.name if view.identity else None,
                may_reveal=view.may_reveal,
                may_withdraw=view.may_withdraw,
                agreed=await parties.reporter_agreed(self.db, self.case),
                said_closed=await cases.reporter_said_closed(self.db, self.case),
                may_close=cases.may_say_closed(self.case),
            )
        challenges = await _challenges(self.guard, self.found)
        extra = {"error": error, "notice": notice, "entered": entered or {}, **challenges}
        return render(self.request, self.found, "m/inbox.html", status_code, **context, **extra)

    async def refused(self, refused: DomainError, entered: dict[str, str] | None = None) -> Template:
        return await self.page(refused.status, error=error_text(refused, self.language), entered=entered)

    async def confirmed(
        self, form: Any, unconfirmed: str, entered: dict[str, str] | None = None
    ) -> tuple[_Inbox, Case] | Template:
        """As ``opened``, for a form that asks to confirm with a tick: unticked, the inbox again with the text
        ``unconfirmed`` and what was typed."""
        opened = await self.opened(form)
        if isinstance(opened, Template) or form.get("confirm") == "yes":
            return opened
        return await opened[0].page(400, error=self.texts[unconfirmed], entered=entered)

    async def opened(self, form: Any) -> tuple[_Inbox, Case] | Template:
        """This inbox with the case of the form's receipt, or the receipt form again with why it did not open."""
        receipt = str(form.get("receipt", ""))
        try:
            case = await ratelimit.case_for_receipt_limited(self.db, self.guard, self.found, receipt, *_proof(form))
        except DomainError as refused:
            return await self.refused(refused)
        return dataclasses.replace(self, receipt=receipt, case=case), case


def provide_inbox(
    request: Request[Any, Any, Any],
    db: NamedDependency[AsyncSession],
    keyring: NamedDependency[Keyring],
    flood_guard: NamedDependency[FloodGuard],
    public: NamedDependency[PublicTenant],
) -> _Inbox:
    return _Inbox(request, db, keyring, flood_guard, public.tenant)


PUBLIC_WITH_INBOX = {**PUBLIC, "inbox": Provide(provide_inbox, sync_to_thread=False)}


class ReportingPointPages(Controller):
    """The reporter's journey; nothing here stores or logs an address or other request metadata."""

    path = "/m/{tenant:str}"
    include_in_schema = False
    dependencies = PUBLIC_WITH_INBOX

    @get("/")
    async def reporting_point_home(
        self, request: Request[Any, Any, Any], public: NamedDependency[PublicTenant]
    ) -> Template:
        found, branch = public
        advisers = branch is not None and "advisers" in found.branch_services
        return render(request, found, "m/home.html", branch=branch, uses_branch_advisers=advisers)

    @get("/melden")
    async def report_form(
        self,
        request: Request[Any, Any, Any],
        flood_guard: NamedDependency[FloodGuard],
        public: NamedDependency[PublicTenant],
    ) -> Template:
        kind = {"klacht": "complaint", "signaal": "signal"}.get(request.query_params.get("soort", ""), "report")
        anonymity = "confidential" if kind == "complaint" else "anonymous_with_contact"
        entered: dict[str, Any] = {"kind": kind, "anonymity": anonymity, **{name: [] for name in MULTIPLE}}
        return await _form_page(
            request, public.tenant, flood_guard, entered=entered, errors={}, files_lost=False, draft_code=None
        )

    @post("/melden", status_code=200, request_max_body_size=MAX_REQUEST_BYTES)
    async def report_submit(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[AsyncSession],
        keyring: NamedDependency[Keyring],
        store: NamedDependency[ObjectStore],
        flood_guard: NamedDependency[FloodGuard],
        public: NamedDependency[PublicTenant],
    ) -> Template:
        """The report as the API takes it (``services.submit``), with its files and the draft it came from."""
        found, language = public.tenant, _language(request, public.tenant)
        form = await read_posted_form(request)
        entered, draft_code, texts = _entered(form), form.get("concept"), TEXTS[language]

        async def again(errors: dict[str, str], status_code: int) -> Template:
            context = {"entered": entered, "files_lost": bool(form.files), "draft_code": draft_code}
            return await _form_page(request, found, flood_guard, status_code, errors=errors, **context)

        try:
            submission = _submission(entered)
            checked = await attachments.check_uploads(form.files)
        except msgspec.ValidationError as error:
            field = _field_of(error)
            return await again({field: texts[FIELD_MESSAGE.get(field, "choose_answer")]}, 400)
        except AttachmentRefused as refused:
            return await again({"attachments": error_text(refused, language)}, 400)
        spend_draft = _spend_draft(keyring, flood_guard, found, draft_code) if draft_code else None
        try:
            registered = await services.submit(
                db,
                keyring,
                store,
                flood_guard,
                found,
                submission,
                files=checked,
                proof=_proof(form),
                spend_draft=spend_draft,
            )
        except (DomainError, StorageUnavailable) as error:
            await db.rollback()  # nothing of it is kept; the tenant row is read again for the page
            await db.refresh(found)
            if isinstance(error, StorageUnavailable):
                return retry_later(await again({"unavailable": texts["storage_unavailable"]}, 503))
            return await again({ERROR_FIELD.get(error.slug, "form"): error_text(error, language)}, error.status)
        receipt = services.format_receipt(registered.receipt) if registered.receipt else None
        return render(
            request,
            found,
            "m/receipt.html",
            kind=registered.case.kind,
            acknowledge_by=registered.acknowledge_by,
            receipt=receipt,
            files=len(checked),
        )

    @get("/concept")
    async def draft_form(self, request: Request[Any, Any, Any], public: NamedDependency[PublicTenant]) -> Template:
        return render(request, public.tenant, "m/draft.html", error=None)

    @post("/concept", status_code=200)
    async def draft_open(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[AsyncSession],
        keyring: NamedDependency[Keyring],
        flood_guard: NamedDependency[FloodGuard],
        public: NamedDependency[PublicTenant],
    ) -> Template:
        """A report the reporter prepared with their adviser, in the form, to check, change and send."""
        found = public.tenant
        code = str((await request.form()).get("code", ""))
        try:
            _, submission = await vault.open_draft_limited(db, flood_guard.limiter, keyring, found, code)
        except DomainError as refused:
            error = error_text(refused, _language(request, found))
            return render(request, found, "m/draft.html", refused.status, error=error)
        context: dict[str, Any] = {"entered": _entered_from(submission), "draft_code": normalise_receipt(code)}
        return await _form_page(request, found, flood_guard, errors={}, files_lost=False, **context)

    @get("/inbox")
    async def inbox_form(self, inbox: NamedDependency[_Inbox]) -> Template:
        return await inbox.page()

    @post("/inbox", status_code=200)
    async def inbox_open(self, request: Request[Any, Any, Any], inbox: NamedDependency[_Inbox]) -> Template:
        opened = await inbox.opened(await request.form())
        return opened if isinstance(opened, Template) else await opened[0].page()

    @post("/inbox/bericht", status_code=200, request_max_body_size=MAX_REQUEST_BYTES)
    async def inbox_message(
        self, request: Request[Any, Any, Any], inbox: NamedDependency[_Inbox], store: NamedDependency[ObjectStore]
    ) -> Template:
        """A message, files, or both, from the reporter."""
        form = await read_posted_form(request)
        opened = await inbox.opened(form)
        if isinstance(opened, Template):
            return opened
        visit, case = opened
        text = form.get("text").strip()
        entered, texts, db = {"text": text}, visit.texts, visit.db
        if len(text) > 10_000 or not (text or form.files):
            return await visit.page(400, error=texts["message_limit"], entered=entered)
        try:
            checked = await attachments.check_uploads(form.files)
        except AttachmentRefused as refused:
            return await visit.page(400, error=error_text(refused, visit.language), entered=entered)
        try:
            await services.add_from_reporter(db, visit.keyring, store, visit.found, case, text=text, files=checked)
        except StorageUnavailable:
            await db.rollback()  # the message goes too: it is sent again with the files
            await db.refresh(visit.found)
            visit = dataclasses.replace(visit, case=await services.case_for_receipt(db, visit.found, visit.receipt))
            error = f"{texts['storage_unavailable']} {texts['choose_files_again']}"
            return retry_later(await visit.page(HTTP_503_SERVICE_UNAVAILABLE, error=error, entered=entered))
        return await visit.page(notice=texts["message_sent"] if text else texts["files_sent"])

    @post("/inbox/naam", status_code=200)
    async def inbox_reveal(self, request: Request[Any, Any, Any], inbox: NamedDependency[_Inbox]) -> Template:
        """The reporter gives their name after all."""
        form = await request.form()
        entered = {"name": str(form.get("name", "")).strip(), "contact": str(form.get("contact", "")).strip()}
        opened = await inbox.opened(form)
        if isinstance(opened, Template):
            return opened
        visit, case = opened
        try:
            identity = decode_form(entered, Identity)
        except msgspec.ValidationError:
            return await visit.page(400, error=visit.texts["identity_needed"], entered=entered)
        try:
            await services.reveal_identity(visit.db, visit.keyring, visit.found, case, identity)
        except DomainError as refused:
            return await visit.refused(refused, entered)
        return await visit.page(notice=visit.texts["revealed"])

    @post("/inbox/intrekken", status_code=200)
    async def inbox_withdraw(self, request: Request[Any, Any, Any], inbox: NamedDependency[_Inbox]) -> Template:
        """The complainant withdraws their complaint (asked to confirm with a tick, no script needed)."""
        form = await request.form()
        opened = await inbox.confirmed(form, "withdraw_unconfirmed")
        if isinstance(opened, Template):
            return opened
        visit, case = opened
        try:
            await services.withdraw_complaint(visit.db, visit.found, case)
        except DomainError as refused:
            return await visit.refused(refused)
        return await visit.page(notice=visit.texts["withdrawn"])

    @post("/inbox/instemming", status_code=200)
    async def inbox_agreement(self, request: Request[Any, Any, Any], inbox: NamedDependency[_Inbox]) -> Template:
        """The reporter agrees that the parties may learn who reported, or withdraws that (DESIGN §6)."""
        form = await request.form()
        opened = await inbox.opened(form)
        if isinstance(opened, Template):
            return opened
        visit, case = opened
        agreed = form.get("agreed") == "yes"
        await parties.set_reporter_agreement(visit.db, case, agreed)
        said = "public.agreement_given" if agreed else "public.agreement_withdrawn"
        return await visit.page(notice=text(visit.language, said))

    @post("/inbox/dicht", status_code=200)
    async def inbox_may_close(self, request: Request[Any, Any, Any], inbox: NamedDependency[_Inbox]) -> Template:
        """The reporter says their adviser-only case may be closed (a tick to confirm; ReporterSaysClosed)."""
        form = await request.form()
        remark = str(form.get("remark", "")).strip()
        opened = await inbox.confirmed(form, "close_unconfirmed", {"remark": remark})
        if isinstance(opened, Template):
            return opened
        visit, case = opened
        try:
            data = decode_form({"receipt": visit.receipt, "may_close": True, "remark": remark}, ReporterClosedIn)
            await cases.reporter_closes(visit.db, visit.keyring, visit.found, case, data)
        except msgspec.ValidationError:
            return await visit.page(400, error=visit.texts["message_limit"], entered={"remark": remark[:2000]})
        except DomainError as refused:
            return await visit.refused(refused, {"remark": remark})
        return await visit.page(notice=visit.texts["close_done"])


ROUTES = (ReportingPointPages,)

"""The public reporting point's pages at ``/m/{tenant}/``: explanation, form, receipt and inbox.

They work without JavaScript and set no cookie: the inbox is opened with the receipt on every request,
and the language (Dutch, or English with ``?lang=en``) travels in the address. A wrong answer brings the
form back with a message at the question and everything typed kept; files are read in memory only
(``web/forms.py``) and stored encrypted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import msgspec
from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Template
from litestar.status_codes import HTTP_503_SERVICE_UNAVAILABLE
from sqlalchemy.ext.asyncio import AsyncSession

from meldpunt.dossiers.keys import Keyring
from meldpunt.dossiers.storage import ObjectStore, StorageUnavailable
from meldpunt.errors import DomainError
from meldpunt.intake import attachments, ratelimit, services
from meldpunt.intake.attachments import MAX_REQUEST_BYTES, AttachmentRefused
from meldpunt.intake.models import Case
from meldpunt.intake.ratelimit import FloodGuard
from meldpunt.intake.schemas import Identity, SubmissionIn
from meldpunt.intake.services import normalise_receipt
from meldpunt.intake.uploads import PostedForm, read_posted_form
from meldpunt.tenancy.models import Tenant
from meldpunt.tenancy.services import find_public_tenant
from meldpunt.vault import services as vault
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


def _entered(form: PostedForm) -> dict[str, Any]:
    entered: dict[str, Any] = {name: form.get(name).strip() for name in SINGLE}
    for name in MULTIPLE:
        entered[name] = form.getall(name)
    return entered


def _submission(entered: dict[str, Any]) -> SubmissionIn:
    identity = (
        {"name": entered["name"], "contact": entered["contact"]} if entered["name"] or entered["contact"] else None
    )
    return msgspec.convert(
        {
            "kind": entered["kind"] or None,
            "anonymity": entered["anonymity"] or None,
            "category": entered["category"] or None,
            "reporter_role": entered["reporter_role"] or None,
            "reporter_is_affected": {"true": True, "false": False}.get(entered["reporter_is_affected"]),
            "accused_role": entered["accused_role"] or None,
            "setting": entered["setting"] or None,
            "narrative": entered["narrative"],
            "wishes": entered["wishes"],
            "attributes": {
                **dict.fromkeys(entered["attributes"], True),
                "discrimination_grounds": entered["discrimination_grounds"]
                if entered["category"] == "discrimination"
                else [],
                "when": entered["when"] or None,
            },
            "identity": identity,
        },
        SubmissionIn,
    )


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
    where = str(error).partition(" - at `$.")[2].rstrip("`")
    if where.startswith(("attributes.when", "attributes.discrimination_grounds")):
        return where.split(".")[1].split("[")[0]
    return where.split(".")[0].split("[")[0] or "narrative"


@get("/m/{tenant:str}/", include_in_schema=False)
async def reporting_point_home(
    request: Request[Any, Any, Any], db: NamedDependency[AsyncSession], tenant: FromPath[str]
) -> Template:
    found, branch = await find_public_tenant(db, tenant)
    return render(
        request,
        found,
        "m/home.html",
        branch=branch,
        uses_branch_advisers=branch is not None and "advisers" in found.branch_services,
    )


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


def _proof(form: Any) -> tuple[str, str]:
    """The challenge and its answer as a form sent them (empty without the page's script)."""
    return str(form.get("challenge") or ""), str(form.get("answer") or "")


@get("/m/{tenant:str}/melden", include_in_schema=False)
async def report_form(
    request: Request[Any, Any, Any],
    db: NamedDependency[AsyncSession],
    flood_guard: NamedDependency[FloodGuard],
    tenant: FromPath[str],
) -> Template:
    found, _ = await find_public_tenant(db, tenant)
    kind = {"klacht": "complaint", "signaal": "signal"}.get(request.query_params.get("soort", ""), "report")
    anonymity = "confidential" if kind == "complaint" else "anonymous_with_contact"
    entered: dict[str, Any] = {"kind": kind, "anonymity": anonymity, **{name: [] for name in MULTIPLE}}
    return await _form_page(request, found, flood_guard, entered=entered, errors={}, files_lost=False, draft_code=None)


@post("/m/{tenant:str}/melden", include_in_schema=False, status_code=200, request_max_body_size=MAX_REQUEST_BYTES)
async def report_submit(
    request: Request[Any, Any, Any],
    db: NamedDependency[AsyncSession],
    keyring: NamedDependency[Keyring],
    store: NamedDependency[ObjectStore],
    flood_guard: NamedDependency[FloodGuard],
    tenant: FromPath[str],
) -> Template:
    found, _ = await find_public_tenant(db, tenant)
    language = _language(request, found)
    form = await read_posted_form(request)
    entered = _entered(form)
    draft_code = form.get("concept")

    async def again(errors: dict[str, str], status_code: int) -> Template:
        return await _form_page(
            request,
            found,
            flood_guard,
            status_code,
            entered=entered,
            errors=errors,
            files_lost=bool(form.files),
            draft_code=draft_code,
        )

    texts = TEXTS[language]
    try:
        submission = _submission(entered)
    except msgspec.ValidationError as error:
        field = _field_of(error)
        return await again({field: texts[FIELD_MESSAGE.get(field, "choose_answer")]}, 400)
    try:
        checked = await attachments.check_uploads(form.files)
    except AttachmentRefused as refused:
        return await again({"attachments": error_text(refused, language)}, 400)
    try:
        async with flood_guard.arrival(db, found.id, form.get("challenge"), form.get("answer")) as marked:
            draft = None
            if draft_code:
                draft, _ = await vault.open_draft_limited(db, flood_guard.limiter, keyring, found, draft_code)
            registered = await services.register_submission(db, keyring, found, submission, flood_marked=marked)
            await attachments.attach(db, keyring, store, found.id, registered.case, checked)
            if draft is not None:
                await vault.use_draft(db, keyring, draft)
    except (DomainError, StorageUnavailable) as error:
        await db.rollback()  # nothing of it is kept; the tenant row is read again for the page
        found, _ = await find_public_tenant(db, tenant)
        if isinstance(error, StorageUnavailable):
            return retry_later(await again({"unavailable": texts["storage_unavailable"]}, HTTP_503_SERVICE_UNAVAILABLE))
        return await again({ERROR_FIELD.get(error.slug, "form"): error_text(error, language)}, error.status)
    return render(
        request,
        found,
        "m/receipt.html",
        kind=registered.case.kind,
        acknowledge_by=registered.acknowledge_by,
        receipt=services.format_receipt(registered.receipt) if registered.receipt else None,
        files=len(checked),
    )


@get("/m/{tenant:str}/concept", include_in_schema=False)
async def draft_form(
    request: Request[Any, Any, Any], db: NamedDependency[AsyncSession], tenant: FromPath[str]
) -> Template:
    found, _ = await find_public_tenant(db, tenant)
    return render(request, found, "m/draft.html", error=None)


@post("/m/{tenant:str}/concept", include_in_schema=False, status_code=200)
async def draft_open(
    request: Request[Any, Any, Any],
    db: NamedDependency[AsyncSession],
    keyring: NamedDependency[Keyring],
    flood_guard: NamedDependency[FloodGuard],
    tenant: FromPath[str],
) -> Template:
    """A report the reporter prepared with their adviser, in the form, to check, change and send."""
    found, _ = await find_public_tenant(db, tenant)
    code = str((await request.form()).get("code", ""))
    try:
        _, submission = await vault.open_draft_limited(db, flood_guard.limiter, keyring, found, code)
    except DomainError as refused:
        language = _language(request, found)
        return render(request, found, "m/draft.html", refused.status, error=error_text(refused, language))
    return await _form_page(
        request,
        found,
        flood_guard,
        entered=_entered_from(submission),
        errors={},
        files_lost=False,
        draft_code=normalise_receipt(code),
    )


async def _inbox_page(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    keyring: Keyring,
    guard: FloodGuard,
    found: Tenant,
    case: Case | None,
    receipt: str,
    *,
    status_code: int = 200,
    error: str | None = None,
    notice: str | None = None,
    entered: dict[str, str] | None = None,
) -> Template:
    context: dict[str, Any] = {
        "receipt": receipt if case else "",
        "case": case,
        "error": error,
        "notice": notice,
        "entered": entered or {},
        **await _challenges(guard, found),
    }
    if case is not None:
        identity = await services.reporter_identity(db, keyring, found, case)
        context.update(
            messages=await services.inbox(db, keyring, found, case),
            files=await attachments.reporters_files(db, keyring, found.id, case),
            known_as=identity.name if identity else None,
            may_reveal=services.may_reveal(case),
            may_withdraw=services.may_withdraw(case),
        )
    return render(request, found, "m/inbox.html", status_code, **context)


async def _open(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    keyring: Keyring,
    guard: FloodGuard,
    found: Tenant,
    receipt: str,
    proof: tuple[str, str],
) -> Case | Template:
    """The case of this receipt, or the receipt form again with the reason it did not open."""
    try:
        return await ratelimit.case_for_receipt_limited(db, guard, found, receipt, *proof)
    except DomainError as refused:
        language = _language(request, found)
        return await _inbox_page(
            request,
            db,
            keyring,
            guard,
            found,
            None,
            "",
            status_code=refused.status,
            error=error_text(refused, language),
        )


@get("/m/{tenant:str}/inbox", include_in_schema=False)
async def inbox_form(
    request: Request[Any, Any, Any],
    db: NamedDependency[AsyncSession],
    keyring: NamedDependency[Keyring],
    flood_guard: NamedDependency[FloodGuard],
    tenant: FromPath[str],
) -> Template:
    found, _ = await find_public_tenant(db, tenant)
    return await _inbox_page(request, db, keyring, flood_guard, found, None, "")


@post("/m/{tenant:str}/inbox", include_in_schema=False, status_code=200)
async def inbox_open(
    request: Request[Any, Any, Any],
    db: NamedDependency[AsyncSession],
    keyring: NamedDependency[Keyring],
    flood_guard: NamedDependency[FloodGuard],
    tenant: FromPath[str],
) -> Template:
    found, _ = await find_public_tenant(db, tenant)
    form = await request.form()
    receipt = str(form.get("receipt", ""))
    case = await _open(request, db, keyring, flood_guard, found, receipt, _proof(form))
    if isinstance(case, Template):
        return case
    return await _inbox_page(request, db, keyring, flood_guard, found, case, receipt)


@post(
    "/m/{tenant:str}/inbox/bericht",
    include_in_schema=False,
    status_code=200,
    request_max_body_size=MAX_REQUEST_BYTES,
)
async def inbox_message(
    request: Request[Any, Any, Any],
    db: NamedDependency[AsyncSession],
    keyring: NamedDependency[Keyring],
    store: NamedDependency[ObjectStore],
    flood_guard: NamedDependency[FloodGuard],
    tenant: FromPath[str],
) -> Template:
    """A message, files, or both, from the reporter."""
    found, _ = await find_public_tenant(db, tenant)
    language = _language(request, found)
    texts = TEXTS[language]
    form = await read_posted_form(request)
    receipt, text = form.get("receipt"), form.get("text").strip()
    case = await _open(request, db, keyring, flood_guard, found, receipt, _proof(form))
    if isinstance(case, Template):
        return case

    async def again(error: str, status_code: int = 400) -> Template:
        assert isinstance(case, Case)
        return await _inbox_page(
            request,
            db,
            keyring,
            flood_guard,
            found,
            case,
            receipt,
            status_code=status_code,
            error=error,
            entered={"text": text},
        )

    if len(text) > 10_000 or not (text or form.files):
        return await again(texts["message_limit"])
    try:
        checked = await attachments.check_uploads(form.files)
    except AttachmentRefused as refused:
        return await again(error_text(refused, language))
    try:
        if text:
            await services.add_message(db, keyring, found, case, "reporter", text)
        if checked:
            await attachments.attach(db, keyring, store, found.id, case, checked)
            if not text:
                await services.tell_reporting_point(db, found, case)
    except StorageUnavailable:
        await db.rollback()  # the message goes too: it is sent again with the files
        found, _ = await find_public_tenant(db, tenant)
        case = await services.case_for_receipt(db, found, receipt)
        error = f"{texts['storage_unavailable']} {texts['choose_files_again']}"
        return retry_later(await again(error, HTTP_503_SERVICE_UNAVAILABLE))
    notice = texts["message_sent"] if text else texts["files_sent"]
    return await _inbox_page(request, db, keyring, flood_guard, found, case, receipt, notice=notice)


@dataclass(frozen=True)
class _Visit:
    """A reporter in their inbox for one action: the organisation, the language and the opened case."""

    request: Request[Any, Any, Any]
    db: AsyncSession
    keyring: Keyring
    guard: FloodGuard
    found: Tenant
    receipt: str
    case: Case

    @property
    def language(self) -> str:
        return _language(self.request, self.found)

    async def page(self, status_code: int = 200, **context: Any) -> Template:
        return await _inbox_page(
            self.request,
            self.db,
            self.keyring,
            self.guard,
            self.found,
            self.case,
            self.receipt,
            status_code=status_code,
            **context,
        )

    async def refused(self, refused: DomainError, entered: dict[str, str] | None = None) -> Template:
        return await self.page(refused.status, error=error_text(refused, self.language), entered=entered)


async def _visit(
    request: Request[Any, Any, Any], db: AsyncSession, keyring: Keyring, guard: FloodGuard, slug: str, form: Any
) -> _Visit | Template:
    found, _ = await find_public_tenant(db, slug)
    receipt = str(form.get("receipt", ""))
    case = await _open(request, db, keyring, guard, found, receipt, _proof(form))
    return case if isinstance(case, Template) else _Visit(request, db, keyring, guard, found, receipt, case)


@post("/m/{tenant:str}/inbox/naam", include_in_schema=False, status_code=200)
async def inbox_reveal(
    request: Request[Any, Any, Any],
    db: NamedDependency[AsyncSession],
    keyring: NamedDependency[Keyring],
    flood_guard: NamedDependency[FloodGuard],
    tenant: FromPath[str],
) -> Template:
    """The reporter gives their name after all."""
    form = await request.form()
    entered = {"name": str(form.get("name", "")).strip(), "contact": str(form.get("contact", "")).strip()}
    visit = await _visit(request, db, keyring, flood_guard, tenant, form)
    if isinstance(visit, Template):
        return visit
    try:
        identity = msgspec.convert(entered, Identity)
    except msgspec.ValidationError:
        return await visit.page(400, error=TEXTS[visit.language]["identity_needed"], entered=entered)
    try:
        await services.reveal_identity(db, keyring, visit.found, visit.case, identity)
    except DomainError as refused:
        return await visit.refused(refused, entered)
    return await visit.page(notice=TEXTS[visit.language]["revealed"])


@post("/m/{tenant:str}/inbox/intrekken", include_in_schema=False, status_code=200)
async def inbox_withdraw(
    request: Request[Any, Any, Any],
    db: NamedDependency[AsyncSession],
    keyring: NamedDependency[Keyring],
    flood_guard: NamedDependency[FloodGuard],
    tenant: FromPath[str],
) -> Template:
    """The complainant withdraws their complaint (asked to confirm with a tick, no script needed)."""
    form = await request.form()
    visit = await _visit(request, db, keyring, flood_guard, tenant, form)
    if isinstance(visit, Template):
        return visit
    if form.get("confirm") != "yes":
        return await visit.page(400, error=TEXTS[visit.language]["withdraw_unconfirmed"])
    try:
        await services.withdraw_complaint(db, visit.found, visit.case)
    except DomainError as refused:
        return await visit.refused(refused)
    return await visit.page(notice=TEXTS[visit.language]["withdrawn"])


ROUTES = (
    reporting_point_home,
    report_form,
    report_submit,
    draft_form,
    draft_open,
    inbox_form,
    inbox_open,
    inbox_message,
    inbox_reveal,
    inbox_withdraw,
)

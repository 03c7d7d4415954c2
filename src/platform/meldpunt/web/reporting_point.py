"""The public reporting point's pages at ``/m/{tenant}/``: explanation, form, receipt and inbox.

They work without JavaScript and set no cookie: the inbox is opened with the receipt on every request.
A wrong answer brings the form back with a Dutch message at the question and everything typed kept.
"""

from __future__ import annotations

from typing import Any

import msgspec
import redis.asyncio as aioredis
from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from meldpunt.dossiers.keys import Keyring
from meldpunt.errors import DomainError
from meldpunt.intake import ratelimit, services
from meldpunt.intake.errors import ComplaintNeedsName
from meldpunt.intake.schemas import SubmissionIn
from meldpunt.tenancy.services import find_public_tenant

SINGLE = (
    "kind",
    "anonymity",
    "category",
    "reporter_role",
    "reporter_is_affected",
    "accused_role",
    "setting",
    "narrative",
    "name",
    "contact",
)
STATUS_TEXT = {"received": "ontvangen: het meldpunt kijkt ernaar"}
MESSAGES = {
    "narrative": "Beschrijf in eigen woorden wat er is gebeurd (maximaal 20.000 tekens).",
    "identity": "Vul uw naam en hoe we u kunnen bereiken in (of kies voor anoniem).",
}


def _entered(form: Any) -> dict[str, Any]:
    entered: dict[str, Any] = {name: str(form.get(name, "")).strip() for name in SINGLE}
    entered["wishes"] = [str(value) for value in form.getall("wishes", [])]
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
            "identity": identity,
        },
        SubmissionIn,
    )


def _field_of(error: msgspec.ValidationError) -> str:
    where = str(error).partition(" - at `$.")[2].rstrip("`")
    return where.split(".")[0].split("[")[0] or "narrative"


async def _form(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    slug: str,
    entered: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
) -> Template:
    tenant, _ = await find_public_tenant(db, slug)
    return Template(
        "m/form.html", status_code=status_code, context={"tenant": tenant, "entered": entered, "errors": errors}
    )


@get("/m/{tenant:str}/", include_in_schema=False)
async def reporting_point_home(db: NamedDependency[AsyncSession], tenant: FromPath[str]) -> Template:
    found, branch = await find_public_tenant(db, tenant)
    return Template(
        "m/home.html",
        context={"tenant": found, "branch": branch, "uses_branch_advisers": "advisers" in found.branch_services},
    )


@get("/m/{tenant:str}/melden", include_in_schema=False)
async def report_form(
    request: Request[Any, Any, Any], db: NamedDependency[AsyncSession], tenant: FromPath[str]
) -> Template:
    kind = {"klacht": "complaint", "signaal": "signal"}.get(request.query_params.get("soort", ""), "report")
    anonymity = "confidential" if kind == "complaint" else "anonymous_with_contact"
    return await _form(request, db, tenant, {"kind": kind, "anonymity": anonymity, "wishes": []}, {})


@post("/m/{tenant:str}/melden", include_in_schema=False, status_code=200)
async def report_submit(
    request: Request[Any, Any, Any],
    db: NamedDependency[AsyncSession],
    keyring: NamedDependency[Keyring],
    redis: NamedDependency[aioredis.Redis],
    tenant: FromPath[str],
) -> Template:
    entered = _entered(await request.form())
    try:
        submission = _submission(entered)
    except msgspec.ValidationError as error:
        field = _field_of(error)
        message = MESSAGES.get(field, "Kies een antwoord bij deze vraag.")
        return await _form(request, db, tenant, entered, {field: message}, 400)
    found, _ = await find_public_tenant(db, tenant)
    try:
        await ratelimit.spend_submission(redis, found.id)
        registered = await services.register_submission(db, keyring, found, submission)
    except DomainError as error:
        await db.rollback()
        field = "kind" if isinstance(error, ComplaintNeedsName) else "identity"
        return await _form(request, db, tenant, entered, {field: error.detail}, error.status)
    return Template(
        "m/receipt.html",
        context={
            "tenant": found,
            "kind": registered.case.kind,
            "acknowledge_by": registered.acknowledge_by,
            "receipt": services.format_receipt(registered.receipt) if registered.receipt else None,
        },
    )


async def _inbox_page(
    db: AsyncSession,
    keyring: Keyring,
    redis: aioredis.Redis,
    slug: str,
    receipt: str,
    entered_text: str = "",
    error: str | None = None,
) -> Template:
    found, _ = await find_public_tenant(db, slug)
    context: dict[str, Any] = {
        "tenant": found,
        "receipt": receipt,
        "entered_text": entered_text,
        "error": error,
        "case": None,
    }
    if receipt and error is None:
        try:
            case = await ratelimit.case_for_receipt_limited(db, redis, found, receipt)
        except DomainError as refused:
            context["error"] = refused.detail
            return Template("m/inbox.html", context=context, status_code=refused.status)
        context.update(
            case=case,
            status_text=STATUS_TEXT.get(case.status, case.status),
            messages=await services.inbox(db, keyring, found, case),
        )
    return Template("m/inbox.html", context=context)


@get("/m/{tenant:str}/inbox", include_in_schema=False)
async def inbox_form(
    db: NamedDependency[AsyncSession],
    keyring: NamedDependency[Keyring],
    redis: NamedDependency[aioredis.Redis],
    tenant: FromPath[str],
) -> Template:
    return await _inbox_page(db, keyring, redis, tenant, "")


@post("/m/{tenant:str}/inbox", include_in_schema=False, status_code=200)
async def inbox_open(
    request: Request[Any, Any, Any],
    db: NamedDependency[AsyncSession],
    keyring: NamedDependency[Keyring],
    redis: NamedDependency[aioredis.Redis],
    tenant: FromPath[str],
) -> Template:
    receipt = str((await request.form()).get("receipt", ""))
    return await _inbox_page(db, keyring, redis, tenant, receipt)


@post("/m/{tenant:str}/inbox/bericht", include_in_schema=False, status_code=200)
async def inbox_message(
    request: Request[Any, Any, Any],
    db: NamedDependency[AsyncSession],
    keyring: NamedDependency[Keyring],
    redis: NamedDependency[aioredis.Redis],
    tenant: FromPath[str],
) -> Template:
    form = await request.form()
    receipt, text = str(form.get("receipt", "")), str(form.get("text", "")).strip()
    if not 1 <= len(text) <= 10_000:
        page = await _inbox_page(db, keyring, redis, tenant, receipt, text)
        page.context["error"] = "Schrijf een bericht van hooguit 10.000 tekens."
        page.status_code = 400
        return page
    found, _ = await find_public_tenant(db, tenant)
    try:
        case = await ratelimit.case_for_receipt_limited(db, redis, found, receipt)
    except DomainError as refused:
        return await _inbox_page(db, keyring, redis, tenant, receipt, text, refused.detail)
    await services.add_message(db, keyring, found, case, "reporter", text)
    return await _inbox_page(db, keyring, redis, tenant, receipt)


ROUTES = (reporting_point_home, report_form, report_submit, inbox_form, inbox_open, inbox_message)

"""The reporting point's pages at ``/app/t/{tenant}/meldingen``: what arrived (no content in the list), one
submission (the read is audited), its files and the answer to the reporter. Each route names its action."""

from __future__ import annotations

import uuid
from typing import Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Stream, Template
from sqlalchemy.ext.asyncio import AsyncSession

from meldpunt.identity.policy import Actor, may
from meldpunt.identity.roles import Action
from meldpunt.intake import services as intake
from meldpunt.intake.controllers import DESK, Desk
from meldpunt.intake.errors import BadDismissal
from meldpunt.intake.schemas import DismissalIn
from meldpunt.retention import services as retention
from meldpunt.tenancy.models import Tenant
from meldpunt.web.forms import decode_form, form_fields
from meldpunt.web.pages import language, same_language, shell_context
from meldpunt.web.pro_texts import CASE_NAMES


class SubmissionPages(Controller):
    path = "/app/t/{tenant:str}/meldingen"
    include_in_schema = False
    dependencies = DESK

    @get(action=Action.INTAKE_LIST)
    async def submissions_page(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[AsyncSession],
        actor: NamedDependency[Actor],
        acting: NamedDependency[Tenant],
        tenant: FromPath[str],
    ) -> Template:
        """What arrived at this reporting point (no content in the list)."""
        return Template(
            "submissions.html",
            context={
                **shell_context(request, actor, tenant),
                "statuses": CASE_NAMES[language(request)]["statuses"],
                "submissions": await intake.list_submissions(db, [acting.id]),
                "destroyed": await retention.destroyed_cases(db, [acting.id]),
                "may_dismiss": may(actor, Action.INTAKE_DISMISS, tenant),
                "dismissed": request.query_params.get("weggezet"),
            },
        )

    @post("/wegzetten", status_code=303, action=Action.INTAKE_DISMISS)
    async def submissions_dismiss(
        self, request: Request[Any, Any, Any], desk: NamedDependency[Desk], acting: NamedDependency[Tenant]
    ) -> Redirect:
        """Dismiss what a flood left unverified: the ticked ones, or every marked one from a period (DESIGN §11)."""
        fields = form_fields(await request.form())
        if fields.get("scope") != "period":
            fields = {"case_ids": fields.get("case_id", [])}
        try:
            choice = decode_form(fields, DismissalIn)
        except msgspec.ValidationError as error:
            raise BadDismissal() from error
        dismissed = await intake.dismiss_marked(desk.db, desk.who, acting, choice)
        return _back(request, acting, f"?weggezet={len(dismissed)}")

    @get("/{case_id:uuid}", action=Action.INTAKE_READ)
    async def submission_page(
        self,
        request: Request[Any, Any, Any],
        desk: NamedDependency[Desk],
        actor: NamedDependency[Actor],
        acting: NamedDependency[Tenant],
        case_id: FromPath[uuid.UUID],
    ) -> Template:
        """One submission: what the reporter wrote and the messages both ways (the read is audited)."""
        detail = await intake.read_submission(desk.db, desk.keyring, desk.who, acting, case_id)
        return Template(
            "submission.html",
            context={
                **shell_context(request, actor, acting.slug),
                "case": detail.case,
                "narrative": detail.narrative,
                "messages": detail.messages,
                "identity": detail.identity,
                "attachments": detail.attachments,
            },
        )

    @get("/{case_id:uuid}/bijlagen/{document_id:uuid}", action=Action.INTAKE_READ)
    async def submission_attachment(self, attachment: NamedDependency[Stream]) -> Stream:
        """Download a file the reporter added (the read is audited)."""
        return attachment

    @post("/{case_id:uuid}/bericht", status_code=303, action=Action.INTAKE_REPLY)
    async def submission_reply(
        self,
        request: Request[Any, Any, Any],
        desk: NamedDependency[Desk],
        acting: NamedDependency[Tenant],
        case_id: FromPath[uuid.UUID],
    ) -> Redirect:
        """Answer the reporter (an empty or overlong answer is not sent)."""
        text = str((await request.form()).get("text", "")).strip()
        if 1 <= len(text) <= 10_000:
            await intake.reply(desk.db, desk.keyring, desk.who, acting, case_id, text)
        return _back(request, acting, f"/{case_id}")


def _back(request: Request[Any, Any, Any], acting: Tenant, where: str) -> Redirect:
    """After a form: back to the submissions (``where`` below them), in the language the form was sent in."""
    return Redirect(same_language(request, f"/app/t/{acting.slug}/meldingen{where}"), status_code=303)


ROUTES = (SubmissionPages,)

"""The reporting point's pages at ``/app/t/{tenant}/meldingen``: what arrived (no content in the list), one
submission (the read is audited), its files and the answer to the reporter. Each route names its action."""

from __future__ import annotations

import uuid

import msgspec
from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Stream, Template

from meldpunt.identity.policy import may
from meldpunt.identity.roles import Action
from meldpunt.intake import services as intake
from meldpunt.intake.controllers import DESK, Desk
from meldpunt.intake.errors import BadDismissal
from meldpunt.intake.schemas import DismissalIn
from meldpunt.retention import services as retention
from meldpunt.web.forms import decode_form, form_fields
from meldpunt.web.pages import AT_TENANT, AtTenant, language
from meldpunt.web.pro_texts import CASE_NAMES


class SubmissionPages(Controller):
    path = "/app/t/{tenant:str}/meldingen"
    include_in_schema = False
    dependencies = {**DESK, **AT_TENANT}  # noqa: RUF012 - read once by Litestar, never changed

    @get(action=Action.INTAKE_LIST)
    async def submissions_page(self, at: NamedDependency[AtTenant]) -> Template:
        """What arrived at this reporting point (no content in the list)."""
        request, acting = at.request, at.acting
        return Template(
            "submissions.html",
            context={
                **at.shell(),
                "statuses": CASE_NAMES[language(request)]["statuses"],
                "submissions": await intake.list_submissions(at.db, [acting.id]),
                "destroyed": await retention.destroyed_cases(at.db, [acting.id]),
                "may_dismiss": may(at.actor, Action.INTAKE_DISMISS, acting.slug),
                "dismissed": request.query_params.get("weggezet"),
            },
        )

    @post("/wegzetten", status_code=303, action=Action.INTAKE_DISMISS)
    async def submissions_dismiss(self, at: NamedDependency[AtTenant], desk: NamedDependency[Desk]) -> Redirect:
        """Dismiss what a flood left unverified: the ticked ones, or every marked one from a period (DESIGN §11)."""
        fields = form_fields(await at.request.form())
        if fields.get("scope") != "period":
            fields = {"case_ids": fields.get("case_id", [])}
        try:
            choice = decode_form(fields, DismissalIn)
        except msgspec.ValidationError as error:
            raise BadDismissal() from error
        dismissed = await intake.dismiss_marked(desk.db, desk.who, at.acting, choice)
        return at.back(f"/meldingen?weggezet={len(dismissed)}")

    @get("/{case_id:uuid}", action=Action.INTAKE_READ)
    async def submission_page(
        self, at: NamedDependency[AtTenant], desk: NamedDependency[Desk], case_id: FromPath[uuid.UUID]
    ) -> Template:
        """One submission: what the reporter wrote and the messages both ways (the read is audited)."""
        detail = await intake.read_submission(desk.db, desk.keyring, desk.who, at.acting, case_id)
        return Template(
            "submission.html",
            context={
                **at.shell(),
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
        self, at: NamedDependency[AtTenant], desk: NamedDependency[Desk], case_id: FromPath[uuid.UUID]
    ) -> Redirect:
        """Answer the reporter (an empty or overlong answer is not sent)."""
        text = str((await at.request.form()).get("text", "")).strip()
        if 1 <= len(text) <= 10_000:
            await intake.reply(desk.db, desk.keyring, desk.who, at.acting, case_id, text)
        return at.back(f"/meldingen/{case_id}")


ROUTES = (SubmissionPages,)

"""The demo's case at De Linde with an accused who can open the party portal (DESIGN §12: the demo shows what
the platform does). Made once, through the services the platform itself uses; on every start the accused is
invited again, so that the demo can print a link and a one-time code the way it prints its other log-ins."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from meldpunt.audit.services import AuditActor
from meldpunt.cases.parties import notice_letter
from meldpunt.catalogues import text
from meldpunt.db.context import tenant_context
from meldpunt.dossiers.documents import DocumentMeta, RecordClass, store_document
from meldpunt.identity.models import AccountRef
from meldpunt.intake.schemas import SubmissionIn
from meldpunt.intake.services import meet_deadlines, register_submission
from meldpunt.parties import services as parties
from meldpunt.parties.models import CaseParty, PartyRole
from meldpunt.parties.schemas import PartyIn, ShareIn
from meldpunt.settings import Settings
from meldpunt.tenancy.models import Tenant
from meldpunt.web.resources import Resources

DEMO_TENANT = "de-linde"
DEMO_ACCUSED = "Ruud de Boer"
SEEDER = AccountRef(uuid.UUID(int=0), uuid.UUID(int=0))  # the demo itself, not a person
REPORT = {
    "kind": "report",
    "anonymity": "anonymous_with_contact",
    "category": "sexual_harassment",
    "reporter_role": "employee",
    "reporter_is_affected": True,
    "narrative": "Tijdens de kerstborrel maakte mijn teamleider opmerkingen over mijn lichaam en raakte hij mij aan.",
    "attributes": {"physical": True, "power_difference": True},
    "accused_role": "manager",
    "setting": "event",
    "wishes": ["listening_ear", "advice"],
}


@dataclass(frozen=True)
class DemoInvitation:
    link: str
    code: str


async def _one(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def invite_demo_accused(settings: Settings) -> DemoInvitation | None:
    """The demo accused's invitation: the case, the accused and the written notice are made the first time."""
    resources = Resources.open(settings)
    try:
        async with resources.sessionmaker() as session:
            tenant = (await session.execute(select(Tenant).where(Tenant.slug == DEMO_TENANT))).scalar()
            if tenant is None:
                return None
            await tenant_context(session, [tenant.id])
            accused = (
                await session.execute(select(CaseParty).where(CaseParty.role == PartyRole.ACCUSED).limit(1))
            ).scalar()
            if accused is None:
                accused = await _make_case(session, resources, tenant)
            invitation = await parties.invite(session, SEEDER, tenant, accused.case_id, accused.id)
            await session.commit()
        link = f"{settings.public_url.rstrip('/')}/p/{tenant.slug}/uitnodiging/{invitation.token}"
        return DemoInvitation(link, invitation.code)
    finally:
        await resources.close()


async def _make_case(session: AsyncSession, resources: Resources, tenant: Tenant) -> CaseParty:
    registered = await register_submission(session, resources.keyring, tenant, msgspec.convert(REPORT, SubmissionIn))
    case = registered.case
    await meet_deadlines(session, case, "acknowledge")  # the reporting point confirmed it arrived
    accused = await parties.add_party(
        session, resources.keyring, SEEDER, tenant, case.id, PartyIn(role=PartyRole.ACCUSED, name=DEMO_ACCUSED)
    )
    letter = notice_letter(
        "nl",
        organisation=tenant.display_name,
        name=DEMO_ACCUSED,
        received=case.created_at.strftime("%d-%m-%Y"),
        category=text("nl", f"public.option.category.{case.category}"),
        source=None,
    )
    document = await store_document(
        session,
        resources.keyring,
        resources.object_store,
        AuditActor.system("demo"),
        tenant.id,
        case.id,
        RecordClass.REPORT_DOSSIER,
        _one(letter.encode()),
        DocumentMeta("kennisgeving.txt", "text/plain; charset=utf-8", title=text("nl", "case.notice.title")),
    )
    await parties.share(session, SEEDER, tenant, case.id, ShareIn(document_id=document.id, party_id=accused.id))
    return accused

"""The demo's complaint at Het Anker for the branch's complaints committee (issue 15): a named complaint by the
affected person, routed to the committee by Het Anker's reporting point, registered by the committee's secretary
Mirjam Koster, with the accused as a party. Ingrid de Boer (the branch's external chair), Joost van Leeuwen and
the pooled process guardian are seated; Joost has declared, Ingrid declares when she signs in and takes it from
there (admissibility, the defence, the hearings, the advice). Made once, through the services the platform uses."""

from __future__ import annotations

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from meldpunt.cases import services as cases
from meldpunt.cases.schemas import RoutingIn
from meldpunt.complaints import parties as complaint_parties
from meldpunt.complaints import services as complaints
from meldpunt.complaints.models import Complaint
from meldpunt.complaints.schemas import RegisterIn, SeatIn
from meldpunt.db.context import also_in, tenant_context
from meldpunt.dossiers.keys import Keyring
from meldpunt.identity import services as identity
from meldpunt.identity.models import AccountRef
from meldpunt.intake.schemas import SubmissionIn
from meldpunt.intake.services import meet_deadlines, register_submission
from meldpunt.parties.models import PartyRole
from meldpunt.parties.schemas import PartyIn
from meldpunt.settings import Settings
from meldpunt.tenancy.models import Tenant
from meldpunt.web.resources import Resources

DEMO_TENANT = "het-anker"
STATEMENT = "Ik ken de klager en de beschuldigde niet, heb geen belang bij de uitkomst en sta buiten hun lijn."
COMPLAINT = {
    "kind": "complaint",
    "anonymity": "confidential",
    "identity": {"name": "Lisa Verbruggen", "contact": "lisa.verbruggen@example.org"},
    "category": "bullying",
    "reporter_role": "employee",
    "reporter_is_affected": True,
    "narrative": "Een collega van mijn groep maakt mij al maanden belachelijk waar ouders en collega's bij zijn.",
    "attributes": {"physical": False, "power_difference": False},
    "accused_role": "colleague",
    "setting": "workplace",
    "wishes": ["solution"],
}
ROUTE = RoutingIn(classified_as="complaint", route="complaints_committee", reason="Formele klacht, met naam.")


async def seed_demo_complaint(settings: Settings) -> None:
    """The demo complaint at Het Anker, once (a later start finds it and makes nothing)."""
    resources = Resources.open(settings)
    try:
        async with resources.sessionmaker() as session:
            tenant = (await session.execute(select(Tenant).where(Tenant.slug == DEMO_TENANT))).scalar()
            if tenant is not None:
                await make_demo_complaint(session, resources.keyring, tenant)
                await session.commit()
    finally:
        await resources.close()


async def _by_role(session: AsyncSession, tenant: Tenant, role: str, name: str = "") -> AccountRef:
    holders = await identity.role_holders(session, tenant.id, role)
    names = await cases.account_names(session, tenant, holders) if holders else {}
    return next(who for who in holders if names.get(who.id, "").startswith(name))


async def make_demo_complaint(session: AsyncSession, keyring: Keyring, tenant: Tenant) -> Complaint:
    """The complaint, registered and seated, unless the tenant has one already (then that one)."""
    await tenant_context(session, [tenant.id])
    existing = (await session.execute(select(Complaint).where(Complaint.tenant_id == tenant.id).limit(1))).scalar()
    if existing is not None:
        return existing
    submission = msgspec.convert(COMPLAINT, SubmissionIn)
    case = (await register_submission(session, keyring, tenant, submission)).case
    await meet_deadlines(session, case, "acknowledge")
    point = await _by_role(session, tenant, "reporting_point")
    await cases.route_case(session, keyring, point, tenant, case.id, ROUTE)
    assert tenant.branch_id is not None
    async with also_in(session, tenant.branch_id):
        secretary = await _by_role(session, tenant, "committee_secretary", "Mirjam")
        chair = await _by_role(session, tenant, "committee_chair", "Ingrid")
        member = await _by_role(session, tenant, "committee_member", "Joost")
        guardian = await _by_role(session, tenant, "process_guardian", "Ahmed")
    at = complaints.At(session, keyring, secretary, tenant)
    register = RegisterIn(case_id=case.id, informal="skipped", skipped_because="tried_before", employer="branch")
    complaint = await complaints.register(at, register)
    await complaints.declare(at, complaint.id, False, False, False, STATEMENT)
    for who, role, employer in ((chair, "committee_chair", "external"), (member, "committee_member", "branch")):
        seat = SeatIn(account_tenant_id=who.tenant_id, account_id=who.id, role=role, employer=employer)  # type: ignore[arg-type]
        await complaints.seat(at, complaint.id, seat)
    pooled = SeatIn(
        account_tenant_id=guardian.tenant_id, account_id=guardian.id, role="process_guardian", employer="other_member"
    )
    await complaints.seat(at, complaint.id, pooled)
    await complaints.declare(
        complaints.At(session, keyring, member, tenant), complaint.id, False, False, False, STATEMENT
    )
    accused = PartyIn(role=PartyRole.ACCUSED, name="Daan Kramer")
    await complaint_parties.add_party(at, complaint.id, accused)
    return complaint

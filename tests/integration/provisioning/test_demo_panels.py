"""The demo tenants are equipped: at every member a decision panel can be seated with the people its tenant
file declares (the branch's pool counted), through the services the platform uses, and the people who carry
out a follow-up are there."""

from __future__ import annotations

import uuid
from pathlib import Path

import msgspec
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from meldpunt.cases import services as cases
from meldpunt.cases.errors import SeatRefused
from meldpunt.cases.schemas import DeclarationIn, MemberIn, RoutingIn
from meldpunt.db.context import tenant_context
from meldpunt.db.engine import create_sessionmaker
from meldpunt.dossiers.keys import Keyring, LocalRootKey
from meldpunt.identity import services as identity
from meldpunt.identity.models import AccountRef
from meldpunt.intake.models import Case
from meldpunt.intake.schemas import SubmissionIn
from meldpunt.intake.services import register_submission
from meldpunt.provisioning.demo_case import REPORT
from meldpunt.provisioning.services import apply_tenants_from_path
from meldpunt.settings import Settings
from meldpunt.tenancy.models import Tenant
from tests.integration.provisioning.test_tenants_apply import branch_folder

STATEMENT = "Ik ken de betrokkenen niet en heb geen belang bij de uitkomst."
# A report about a team leader: the decision goes at least one level up (cases.services._check_escalation).
ROUTE = RoutingIn(
    classified_as="report",
    route="decision_panel",
    reason="Een leidinggevende, met een machtsverschil.",
    escalation="higher_manager",
    igj_answer="not_reportable",  # every demo member is in care or child care: the Wkkgz/IGJ question is asked
)
# Who sits at each member's panel in the demo, by display name (the pooled guardian is chosen by the pool).
PANELS = {
    "de-linde": ("Hans Verbeek", "Femke Vos", None),
    "het-anker": ("Rob van Dijk", "Priya Ramdin", None),
    "zorggroep-oost": ("Annemieke van der Veen", "Nadia Bouzid", "Henk Lammers"),
}
FOLLOW_UP_ROLES = ("line_manager", "hr", "facilitator", "mediator", "dpo")


@pytest.fixture
def keyring(tmp_path: Path) -> Keyring:
    return Keyring(LocalRootKey(tmp_path / "root-keys.json"))


async def demo_tenants(settings: Settings, tmp_path: Path, repo_root: Path) -> dict[str, str]:
    folder, slugs = branch_folder(tmp_path, repo_root)
    await apply_tenants_from_path(settings, folder)
    return slugs


async def open_member(session: AsyncSession, slug: str) -> Tenant:
    tenant = (await session.execute(select(Tenant).where(Tenant.slug == slug))).scalar_one()
    await tenant_context(session, [tenant.id])
    return tenant


def by_name(candidates: list[tuple[AccountRef, str]], name: str) -> AccountRef:
    found = [who for who, display in candidates if display.startswith(name)]
    assert len(found) == 1, (name, candidates)
    return found[0]


async def routed_case(session: AsyncSession, keyring: Keyring, tenant: Tenant) -> tuple[Case, AccountRef]:
    registered = await register_submission(session, keyring, tenant, msgspec.convert(REPORT, SubmissionIn))
    (point,) = await identity.role_holders(session, tenant.id, "reporting_point")
    await cases.route_case(session, keyring, point, tenant, registered.case.id, ROUTE)
    return registered.case, point


async def declare(session: AsyncSession, keyring: Keyring, tenant: Tenant, case_id: uuid.UUID, who: AccountRef) -> None:
    await cases.declare(session, keyring, who, tenant, case_id, DeclarationIn(involved=False, statement=STATEMENT))


@pytest.mark.parametrize("member", sorted(PANELS))
async def test_a_complete_panel_is_seated_with_the_members_own_people(
    settings: Settings, app_engine: AsyncEngine, tmp_path: Path, repo_root: Path, keyring: Keyring, member: str
) -> None:
    slugs = await demo_tenants(settings, tmp_path, repo_root)
    decider_name, expert_name, guardian_name = PANELS[member]
    async with create_sessionmaker(app_engine)() as session:
        tenant = await open_member(session, slugs[member])
        case, point = await routed_case(session, keyring, tenant)
        candidates = await cases.panel_candidates(session, tenant)
        # The decision maker is not a line manager here: a case about anyone's manager can still be decided.
        decider = by_name(candidates["decision_maker"], decider_name)
        assert "line_manager" not in await identity.active_roles(session, tenant.id, *decider)
        seated = [decider, by_name(candidates["expert"], expert_name)]
        for who, role in zip(seated, ("decision_maker", "expert"), strict=True):
            seat = MemberIn(account_tenant_id=who.tenant_id, account_id=who.id, role=role)  # type: ignore[arg-type]
            await cases.assign_member(session, point, tenant, case.id, seat)
        if guardian_name is None:  # the member uses the branch's pool
            pooled = await cases.assign_pooled_guardian(session, point, tenant, case.id)
            guardian = AccountRef(pooled.account_tenant_id, pooled.account_id)
            assert guardian.tenant_id != tenant.id
        else:
            guardian = by_name(candidates["process_guardian"], guardian_name)
            seat = MemberIn(account_tenant_id=guardian.tenant_id, account_id=guardian.id, role="process_guardian")
            await cases.assign_member(session, point, tenant, case.id, seat)
        for who in seated[:1]:
            await declare(session, keyring, tenant, case.id, who)
        assert not await cases.panel_complete(session, case)
        for who in (*seated[1:], guardian):
            await declare(session, keyring, tenant, case.id, who)
        assert await cases.panel_complete(session, case)
        await session.rollback()


@pytest.mark.parametrize("member", sorted(PANELS))
async def test_every_member_has_two_deciders_and_the_people_who_carry_out_a_follow_up(
    settings: Settings, app_engine: AsyncEngine, tmp_path: Path, repo_root: Path, member: str
) -> None:
    slugs = await demo_tenants(settings, tmp_path, repo_root)
    async with create_sessionmaker(app_engine)() as session:
        tenant = await open_member(session, slugs[member])
        candidates = await cases.panel_candidates(session, tenant)
        assert len(candidates["decision_maker"]) >= 2 and candidates["expert"]
        assert candidates["process_guardian"], "a guardian of its own or from the branch's pool"
        for role in FOLLOW_UP_ROLES:
            assert await identity.role_holders(session, tenant.id, role), role


async def test_a_pooled_guardian_who_declares_a_link_is_replaced_from_the_pool_at_het_anker(
    settings: Settings, app_engine: AsyncEngine, tmp_path: Path, repo_root: Path, keyring: Keyring
) -> None:
    slugs = await demo_tenants(settings, tmp_path, repo_root)
    async with create_sessionmaker(app_engine)() as session:
        tenant = await open_member(session, slugs["het-anker"])
        case, point = await routed_case(session, keyring, tenant)
        first = await cases.assign_pooled_guardian(session, point, tenant, case.id)
        involved = DeclarationIn(involved=True, statement="Ik ken de leidinggevende uit een vorige baan.")
        who = AccountRef(first.account_tenant_id, first.account_id)
        await cases.declare(session, keyring, who, tenant, case.id, involved)
        deputy = await cases.assign_pooled_guardian(session, point, tenant, case.id)
        assert deputy.account_id != first.account_id and deputy.account_tenant_id == first.account_tenant_id
        # The pool has two guardians: with both used, there is nobody left to ask.
        other = AccountRef(deputy.account_tenant_id, deputy.account_id)
        await cases.declare(session, keyring, other, tenant, case.id, involved)
        with pytest.raises(SeatRefused) as refused:
            await cases.assign_pooled_guardian(session, point, tenant, case.id)
        assert refused.value.reason == "pool-empty"
        await session.rollback()


async def mediators_at(app_engine: AsyncEngine, slug: str) -> set[str]:
    async with create_sessionmaker(app_engine)() as session:
        tenant = await open_member(session, slug)
        holders = await identity.role_holders(session, tenant.id, "mediator")
        return set((await cases.account_names(session, tenant, holders)).values())


async def test_the_branchs_registered_mediators_serve_exactly_the_members_that_use_them(
    settings: Settings, app_engine: AsyncEngine, tmp_path: Path, repo_root: Path
) -> None:
    folder, slugs = branch_folder(tmp_path, repo_root)
    await apply_tenants_from_path(settings, folder)
    pooled = {"Hanneke Schouten (MfN-registermediator)", "Erik Bos (MfN-registermediator)"}
    assert await mediators_at(app_engine, slugs["de-linde"]) == pooled
    assert await mediators_at(app_engine, slugs["het-anker"]) == pooled
    assert await mediators_at(app_engine, slugs["zorggroep-oost"]) == {"Thijs Huisman (MfN-registermediator, extern)"}
    member = folder / "members" / f"{slugs['het-anker']}.yaml"
    member.write_text(member.read_text().replace("complaints_committee, mediators,", "complaints_committee,"))
    changes = [str(change) for change in await apply_tenants_from_path(settings, folder)]
    assert changes.count(f"end grant mediator (branch_service) in {slugs['het-anker']}") == 2
    assert await mediators_at(app_engine, slugs["het-anker"]) == set()
    assert await mediators_at(app_engine, slugs["de-linde"]) == pooled

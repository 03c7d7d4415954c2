"""The panel's context tags of a case (seed-000 H4 and H6 Stap 1; DESIGN §10): the structural risk factors, the
case's context factors, the power difference and the contract form, as closed codes (``intake.taxonomy``).
They feed the sector trends and nothing else; no free text goes with them. The declared decision maker tags;
whoever sees the case's process sees the tags (codes are process facts)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

import msgspec
from sqlalchemy import DateTime, ForeignKeyConstraint, String, UniqueConstraint, func, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from meldpunt.audit import services as audit
from meldpunt.cases import services
from meldpunt.cases.models import PanelRole
from meldpunt.db.base import Base, TenantScoped
from meldpunt.identity.models import AccountRef
from meldpunt.intake import services as intake
from meldpunt.intake.models import Case
from meldpunt.intake.taxonomy import ContextFactor, ContractForm, PowerDifference, StructuralRisk
from meldpunt.tenancy.models import Tenant


class CaseContext(TenantScoped, Base):
    __tablename__ = "case_context"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "case_id"], ["cases.tenant_id", "cases.id"]),
        UniqueConstraint("tenant_id", "case_id"),
    )

    case_id: Mapped[uuid.UUID]
    power_difference: Mapped[str | None] = mapped_column(String(16))
    contract_form: Mapped[str | None] = mapped_column(String(32))
    structural_risks: Mapped[list[str]] = mapped_column(ARRAY(String(48)), default=list)
    context_factors: Mapped[list[str]] = mapped_column(ARRAY(String(48)), default=list)
    recorded_by_tenant_id: Mapped[uuid.UUID]
    recorded_by_id: Mapped[uuid.UUID]
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ContextIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """The tags as a whole: each call replaces the earlier ones."""

    structural_risks: Annotated[tuple[StructuralRisk, ...], msgspec.Meta(max_length=6)] = ()
    context_factors: Annotated[tuple[ContextFactor, ...], msgspec.Meta(max_length=16)] = ()
    power_difference: PowerDifference | None = None
    contract_form: ContractForm | None = None


class ContextOut(msgspec.Struct, kw_only=True):
    structural_risks: list[str]
    context_factors: list[str]
    power_difference: str | None
    contract_form: str | None
    recorded_at: datetime | None


async def context_row(session: AsyncSession, case: Case) -> CaseContext | None:
    """The case's tags, if the panel set any (``trends`` reads them when it writes a fact)."""
    found = select(CaseContext).where(CaseContext.tenant_id == case.tenant_id, CaseContext.case_id == case.id)
    return (await session.execute(found)).scalar_one_or_none()


async def set_context(
    session: AsyncSession, who: AccountRef, tenant: Tenant, case_id: uuid.UUID, data: ContextIn
) -> CaseContext:
    """The declared decision maker tags the case (replacing earlier tags; each code once, in a fixed order)."""
    case = await services.panel_case(session, tenant, case_id)
    await services.declared_seat(session, case, who, (PanelRole.DECISION_MAKER,))
    row = await context_row(session, case) or CaseContext(tenant_id=tenant.id, id=uuid.uuid4(), case_id=case.id)
    row.structural_risks = sorted(set(data.structural_risks))
    row.context_factors = sorted(set(data.context_factors))
    row.power_difference, row.contract_form = data.power_difference, data.contract_form
    row.recorded_by_tenant_id, row.recorded_by_id = who.tenant_id, who.id
    row.recorded_at = datetime.now(UTC)
    session.add(row)
    await session.flush()
    await audit.record(session, tenant.id, services.actor_of(who), "case.context_tagged", "case", case.id)
    return row


async def context_of(
    session: AsyncSession, who: AccountRef, tenant: Tenant, case_id: uuid.UUID, reporting_point: bool
) -> CaseContext | None:
    """The tags, for whoever sees the case's process."""
    await services.may_see_process(session, tenant, case_id, who, reporting_point)
    return await context_row(session, await intake.find_case(session, tenant, case_id))


def context_out(row: CaseContext | None) -> ContextOut:
    if row is None:
        return ContextOut(
            structural_risks=[], context_factors=[], power_difference=None, contract_form=None, recorded_at=None
        )
    return ContextOut(
        structural_risks=list(row.structural_risks),
        context_factors=list(row.context_factors),
        power_difference=row.power_difference,
        contract_form=row.contract_form,
        recorded_at=row.recorded_at,
    )

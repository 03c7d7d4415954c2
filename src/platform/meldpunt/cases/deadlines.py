"""The deadline engine's sweep (DESIGN §7): reminders to the responsible role before a deadline, and a
passed deadline to the process guardian. Both are marked on the deadline, so a rerun sends nothing twice;
the messages name no case and no content."""

from __future__ import annotations

import math
import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from meldpunt.audit import services as audit
from meldpunt.audit.services import AuditActor
from meldpunt.cases.models import PanelMember, PanelRole
from meldpunt.db.context import tenant_context
from meldpunt.identity import services as identity
from meldpunt.identity.models import AccountRef
from meldpunt.intake.models import Deadline
from meldpunt.notifications import services as notifications
from meldpunt.tenancy.models import Tenant
from meldpunt.tenancy.terms import terms_of

SYSTEM = AuditActor.system("deadlines")


async def _responsible(session: AsyncSession, tenant: Tenant, deadline: Deadline, role: str) -> list[AccountRef]:
    """The account seated for the deadline when it names one; else the case's own seat in that role when
    it has one, else everyone holding the role here."""
    if (
        deadline.responsible_id is not None
        and deadline.responsible_tenant_id is not None
        and role == deadline.responsible_role
    ):
        return [AccountRef(deadline.responsible_tenant_id, deadline.responsible_id)]
    seats = (
        await session.execute(
            select(PanelMember.account_tenant_id, PanelMember.account_id).where(
                PanelMember.tenant_id == tenant.id,
                PanelMember.case_id == deadline.case_id,
                PanelMember.role == role,
                PanelMember.left_at.is_(None),
            )
        )
    ).all()
    if seats:
        return [AccountRef(s.account_tenant_id, s.account_id) for s in seats]
    return await identity.role_holders(session, tenant.id, role)


async def _tell(
    session: AsyncSession, tenant: Tenant, deadline: Deadline, role: str, message: tuple[str, dict[str, int], str]
) -> None:
    """Each account responsible in ``role``: the message (its kind and values) once per its key; it names no
    case and no content."""
    kind, values, once = message
    for account in await _responsible(session, tenant, deadline, role):
        await notifications.notify(session, tenant.id, account, kind, values, dedup_key=f"{once}:{account.id}")


async def sweep_tenant(session: AsyncSession, tenant_id: uuid.UUID, now: datetime) -> tuple[int, int]:
    """Remind and report breaches in one tenant; returns (reminders, breaches) queued now."""
    await tenant_context(session, [tenant_id])
    tenant = await session.get(Tenant, tenant_id)
    if tenant is None:
        return 0, 0
    terms = terms_of(tenant.procedure)
    reminders = breaches = 0
    open_deadlines = (
        await session.execute(
            select(Deadline).where(Deadline.tenant_id == tenant_id, Deadline.met_at.is_(None)).order_by(Deadline.due_at)
        )
    ).scalars()
    for deadline in open_deadlines:
        days_left = math.ceil((deadline.due_at - now).total_seconds() / 86400)
        if deadline.due_at <= now:
            if deadline.breach_reported_at is None:
                deadline.breach_reported_at = now
                breach = ("case.deadline_breach", {"count": 1}, f"breach:{deadline.id}")
                await _tell(session, tenant, deadline, PanelRole.PROCESS_GUARDIAN, breach)
                await audit.record(
                    session, tenant_id, SYSTEM, "deadline.breached", "case", deadline.case_id, kind=deadline.kind
                )
                breaches += 1
        elif days_left in terms.reminder_days and deadline.reminded_on != now.date():
            deadline.reminded_on = now.date()
            reminder = ("case.deadline_reminder", {"days": days_left}, f"remind:{deadline.id}:{days_left}")
            await _tell(session, tenant, deadline, deadline.responsible_role, reminder)
            reminders += 1
    await session.flush()
    return reminders, breaches

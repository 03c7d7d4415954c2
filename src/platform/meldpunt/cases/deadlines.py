"""The deadline engine's sweep (DESIGN §7): reminders to the deadline's responsible seat before it passes, and
a passed deadline to the case's seated process guardian. Never to "every holder of a role in the tenant": a
deadline nobody on the case answers for is audited (``deadline.unowned``) and shows on the guardian's
dashboard, and reminds no one. Both are marked on the deadline, so a rerun sends nothing twice; the messages
name no case and no content.

Who answers for a deadline, in this order: the account it names (``responsible``, a seat on the case); else
the case's active seat in its role (a decision maker's term reminds the case's decision maker, not the
tenant's); else, for the reporting point's own intake terms (acknowledge, route, panel), the reporting point
desk that received the report (the tenant's, or the branch's for a member without one: ``intake``'s
``reporting_point_accounts``). Any other role without a seat has nobody. A breach goes to the case's seated
process guardian, or to the guardian the deadline names (``guardian``: the complaint track's seat)."""

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
from meldpunt.identity.models import AccountRef
from meldpunt.intake.models import Deadline
from meldpunt.intake.services import reporting_point_accounts
from meldpunt.notifications import services as notifications
from meldpunt.tenancy.models import Tenant
from meldpunt.tenancy.terms import terms_of

SYSTEM = AuditActor.system("deadlines")
REPORTING_POINT = "reporting_point"


async def seated(session: AsyncSession, tenant: Tenant, case_id: uuid.UUID, role: str) -> list[AccountRef]:
    """The case's active seats in ``role``."""
    rows = await session.execute(
        select(PanelMember.account_tenant_id, PanelMember.account_id).where(
            PanelMember.tenant_id == tenant.id,
            PanelMember.case_id == case_id,
            PanelMember.role == role,
            PanelMember.left_at.is_(None),
        )
    )
    return [AccountRef(row.account_tenant_id, row.account_id) for row in rows]


async def responsible_for(session: AsyncSession, tenant: Tenant, deadline: Deadline) -> list[AccountRef]:
    """Who a reminder of this deadline goes to (the module's docstring); empty when nobody answers for it."""
    if deadline.responsible_id is not None and deadline.responsible_tenant_id is not None:
        return [AccountRef(deadline.responsible_tenant_id, deadline.responsible_id)]
    if deadline.responsible_role in set(PanelRole):
        return await seated(session, tenant, deadline.case_id, deadline.responsible_role)
    if deadline.responsible_role == REPORTING_POINT:
        return await reporting_point_accounts(session, tenant)
    return []


async def _tell(
    session: AsyncSession,
    tenant: Tenant,
    deadline: Deadline,
    accounts: list[AccountRef],
    message: tuple[str, dict[str, int], str],
) -> None:
    """Each of ``accounts``: the message (its kind and values) once per its key; it names no case and no
    content. Nobody to tell is audited instead, so the gap is seen and not broadcast."""
    kind, values, once = message
    if not accounts:
        await audit.record(
            session, tenant.id, SYSTEM, "deadline.unowned", "case", deadline.case_id, kind=deadline.kind, message=kind
        )
    for account in accounts:
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
                guardians = await seated(session, tenant, deadline.case_id, PanelRole.PROCESS_GUARDIAN)
                if not guardians and deadline.guardian_id is not None and deadline.guardian_tenant_id is not None:
                    guardians = [AccountRef(deadline.guardian_tenant_id, deadline.guardian_id)]
                await _tell(session, tenant, deadline, guardians, breach)
                await audit.record(
                    session, tenant_id, SYSTEM, "deadline.breached", "case", deadline.case_id, kind=deadline.kind
                )
                breaches += 1
        elif days_left in terms.reminder_days and deadline.reminded_on != now.date():
            deadline.reminded_on = now.date()
            reminder = ("case.deadline_reminder", {"days": days_left}, f"remind:{deadline.id}:{days_left}")
            await _tell(session, tenant, deadline, await responsible_for(session, tenant, deadline), reminder)
            reminders += 1
    await session.flush()
    return reminders, breaches

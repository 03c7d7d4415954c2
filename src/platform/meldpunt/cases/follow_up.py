"""What every kind of follow-up of phase 2 (``interventions``, ``investigations``: siblings on the floor above,
which may not import each other) needs of the case: the weighing's choice, who may never carry a follow-up
out, the names a non-traceable record must not hold, and the decision that is due once the last follow-up
has ended (seed-000 §2.4, §3.2; DESIGN §7)."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from meldpunt.cases.models import CaseExclusion, CaseRoleHeld, CaseStep, ExclusionReason, StepKind
from meldpunt.db.context import also_in
from meldpunt.dossiers.cipher import case_cipher
from meldpunt.dossiers.keys import Keyring
from meldpunt.identity import services as identity
from meldpunt.identity.models import AccountRef
from meldpunt.identity.roles import Role
from meldpunt.intake import services as intake
from meldpunt.intake.models import Case, CaseStatus, DeadlineKind
from meldpunt.parties.models import CaseParty
from meldpunt.tenancy.models import Tenant
from meldpunt.tenancy.terms import terms_of

# A follow-up starts once the panel decided (and while others run, or after the case concluded).
STARTS_FROM = frozenset({CaseStatus.DECIDED, CaseStatus.FOLLOWING_UP, CaseStatus.CONCLUDED})


@dataclass(frozen=True)
class At:
    """Where and by whom a service of phase 2 is asked: the session, the keyring, the signed-in account, the
    acting tenant and the case of the path."""

    session: AsyncSession
    keyring: Keyring
    who: AccountRef
    tenant: Tenant
    case_id: uuid.UUID

    def parts(self) -> tuple[AsyncSession, Keyring, AccountRef, Tenant, uuid.UUID]:
        return self.session, self.keyring, self.who, self.tenant, self.case_id


async def latest_weighing(session: AsyncSession, case: Case) -> CaseStep | None:
    """The case's most recent weighing step (its facts: goals, chosen, and the basis of the behaviour)."""
    found = await session.execute(
        select(CaseStep)
        .where(CaseStep.tenant_id == case.tenant_id, CaseStep.case_id == case.id, CaseStep.kind == StepKind.WEIGHING)
        .order_by(CaseStep.recorded_at.desc())
        .limit(1)
    )
    return found.scalar()


async def chosen_by_weighing(session: AsyncSession, case: Case, option: str) -> bool:
    """Whether the case's latest weighing chose this option of the ladder (``CaseStep.facts["chosen"]``)."""
    weighing = await latest_weighing(session, case)
    return weighing is not None and option in weighing.facts.get("chosen", [])


async def is_adviser(session: AsyncSession, tenant: Tenant, seated: AccountRef, held: set[Role]) -> bool:
    """Whether the person is a confidential adviser of this organisation: here, or its branch's. Never its
    mediator nor its investigator (seed-000 §1.7: the adviser stands beside the reporter)."""
    if Role.ADVISER in held:
        return True
    if tenant.branch_id is None:
        return False
    async with also_in(session, tenant.id, tenant.branch_id):
        return Role.ADVISER in await identity.active_roles(session, tenant.branch_id, *seated)


INVESTIGATOR = Role.INVESTIGATOR.value


async def roles_held(session: AsyncSession, case: Case, who: AccountRef) -> list[CaseRoleHeld]:
    """The roles ``who`` took in this case, at its panel, its follow-ups and its complaint (left or not)."""
    rows = await session.execute(
        select(CaseRoleHeld).where(
            CaseRoleHeld.tenant_id == case.tenant_id,
            CaseRoleHeld.case_id == case.id,
            CaseRoleHeld.account_tenant_id == who.tenant_id,
            CaseRoleHeld.account_id == who.id,
        )
    )
    return list(rows.scalars())


async def investigator_role_refusal(session: AsyncSession, case: Case, seated: AccountRef, role: str) -> str | None:
    """The investigator's independence across the case (seed-000 §1.4 "Internal investigators must not play a role
    in the later follow-up", H7 B–C "zelfs geen schijn van partijdigheid"), for every module that seats someone
    on it: the organisation's internal investigator takes no other role in the case afterwards (decision maker,
    expert, process guardian, line manager, HR, facilitator, mediator, a seat of the complaints committee, the
    complaint's competent authority or guardian); and whoever already took such a role is never its
    investigator. Another investigation of the same case is the investigator's role still. The refusal's reason
    (``internal-investigator``, ``holds-a-role``), or None."""
    held = await roles_held(session, case, seated)
    if role == INVESTIGATOR:
        return "holds-a-role" if any(h.role != INVESTIGATOR for h in held) else None
    return "internal-investigator" if any(h.role == INVESTIGATOR and h.internal for h in held) else None


def hold_role(session: AsyncSession, case: Case, seated: AccountRef, role: str, *, internal: bool = False) -> None:
    """Write down that ``seated`` took ``role`` in this case (in the same transaction as their seat)."""
    session.add(
        CaseRoleHeld(
            tenant_id=case.tenant_id,
            case_id=case.id,
            account_tenant_id=seated.tenant_id,
            account_id=seated.id,
            role=role,
            internal=internal and role == INVESTIGATOR,
        )
    )


async def names_in_case(session: AsyncSession, keyring: Keyring, tenant: Tenant, case: Case) -> list[str]:
    """The reporter's name (when known) and every party's: what a non-traceable record may never hold."""
    cipher = await case_cipher(session, keyring, tenant.id, case.id)
    parties = await session.execute(
        select(CaseParty).where(CaseParty.tenant_id == tenant.id, CaseParty.case_id == case.id)
    )
    names = [cipher.open(party.sealed_name, "party-name", party.id) or "" for party in parties.scalars()]
    reporter = await intake.reporter_identity(session, keyring, tenant, case)
    return [name for name in [*names, reporter.name if reporter else ""] if len(name.strip()) >= 2]


def traceable(texts: list[str], names: list[str]) -> bool:
    """Whether any text names someone of the case: by full name or by a part of it (three letters or more), as
    a word of its own ("Hoekstra", "Hoekstra's"), never inside another word: a carer called Jan is not named by
    "januari", nor one called Zorg by "zorgverleners" (the culture investigation of seed-000 H7)."""
    words = {part.casefold() for name in names for part in [name, *name.split()] if len(part) >= 3}
    said = " ".join(texts).casefold()
    return any(re.search(rf"(?<!\w){re.escape(word)}(?!\w)", said) for word in words)


async def decision_due(session: AsyncSession, tenant: Tenant, case: Case) -> None:
    """A follow-up has ended: when it was the last of a ``following_up`` case, the decision maker's decision is
    the open work now, a ``decision`` deadline by the tenant's term (part C's ``decide`` meets it)."""
    if case.status != CaseStatus.FOLLOWING_UP:
        return
    await session.flush()
    open_kinds = {deadline.kind for deadline in await intake.open_deadlines(session, case)}
    if open_kinds & {DeadlineKind.FOLLOW_UP, DeadlineKind.DECISION}:
        return
    due = datetime.now(UTC) + timedelta(days=terms_of(tenant.procedure).decision_days)
    intake.add_deadline(session, case, DeadlineKind.DECISION, due, "decision_maker")


async def exclusions(session: AsyncSession, case: Case) -> dict[AccountRef, ExclusionReason]:
    """Who is kept out of the case (the accused, the accused's line manager, a declared link), and why."""
    rows = await session.execute(
        select(CaseExclusion.account_tenant_id, CaseExclusion.account_id, CaseExclusion.reason).where(
            CaseExclusion.tenant_id == case.tenant_id, CaseExclusion.case_id == case.id
        )
    )
    return {AccountRef(row.account_tenant_id, row.account_id): row.reason for row in rows}


async def keep_out(session: AsyncSession, case: Case, who: AccountRef) -> None:
    """Someone seated for a follow-up declared a link: they are kept out of the case from now on."""
    if who not in await exclusions(session, case):
        session.add(
            CaseExclusion(
                tenant_id=case.tenant_id,
                case_id=case.id,
                account_tenant_id=who.tenant_id,
                account_id=who.id,
                reason=ExclusionReason.DECLARED_LINK,
            )
        )


async def own_current_seats(
    session: AsyncSession, who: AccountRef, tenant: Tenant, seat: Any, work: Any, work_id: Any
) -> list[tuple[Any, Any]]:
    """``who``'s seats here (``seat``, a seat table of a follow-up) with the follow-up each is for (``work``, by
    the seat's ``work_id`` column), within the seat's time and not left, of cases not destroyed; soonest due
    first. Their own, nothing of others'."""
    now = datetime.now(UTC)
    rows = await session.execute(
        select(seat, work)
        .join(work, (work.tenant_id == seat.tenant_id) & (work.id == work_id))
        .join(Case, (Case.tenant_id == work.tenant_id) & (Case.id == work.case_id))
        .where(
            seat.tenant_id == tenant.id,
            seat.account_tenant_id == who.tenant_id,
            seat.account_id == who.id,
            seat.left_at.is_(None),
            seat.valid_from <= now,
            seat.valid_to >= now,
            intake.not_destroyed(),
        )
        .order_by(work.due_at)
    )
    return [(row[0], row[1]) for row in rows.all()]

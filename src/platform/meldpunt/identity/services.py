"""Accounts, grants and what a signed-in account may see.

Every change of a grant is written to the audit log of the tenant it applies in. Grants are never
deleted: they end (``valid_to``), so the history of who could see what stays readable.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from meldpunt.audit import services as audit
from meldpunt.audit.services import AuditActor
from meldpunt.db.context import also_in, tenant_context
from meldpunt.identity.errors import (
    AccountNotKnown,
    AccountOutsideBranch,
    GrantManagedElsewhere,
    GrantNotFound,
    GrantPeriodInvalid,
    RoleAlreadyHeld,
    RoleIncompatible,
)
from meldpunt.identity.models import Account, AccountRef, Grant, GrantSource
from meldpunt.identity.policy import Actor, TenantAccess, may, require
from meldpunt.identity.roles import BRANCH_SERVICE_ROLES, Role, incompatible_with
from meldpunt.identity.schemas import GrantIn
from meldpunt.tenancy.models import Tenant


def now() -> datetime:
    return datetime.now(UTC)


async def tenant_tree(session: AsyncSession, tenant_id: uuid.UUID) -> list[Tenant]:
    """The tenant's branch and all of the branch's members (the tenants one deployment's grants can span)."""
    tenant = await session.get(Tenant, tenant_id)
    if tenant is None:
        return []
    branch_id = tenant.branch_id or tenant.id
    rows = await session.execute(select(Tenant).where(or_(Tenant.id == branch_id, Tenant.branch_id == branch_id)))
    return list(rows.scalars())


async def find_or_create_account(
    session: AsyncSession, home: Tenant, issuer: str, subject: str, claims: dict[str, Any]
) -> Account:
    """The account for (issuer, subject) in ``home``'s tree, created in ``home`` when there is none."""
    tree = [tenant.id for tenant in await tenant_tree(session, home.id)]
    async with also_in(session, *tree):
        rows = await session.execute(
            select(Account).where(Account.tenant_id.in_(tree), Account.issuer == issuer, Account.subject == subject)
        )
        accounts = rows.scalars().all()
        account = next((a for a in accounts if a.tenant_id == home.id), accounts[0] if accounts else None)
        if account is None:
            account = Account(
                tenant_id=home.id,
                id=uuid.uuid4(),
                issuer=issuer,
                subject=subject,
                display_name=str(claims.get("name") or subject)[:200],
                email=claims.get("email"),
            )
            session.add(account)
            await session.flush()
            who = AuditActor.account(account.id)
            await audit.record(session, home.id, who, "account.create", "account", account.id)
    return account


async def record_sign_in(session: AsyncSession, home: Tenant, issuer: str, claims: dict[str, Any]) -> Account:
    account = await find_or_create_account(session, home, issuer, str(claims["sub"]), claims)
    await tenant_context(session, [home.id, account.tenant_id])  # before the change: a flush needs its row
    account.last_sign_in_at = now()
    if claims.get("name"):
        account.display_name = str(claims["name"])[:200]
    await audit.record(session, home.id, AuditActor.account(account.id), "auth.sign_in", "account", account.id)
    return account


async def record_failed_sign_in(session: AsyncSession, tenant: Tenant, reason: str) -> None:
    await tenant_context(session, [tenant.id])
    await audit.record(
        session, tenant.id, AuditActor("anonymous"), "auth.sign_in_failed", "tenant", tenant.id, reason=reason
    )


async def record_sign_out(session: AsyncSession, account_tenant_id: uuid.UUID, account_id: uuid.UUID) -> None:
    await tenant_context(session, [account_tenant_id])
    await audit.record(
        session, account_tenant_id, AuditActor.account(account_id), "auth.sign_out", "account", account_id
    )


async def load_actor(session: AsyncSession, account_tenant_id: uuid.UUID, account_id: uuid.UUID) -> Actor | None:
    """The account with the tenants and roles its grants allow right now (none: an empty actor)."""
    tree = {tenant.id: tenant for tenant in await tenant_tree(session, account_tenant_id)}
    await tenant_context(session, list(tree))
    account = (
        await session.execute(select(Account).where(Account.tenant_id == account_tenant_id, Account.id == account_id))
    ).scalar()
    if account is None:
        return None
    moment = now()
    grants = (
        await session.execute(
            select(Grant).where(
                Grant.tenant_id.in_(list(tree)),
                Grant.account_tenant_id == account_tenant_id,
                Grant.account_id == account_id,
                Grant.valid_at(moment),
            )
        )
    ).scalars()
    roles: dict[uuid.UUID, set[Role]] = {}
    for grant in grants:
        roles.setdefault(grant.tenant_id, set()).add(Role(grant.role))
    access = {
        tree[tenant_id].slug: TenantAccess(
            tenant_id, tree[tenant_id].slug, tree[tenant_id].display_name, frozenset(held)
        )
        for tenant_id, held in roles.items()
        if tree[tenant_id].archived_at is None
    }
    return Actor(account.id, account.tenant_id, account.display_name, access, moment)


async def active_roles(
    session: AsyncSession, tenant_id: uuid.UUID, account_tenant_id: uuid.UUID, account_id: uuid.UUID
) -> set[Role]:
    """The roles this account holds in this tenant right now."""
    rows = await session.execute(
        select(Grant.role).where(
            Grant.tenant_id == tenant_id,
            Grant.account_tenant_id == account_tenant_id,
            Grant.account_id == account_id,
            Grant.valid_at(now()),
        )
    )
    return {Role(role) for role in rows.scalars()}


async def role_holders(
    session: AsyncSession, tenant_id: uuid.UUID, role: str, moment: datetime | None = None
) -> list[AccountRef]:
    """Every account holding ``role`` in this tenant at ``moment`` (now), once
    each even when several grants give it."""
    rows = await session.execute(
        select(Grant.account_tenant_id, Grant.account_id)
        .where(Grant.tenant_id == tenant_id, Grant.role == role, Grant.valid_at(moment or now()))
        .distinct()
    )
    return [AccountRef(row.account_tenant_id, row.account_id) for row in rows]


async def tenants_where(session: AsyncSession, actor: Actor, action: str) -> list[Tenant]:
    """The tenants in which ``actor`` may do ``action``, by slug (one query)."""
    ids = [access.tenant_id for slug, access in actor.access.items() if may(actor, action, slug)]
    if not ids:
        return []
    return list((await session.execute(select(Tenant).where(Tenant.id.in_(ids)).order_by(Tenant.slug))).scalars())


async def grant_role(
    session: AsyncSession,
    by: AuditActor,
    tenant: Tenant,
    account: Account,
    role: Role,
    source: str,
    valid_to: datetime | None = None,
) -> Grant:
    """Give ``account`` ``role`` in ``tenant``; refuses the role incompatibilities of seed-000 §1.7, a role
    the account holds here already from the same source, and an end that is not after now."""
    tree = {t.id for t in await tenant_tree(session, tenant.id)}
    if account.tenant_id not in tree:
        raise AccountOutsideBranch()
    if valid_to is not None and (valid_to.tzinfo is None or valid_to <= now()):
        raise GrantPeriodInvalid()
    async with also_in(session, *tree):
        held = await active_roles(session, tenant.id, account.tenant_id, account.id)
        clash = incompatible_with(role, held)
        if clash is not None:
            raise RoleIncompatible(role.value, clash.value)
        grant = await same_grant(session, tenant.id, account, role, source)
        if grant is not None and (grant.valid_to is None or grant.valid_to > now()):
            raise RoleAlreadyHeld(role.value)
        if grant is not None:  # one row per account, role and source: given again, the ended grant reopens
            grant.valid_to, action = valid_to, "grant.reopen"
        else:
            grant, action = await add_grant(session, tenant, account, role, source, valid_to), "grant.create"
        await record_grant_change(session, by, grant, action)
    return grant


async def record_grant_change(session: AsyncSession, by: AuditActor, grant: Grant, action: str) -> None:
    """The audit entry of a grant given, reopened or ended, in the tenant it applies in."""
    details: dict[str, Any] = {"role": grant.role, "source": grant.source, "account": str(grant.account_id)}
    await audit.record(session, grant.tenant_id, by, action, "grant", grant.id, **details)


async def add_grant(
    session: AsyncSession, tenant: Tenant, account: Account, role: Role, source: str, valid_to: datetime | None
) -> Grant:
    grant = Grant(
        tenant_id=tenant.id,
        id=uuid.uuid4(),
        account_tenant_id=account.tenant_id,
        account_id=account.id,
        role=role.value,
        source=source,
        valid_from=now(),
        valid_to=valid_to,
    )
    try:
        async with session.begin_nested():
            session.add(grant)
    except IntegrityError:  # the same grant given at the same moment by another request
        raise RoleAlreadyHeld(role.value) from None
    return grant


async def same_grant(
    session: AsyncSession, tenant_id: uuid.UUID, account: Account, role: Role, source: str
) -> Grant | None:
    """The account's grant of ``role`` from ``source`` in this tenant, held or ended, if any."""
    return (
        await session.execute(
            select(Grant).where(
                Grant.tenant_id == tenant_id,
                Grant.account_tenant_id == account.tenant_id,
                Grant.account_id == account.id,
                Grant.role == role.value,
                Grant.source == source,
            )
        )
    ).scalar()


async def end_grant(
    session: AsyncSession, by: AuditActor, tenant: Tenant, grant_id: uuid.UUID, *, by_admin: bool = False
) -> Grant:
    """End a grant now. A tenant_admin ends only grants given by an admin: the others follow the files."""
    async with also_in(session, tenant.id):
        found = await session.execute(select(Grant).where(Grant.tenant_id == tenant.id, Grant.id == grant_id))
        grant = found.scalar()
        if grant is None:
            raise GrantNotFound()
        if by_admin and grant.source != GrantSource.ADMIN:
            raise GrantManagedElsewhere()
        if grant.valid_to is None or grant.valid_to > now():
            grant.valid_to = max(now(), grant.valid_from)
            await record_grant_change(session, by, grant, "grant.end")
    return grant


@dataclass(frozen=True)
class DeclaredPerson:
    home: Tenant
    issuer: str
    subject: str
    name: str
    email: str | None
    roles: tuple[Role, ...]


class FileGrant(NamedTuple):
    """A grant as the tenant files give it: in this tenant, to this account, this role, from this source."""

    tenant_id: uuid.UUID
    account_id: uuid.UUID
    role: Role
    source: str


async def sync_declared_people(
    session: AsyncSession, tenants: Iterable[Tenant], people: Iterable[DeclaredPerson]
) -> list[str]:
    """Make the declared and branch-service grants of ``tenants`` exactly what the files say.

    Grants from the files are created when missing and ended when no longer declared; grants given by a
    tenant_admin are left alone. Returns a line per change, for ``tenants apply`` to print.
    """
    tenants = list(tenants)
    by_id = {tenant.id: tenant for tenant in tenants}
    await tenant_context(session, list(by_id))
    system = AuditActor.system("tenants-apply")
    accounts, declared = await declared_grants(session, tenants, people)
    present = await file_grants(session, list(by_id))
    changes = []
    for key, grant in present.items():
        if key not in declared:
            await end_grant(session, system, by_id[grant.tenant_id], grant.id)
            changes.append(f"end grant {grant.role} ({grant.source}) in {by_id[grant.tenant_id].slug}")
    for missing in sorted(declared - set(present), key=str):
        tenant, account = by_id[missing.tenant_id], accounts[missing.account_id]
        await give_file_grant(session, system, tenant, account, missing)
        changes.append(f"grant {missing.role.value} ({missing.source}) in {tenant.slug} to {account.subject}")
    return changes


async def declared_grants(
    session: AsyncSession, tenants: list[Tenant], people: Iterable[DeclaredPerson]
) -> tuple[dict[uuid.UUID, Account], set[FileGrant]]:
    """The accounts of the declared people (created when new, named as the files say) and the grants the
    files give them: each declared role at home, and in the members that use a branch service with it."""
    accounts: dict[uuid.UUID, Account] = {}
    declared: set[FileGrant] = set()
    for person in people:
        account = await find_or_create_account(
            session, person.home, person.issuer, person.subject, {"name": person.name, "email": person.email}
        )
        async with also_in(session, account.tenant_id):
            account.display_name, account.email = person.name, person.email
            await session.flush()
        accounts[account.id] = account
        for role in person.roles:
            declared.add(FileGrant(person.home.id, account.id, role, GrantSource.DECLARED))
            served = served_members(person, role, tenants)
            declared |= {FileGrant(m.id, account.id, role, GrantSource.BRANCH_SERVICE) for m in served}
    return accounts, declared


def served_members(person: DeclaredPerson, role: Role, tenants: list[Tenant]) -> list[Tenant]:
    """The live members of a branch person's branch that use a branch service bringing ``role`` (DESIGN §5)."""
    if person.home.kind != "branch":
        return []
    return [
        member
        for member in tenants
        if member.branch_id == person.home.id
        and member.archived_at is None
        and any(role in BRANCH_SERVICE_ROLES[service] for service in member.branch_services)
    ]


async def file_grants(session: AsyncSession, tenant_ids: list[uuid.UUID]) -> dict[FileGrant, Grant]:
    """The current grants the files gave in these tenants (declared and branch service, not the admins')."""
    rows = await session.execute(
        select(Grant).where(
            Grant.tenant_id.in_(tenant_ids),
            Grant.source.in_([GrantSource.DECLARED, GrantSource.BRANCH_SERVICE]),
            or_(Grant.valid_to.is_(None), Grant.valid_to > now()),
        )
    )
    return {FileGrant(g.tenant_id, g.account_id, Role(g.role), g.source): g for g in rows.scalars()}


async def give_file_grant(
    session: AsyncSession, by: AuditActor, tenant: Tenant, account: Account, wanted: FileGrant
) -> None:
    """A grant the files declare again reopens its ended row (one row per account, role and source), as it
    was; one they declare for the first time is given like any other (grant_role's rules)."""
    ended = await same_grant(session, tenant.id, account, wanted.role, wanted.source)
    if ended is None:
        await grant_role(session, by, tenant, account, wanted.role, wanted.source)
        return
    ended.valid_to = None
    await record_grant_change(session, by, ended, "grant.reopen")


@dataclass(frozen=True)
class GrantRow:
    grant: Grant
    account_name: str


async def grant_by_admin(session: AsyncSession, by: AuditActor, tenant: Tenant, wanted: GrantIn) -> GrantRow:
    """A tenant_admin gives an account of this organisation or its branch a role here (the API and the page)."""
    account = await find_account_for(session, tenant, wanted.account_id)
    grant = await grant_role(session, by, tenant, account, wanted.role, GrantSource.ADMIN, wanted.valid_to)
    return GrantRow(grant, account.display_name)


async def list_grants(session: AsyncSession, tenant: Tenant) -> list[GrantRow]:
    """Every grant in ``tenant``, current and ended, with the name of the account (from its home tenant)."""
    async with also_in(session, *(t.id for t in await tenant_tree(session, tenant.id))):
        rows = await session.execute(
            select(Grant, Account.display_name)
            .join(Account, (Account.tenant_id == Grant.account_tenant_id) & (Account.id == Grant.account_id))
            .where(Grant.tenant_id == tenant.id)
            .order_by(Grant.created_at)
        )
        return [GrantRow(grant, name) for grant, name in rows]


async def accounts_for(session: AsyncSession, tenant: Tenant) -> list[Account]:
    """The accounts a tenant_admin of ``tenant`` may give a role: its own and its branch's."""
    tree = await tenant_tree(session, tenant.id)
    owners = [t.id for t in tree if t.id in (tenant.id, tenant.branch_id)]
    async with also_in(session, *(t.id for t in tree)):
        rows = await session.execute(
            select(Account).where(Account.tenant_id.in_(owners)).order_by(Account.display_name)
        )
        return list(rows.scalars())


async def find_account_for(session: AsyncSession, tenant: Tenant, account_id: uuid.UUID) -> Account:
    account = next((a for a in await accounts_for(session, tenant) if a.id == account_id), None)
    if account is None:
        raise AccountNotKnown()
    return account


async def tenant_acting_in(session: AsyncSession, actor: Actor, action: str, slug: str) -> Tenant:
    """The tenant ``actor`` may do ``action`` in (Forbidden otherwise), with the session scoped to it."""
    access = require(actor, action, slug)
    tenant = (await session.execute(select(Tenant).where(Tenant.id == access.tenant_id))).scalar_one()
    await tenant_context(session, [tenant.id])
    return tenant


# The one kind of page a sign-in returns to: an invitation of the party portal (a staff party signs in, then
# spends the code with the choice to bind). Only this tenant's, only this shape: never another host or page.
RETURNABLE = re.compile(r"/p/(?P<slug>[a-z0-9][a-z0-9-]{0,62})/uitnodiging/[A-Za-z0-9_-]{20,100}(\?lang=(nl|en))?")


def return_path(tenant_slug: str, asked: str | None) -> str:
    """``asked`` when it is an invitation page of the party portal of ``tenant_slug``, else "" (the sign-in then
    ends on the organisation's start page)."""
    found = RETURNABLE.fullmatch(asked or "")
    return asked if found is not None and found["slug"] == tenant_slug and asked is not None else ""

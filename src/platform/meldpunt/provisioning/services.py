"""Applying tenants as code: idempotent, shows every change, never deletes a tenant.

A tenant that no file declares any more is left alone, or archived with ``archive_missing``; a file
that declares an archived tenant again restores it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from meldpunt.audit import services as audit
from meldpunt.audit.services import AuditActor
from meldpunt.db.context import tenant_context
from meldpunt.db.engine import create_engine, create_sessionmaker
from meldpunt.dossiers.signing import install_signer
from meldpunt.identity import services as identity
from meldpunt.identity.oidc import DEMO_ISSUER
from meldpunt.identity.roles import Role
from meldpunt.provisioning.files import (
    BranchFile,
    BranchTree,
    MemberFile,
    TenantFile,
    TenantFileError,
    load_branch_tree,
)
from meldpunt.retention import services as retention
from meldpunt.settings import Settings
from meldpunt.tenancy.models import Tenant, TenantKind
from meldpunt.trends.synthetic import kept_workforce

COMPARED_FIELDS = (
    "kind",
    "branch_id",
    "display_name",
    "locale",
    "fte",
    "sector_code",
    "branch_services",
    "branding",
    "identity_provider",
    "procedure",
    "advisers",
    "policy_documents",
)


@dataclass(frozen=True)
class TenantChange:
    action: str  # create, update, archive, restore
    kind: str
    slug: str
    fields: tuple[str, ...] = ()
    tenant_id: uuid.UUID | None = field(default=None, compare=False)

    def __str__(self) -> str:
        detail = f" ({', '.join(self.fields)})" if self.fields else ""
        return f"{self.action} {self.kind} {self.slug}{detail}"


def _as_json(value: object) -> Any:
    """The value as it reads back from a JSONB column (tuples become lists)."""
    return msgspec.json.decode(msgspec.json.encode(value))


def _published_advisers(declared: TenantFile) -> list[dict[str, Any]]:
    """The public directory: advisers with a profile, by display name (never their subject).

    A branch's adviser serves members that do not employ them, so they are always external.
    """
    directory = []
    for person in declared.people:
        if person.profile is None or "adviser" not in person.roles:
            continue
        profile = _as_json(person.profile)
        external = isinstance(declared, BranchFile) or bool(person.profile.external)
        directory.append({"name": person.name, **profile, "external": external})
    return directory


def _desired(declared: TenantFile, kind: TenantKind, branch_id: uuid.UUID | None) -> dict[str, Any]:
    services = sorted(declared.uses_branch_services) if isinstance(declared, MemberFile) else []
    return {
        "kind": kind.value,
        "branch_id": branch_id,
        "display_name": declared.display_name,
        "locale": declared.locale,
        "fte": declared.fte,
        "sector_code": declared.sector_code,
        "branch_services": services,
        "branding": _as_json(declared.branding),
        "identity_provider": _as_json(declared.identity_provider),
        "procedure": _as_json(declared.procedure),
        "advisers": _published_advisers(declared),
        "policy_documents": _as_json(declared.policy_documents),
    }


async def _upsert(
    session: AsyncSession,
    existing: dict[str, Tenant],
    declared: TenantFile,
    source: Path,
    kind: TenantKind,
    branch_id: uuid.UUID | None,
) -> tuple[Tenant, TenantChange | None]:
    desired = _desired(declared, kind, branch_id)
    tenant = existing.get(declared.slug)
    if tenant is None:
        tenant = Tenant(id=uuid.uuid4(), slug=declared.slug, **desired)
        session.add(tenant)
        return tenant, TenantChange("create", kind.value, declared.slug, tenant_id=tenant.id)
    desired["procedure"] = kept_workforce(tenant.procedure, desired["procedure"])  # the demo's invented members
    changed = tuple(name for name in COMPARED_FIELDS if getattr(tenant, name) != desired[name])
    if tenant.kind != kind.value or (kind is TenantKind.MEMBER and tenant.branch_id != branch_id):
        owner = "another branch" if tenant.kind == "member" else f"an existing {tenant.kind}"
        raise TenantFileError(source, f"field 'slug': '{declared.slug}' already belongs to {owner}")
    action = None
    if tenant.archived_at is not None:
        tenant.archived_at = None
        action = "restore"
    for name in changed:
        setattr(tenant, name, desired[name])
    if changed and action is None:
        action = "update"
    return tenant, TenantChange(action, kind.value, declared.slug, changed, tenant.id) if action else None


async def apply_branch_tree(
    session: AsyncSession, tree: BranchTree, *, archive_missing: bool = False
) -> list[TenantChange | PeopleChange]:
    """Bring the tenants table in line with ``tree`` inside the caller's transaction."""
    slugs = [tree.branch.slug, *(member.slug for member in tree.members)]
    rows = (await session.execute(select(Tenant).where(Tenant.slug.in_(slugs)).with_for_update())).scalars()
    existing = {tenant.slug: tenant for tenant in rows}
    changes: list[TenantChange] = []
    branch, change = await _upsert(
        session, existing, tree.branch, tree.sources[tree.branch.slug], TenantKind.BRANCH, None
    )
    changes += [change] if change else []
    await session.flush()
    for member in tree.members:
        _, change = await _upsert(session, existing, member, tree.sources[member.slug], TenantKind.MEMBER, branch.id)
        changes += [change] if change else []
    if archive_missing:
        declared = set(slugs)
        orphans = (
            await session.execute(
                select(Tenant).where(
                    Tenant.branch_id == branch.id, Tenant.archived_at.is_(None), Tenant.slug.not_in(declared)
                )
            )
        ).scalars()
        for orphan in orphans:
            orphan.archived_at = datetime.now(UTC)
            changes.append(TenantChange("archive", orphan.kind, orphan.slug, tenant_id=orphan.id))
    await session.flush()
    await _audit_changes(session, changes)
    people = await _declared_people(session, tree)
    # Only what the files declare: a tenant no longer in the files is left alone (archived only on request).
    tree_tenants = [
        tenant
        for tenant in (
            await session.execute(select(Tenant).where(or_(Tenant.id == branch.id, Tenant.branch_id == branch.id)))
        ).scalars()
        if tenant.slug in tree.sources
    ]
    people_changes = await identity.sync_declared_people(session, tree_tenants, people)
    retention_changes = []
    by_slug = {tenant.slug: tenant for tenant in tree_tenants}
    for tenant_file in (tree.branch, *tree.members):
        rules = _effective_retention(tenant_file, tree.branch)
        for line in await retention.sync_policies(session, by_slug[tenant_file.slug].id, rules):
            retention_changes.append(f"{line} in {tenant_file.slug}")
    return changes + [PeopleChange(line) for line in people_changes + retention_changes]


def _effective_retention(declared: TenantFile, branch: TenantFile) -> list[retention.EffectiveRule]:
    """The member's own rules where it has them, else the branch's defaults."""
    classes = set(branch.retention) | set(declared.retention)
    rules = []
    for record_class in sorted(classes):
        own = declared.retention.get(record_class)
        rule = own or branch.retention[record_class]
        rules.append(
            retention.EffectiveRule(
                record_class, rule.after.value, rule.days, inherited=own is None and declared is not branch
            )
        )
    return rules


@dataclass(frozen=True)
class PeopleChange:
    line: str

    def __str__(self) -> str:
        return self.line


def _issuer(declared: TenantFile, branch: TenantFile) -> str | None:
    """The issuer this tenant's people sign in with: its own provider, else the branch's."""
    for provider in (declared.identity_provider, branch.identity_provider):
        if provider.demo:
            return DEMO_ISSUER
        if provider.issuer:
            return provider.issuer
    return None


async def _declared_people(session: AsyncSession, tree: BranchTree) -> list[identity.DeclaredPerson]:
    people = []
    for declared in (tree.branch, *tree.members):
        issuer = _issuer(declared, tree.branch)
        if declared.people and issuer is None:
            raise TenantFileError(
                tree.sources[declared.slug],
                "field 'people': people sign in through an "
                "identity_provider, here or in the branch, and neither has one",
            )
        home = (await session.execute(select(Tenant).where(Tenant.slug == declared.slug))).scalar_one()
        for person in declared.people:
            assert issuer is not None
            people.append(
                identity.DeclaredPerson(
                    home, issuer, person.subject, person.name, person.email, tuple(Role(role) for role in person.roles)
                )
            )
    return people


async def _audit_changes(session: AsyncSession, changes: list[TenantChange]) -> None:
    """Each tenant's own audit chain records what ``tenants apply`` changed in it (field names only)."""
    tenant_ids = [change.tenant_id for change in changes if change.tenant_id is not None]
    await tenant_context(session, tenant_ids)
    for change in changes:
        assert change.tenant_id is not None
        await audit.record(
            session,
            change.tenant_id,
            AuditActor.system("tenants-apply"),
            f"tenant.{change.action}",
            "tenant",
            change.tenant_id,
            fields=",".join(change.fields),
        )


async def apply_tenants_from_path(
    settings: Settings, folder: Path, *, dry_run: bool = False, archive_missing: bool = False
) -> list[TenantChange | PeopleChange]:
    """Validate the branch folder, then apply it in one transaction (rolled back on a dry run)."""
    tree = load_branch_tree(folder)
    install_signer(settings)  # its changes are audited; the demo calls this before any other entry point
    engine = create_engine(settings, pooled=False)
    try:
        async with create_sessionmaker(engine)() as session:
            changes = await apply_branch_tree(session, tree, archive_missing=archive_missing)
            await (session.rollback() if dry_run else session.commit())
            return changes
    finally:
        await engine.dispose()

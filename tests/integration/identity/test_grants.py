"""Grants: managed by a tenant admin, audited, bounded by the role incompatibilities; shared professionals
hold grants exactly in the members that use the branch service; no route opens another tenant."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from meldpunt.identity.roles import Role
from meldpunt.provisioning.services import apply_tenants_from_path
from meldpunt.settings import Settings
from tests.conftest import TenantRef
from tests.integration.identity.conftest import Providers, grant, sign_in, unique_subject


async def audit_tail(app_engine: AsyncEngine, tenant: TenantRef) -> tuple[str, dict[str, object]]:
    async with app_engine.begin() as connection:
        await connection.execute(text(f"SET LOCAL meldpunt.tenant_ids = '{{{tenant.id}}}'"))
        row = (
            await connection.execute(text("SELECT action, details FROM audit_entries ORDER BY seq DESC LIMIT 1"))
        ).one()
        return row.action, row.details


async def test_a_tenant_admin_grants_and_ends_roles_and_every_change_is_audited(
    client, org_a: TenantRef, providers: Providers, app_engine: AsyncEngine
) -> None:
    admin, colleague = unique_subject(), unique_subject()
    await grant(app_engine, org_a, providers.a.issuer, admin, Role.TENANT_ADMIN)
    colleague_id = await grant(app_engine, org_a, providers.a.issuer, colleague)
    await grant(app_engine, org_a, providers.a.issuer, unique_subject(), Role.HR, source="declared")
    await sign_in(client, org_a.slug, admin)
    created = await client.post(
        f"/api/v1/t/{org_a.slug}/grants", json={"account_id": str(colleague_id), "role": "adviser"}
    )
    assert created.status_code == 201, created.text
    assert created.json()["role"] == "adviser" and created.json()["source"] == "admin"
    assert await audit_tail(app_engine, org_a) == (
        "grant.create",
        {"role": "adviser", "source": "admin", "account": str(colleague_id)},
    )
    # The adviser of an organisation is never its process guardian (seed-000 §1.7).
    refused = await client.post(
        f"/api/v1/t/{org_a.slug}/grants", json={"account_id": str(colleague_id), "role": "process_guardian"}
    )
    assert refused.status_code == 409 and refused.json()["type"].endswith("/role-incompatible")
    ended = await client.delete(f"/api/v1/t/{org_a.slug}/grants/{created.json()['id']}")
    assert ended.status_code == 204
    assert (await audit_tail(app_engine, org_a))[0] == "grant.end"
    listed = (await client.get(f"/api/v1/t/{org_a.slug}/grants")).json()
    adviser = next(g for g in listed if g["role"] == "adviser")
    assert adviser["valid_to"] is not None
    # Grants from the tenant files or a branch service are managed there, not by the admin.
    declared = next(g for g in listed if g["source"] != "admin")
    managed = await client.delete(f"/api/v1/t/{org_a.slug}/grants/{declared['id']}")
    assert managed.status_code == 409 and managed.json()["type"].endswith("/grant-managed-elsewhere")
    # Once ended, the process guardian role is possible.
    assert (
        await client.post(
            f"/api/v1/t/{org_a.slug}/grants", json={"account_id": str(colleague_id), "role": "process_guardian"}
        )
    ).status_code == 201


async def test_bad_grant_input_is_a_clear_problem(
    client, org_a: TenantRef, providers: Providers, app_engine: AsyncEngine
) -> None:
    admin = unique_subject()
    await grant(app_engine, org_a, providers.a.issuer, admin, Role.TENANT_ADMIN)
    await sign_in(client, org_a.slug, admin)
    for body in (
        {"account_id": "not-a-uuid", "role": "adviser"},
        {"role": "adviser"},
        {"account_id": "00000000-0000-0000-0000-000000000001", "role": "king"},
    ):
        response = await client.post(f"/api/v1/t/{org_a.slug}/grants", json=body)
        assert response.status_code == 400 and response.headers["content-type"] == "application/problem+json"
    unknown = await client.post(
        f"/api/v1/t/{org_a.slug}/grants", json={"account_id": "00000000-0000-0000-0000-000000000001", "role": "adviser"}
    )
    assert unknown.status_code == 404


async def test_no_route_of_tenant_b_opens_for_a_session_of_tenant_a(
    client, org_a: TenantRef, org_b: TenantRef, providers: Providers, app_engine: AsyncEngine
) -> None:
    subject = unique_subject()
    await grant(app_engine, org_a, providers.a.issuer, subject, Role.TENANT_ADMIN, Role.DPO)
    b_person = await grant(app_engine, org_b, providers.b.issuer, unique_subject(), Role.DPO)
    async with app_engine.begin() as connection:
        await connection.execute(text(f"SET LOCAL meldpunt.tenant_ids = '{{{org_b.id}}}'"))
        b_grant = (await connection.execute(text("SELECT id FROM grants LIMIT 1"))).scalar_one()
    await sign_in(client, org_a.slug, subject)
    calls = [
        ("GET", f"/api/v1/t/{org_b.slug}/grants", None),
        ("POST", f"/api/v1/t/{org_b.slug}/grants", {"account_id": str(b_person), "role": "dpo"}),
        ("DELETE", f"/api/v1/t/{org_b.slug}/grants/{b_grant}", None),
        ("GET", f"/api/v1/t/{org_b.slug}/audit", None),
        # A's own slug with B's grant id: not found, and nothing about it is shown.
        ("DELETE", f"/api/v1/t/{org_a.slug}/grants/{b_grant}", None),
    ]
    for method, path, body in calls:
        response = await client.request(method, path, json=body)
        assert response.status_code in (403, 404), (method, path, response.status_code)
        assert org_b.slug not in response.text.replace(path, "") and str(b_person) not in response.text
    # An unknown tenant answers exactly like a known one that is not yours.
    unknown = await client.get("/api/v1/t/bestaat-niet/audit")
    assert unknown.status_code == 403
    assert unknown.json() == (await client.get(f"/api/v1/t/{org_b.slug}/audit")).json()
    # And B's grant is untouched.
    async with app_engine.begin() as connection:
        await connection.execute(text(f"SET LOCAL meldpunt.tenant_ids = '{{{org_b.id}}}'"))
        assert (
            await connection.execute(text("SELECT valid_to FROM grants WHERE id = :g"), {"g": b_grant})
        ).scalar_one() is None


def branch_with_people(tmp_path: Path, repo_root: Path, issuer: str, suffix: str) -> Path:
    folder = tmp_path / "branch"
    shutil.copytree(repo_root / "tenants" / "demo", folder)
    for path in [folder / "branch.yaml", *(folder / "members").glob("*.yaml")]:
        text_ = path.read_text()
        stem = "zorg-welzijn" if path.name == "branch.yaml" else path.stem
        text_ = text_.replace(f"slug: {stem}", f"slug: {stem}-{suffix}")
        if path.name == "branch.yaml":
            text_ = text_.split("\nidentity_provider:")[0]
            text_ += (
                f"\nidentity_provider:\n  issuer: {issuer}\n  client_id: meldpunt-a\n"
                "  client_secret_env: TEST_IDP_SECRET_A\n"
                "people:\n  - subject: vp-gedeeld\n    name: Gedeelde vertrouwenspersoon\n    roles: [adviser]\n"
                "  - subject: pb-pool\n    name: Procesbewaker uit de pool\n    roles: [process_guardian]\n"
            )
            path.write_text(text_)
        else:
            path.write_text(text_.split("\npeople:")[0] + "\n")
            path.rename(path.with_name(f"{stem}-{suffix}.yaml"))
    return folder


async def grants_of(app_engine: AsyncEngine, subject: str) -> set[tuple[str, str]]:
    async with app_engine.begin() as connection:
        ids = [row.id for row in await connection.execute(text("SELECT id FROM tenants"))]
        await connection.execute(text("SET LOCAL meldpunt.tenant_ids = '{" + ",".join(map(str, ids)) + "}'"))
        rows = await connection.execute(
            text(
                "SELECT t.slug, g.role FROM grants g JOIN accounts a ON a.tenant_id = g.account_tenant_id "
                "AND a.id = g.account_id JOIN tenants t ON t.id = g.tenant_id WHERE a.subject = :s "
                "AND (g.valid_to IS NULL OR g.valid_to > now())"
            ),
            {"s": subject},
        )
        return {(row.slug, row.role) for row in rows}


async def test_shared_professionals_hold_grants_exactly_where_the_branch_service_is_used(
    settings: Settings, app_engine: AsyncEngine, tmp_path: Path, repo_root: Path, providers: Providers
) -> None:
    import secrets

    suffix = secrets.token_hex(3)
    folder = branch_with_people(tmp_path, repo_root, providers.a.issuer, suffix)
    await apply_tenants_from_path(settings, folder)
    branch, linde, anker, oost = (f"{s}-{suffix}" for s in ("zorg-welzijn", "de-linde", "het-anker", "zorggroep-oost"))
    # De Linde and Het Anker use every branch service, Zorggroep Oost none.
    assert await grants_of(app_engine, "vp-gedeeld") == {(branch, "adviser"), (linde, "adviser"), (anker, "adviser")}
    assert await grants_of(app_engine, "pb-pool") == {
        (branch, "process_guardian"),
        (linde, "process_guardian"),
        (anker, "process_guardian"),
    }
    # Zorggroep Oost starts to use the branch's advisers; De Linde stops using them.
    for name, services in (
        (f"zorggroep-oost-{suffix}", "[advisers]"),
        (f"de-linde-{suffix}", "[complaints_committee, process_guardians]"),
    ):
        member = folder / "members" / f"{name}.yaml"
        lines = [
            line if not line.startswith("uses_branch_services:") else f"uses_branch_services: {services}"
            for line in member.read_text().splitlines()
        ]
        member.write_text("\n".join(lines) + "\n")
    changes = [str(c) for c in await apply_tenants_from_path(settings, folder)]
    assert f"end grant adviser (branch_service) in {linde}" in changes
    assert await grants_of(app_engine, "vp-gedeeld") == {(branch, "adviser"), (anker, "adviser"), (oost, "adviser")}
    assert (linde, "process_guardian") in await grants_of(app_engine, "pb-pool")
    # Applying again changes nothing.
    assert await apply_tenants_from_path(settings, folder) == []


@pytest.mark.parametrize("roles", ["[adviser, reporting_point]", "[process_guardian, adviser]"])
def test_a_file_combining_incompatible_roles_is_refused(tmp_path: Path, roles: str) -> None:
    from meldpunt.provisioning.files import TenantFileError, load_branch_tree

    (tmp_path / "members").mkdir()
    (tmp_path / "branch.yaml").write_text(
        "slug: branche\ndisplay_name: Branche\nsector_code: '88'\n"
        f"people:\n  - subject: x\n    name: X\n    roles: {roles}\n"
    )
    with pytest.raises(TenantFileError, match=r"field 'people\[0\]\.roles'.*seed-000 §1.7"):
        load_branch_tree(tmp_path)

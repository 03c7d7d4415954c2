"""Hostile input gets a clear 4xx, never a 500: NUL bytes in slugs, paths, queries and bodies, lone
surrogates, JSON that is nested too deep or is not UTF-8, numbers out of range, a role granted twice.
The API answers problem+json, a browser gets a Dutch page, and the request log names the real status.

Every test here uses the watched ``client``: any 5xx fails it, whatever it asserts itself.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
import structlog
from litestar import post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.testing import AsyncTestClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from meldpunt.app import create_app
from meldpunt.db.context import tenant_context
from meldpunt.identity.models import Account
from meldpunt.identity.roles import Role
from meldpunt.settings import Settings
from meldpunt.tenancy.services import find_public_tenant
from tests.conftest import MakeTenant, TenantRef
from tests.integration.intake.test_pages import VALID
from tests.integration.intake.test_reporting_point import as_professional, reporting_point
from tests.integration.intake.test_submissions import REPORT

PROBLEM = "application/problem+json"
HTML = {"accept": "text/html"}
JSON_BODY = {"content-type": "application/json"}


async def count_rows(engine: AsyncEngine, tenant: TenantRef, table: str) -> int:
    async with engine.begin() as connection:
        await connection.execute(text(f"SET LOCAL meldpunt.tenant_ids = '{{{tenant.id}}}'"))
        return int((await connection.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one())


def assert_problem(response: Any, status: int, slug: str, *words: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["type"].endswith(f"/{slug}") and body["status"] == status
    assert all(word in body["detail"] for word in words), body["detail"]


@pytest.mark.parametrize(
    "path",
    ["/m/de%00linde/", "/api/v1/public/de%00linde", "/api/v1/public/de%00linde/inbox", "/auth/login?tenant=de%00linde"],
)
async def test_a_nul_in_a_tenant_slug_is_a_400_that_names_it(client, path: str) -> None:
    method = client.post if path.endswith("/inbox") else client.get
    kwargs = {"json": {"receipt": "1234 5678 1234 5678"}} if path.endswith("/inbox") else {}
    assert_problem(await method(path, **kwargs), 400, "refused-input", "NUL")
    if not path.startswith("/api/"):
        page = await client.get(path, headers=HTML)
        assert page.status_code == 400 and page.headers["content-type"].startswith("text/html")
        assert "Ongeldige invoer" in page.text and "NUL-teken" in page.text


async def test_a_slug_that_cannot_be_one_is_not_found_without_asking_the_database(client) -> None:
    for slug in ("DE-LINDE", "a" * 64, "de%20linde", "%C3%A9"):
        response = await client.get(f"/api/v1/public/{slug}")
        assert_problem(response, 404, "tenant-not-found")
        assert len(response.json()["detail"]) < 120


async def test_deeply_nested_json_is_a_400_and_nothing_is_registered(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine
) -> None:
    tenant = await make_tenant()
    for depth in (33, 100_000):
        body = b"[" * depth + b"]" * depth
        response = await client.post(f"/api/v1/public/{tenant.slug}/submissions", content=body, headers=JSON_BODY)
        assert_problem(response, 400, "refused-input", "te diep genest")
    nested: dict[str, Any] = {}
    for _ in range(40):
        nested = {"a": nested}
    response = await client.post(f"/api/v1/public/{tenant.slug}/submissions", json={**REPORT, "attributes": nested})
    assert_problem(response, 400, "refused-input", "te diep genest")
    assert await count_rows(app_engine, tenant, "cases") == 0


async def test_json_that_is_not_utf8_is_a_400(client, make_tenant: MakeTenant) -> None:
    tenant = await make_tenant()
    for body in (b'{"narrative": "\xff\xfe"}', b'{"kind": "report", "narrative": "caf\xe9"}'):
        response = await client.post(f"/api/v1/public/{tenant.slug}/submissions", content=body, headers=JSON_BODY)
        assert_problem(response, 400, "refused-input", "UTF-8")


@pytest.mark.parametrize(
    "changes",
    [
        {"narrative": "Mijn leidinggevende\x00 raakte mij aan."},
        {"attributes": {"physical\x00": True}},
        {"accused_role": "manager\x00"},
        {"wishes": ["advice", "listening_ear\x00"]},
    ],
)
async def test_a_nul_in_any_text_of_a_json_body_is_a_400_and_nothing_is_registered(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, changes: dict[str, Any]
) -> None:
    tenant = await make_tenant()
    response = await client.post(f"/api/v1/public/{tenant.slug}/submissions", json={**REPORT, **changes})
    assert_problem(response, 400, "refused-input", "NUL")
    assert await count_rows(app_engine, tenant, "cases") == 0


async def test_a_lone_surrogate_in_a_json_text_is_a_400(client, make_tenant: MakeTenant) -> None:
    tenant = await make_tenant()
    body = b'{"receipt": "1234 5678 1234 567\\ud800"}'
    response = await client.post(f"/api/v1/public/{tenant.slug}/inbox", content=body, headers=JSON_BODY)
    assert_problem(response, 400, "refused-input", "JSON kan niet worden gelezen")


async def test_a_nul_in_a_form_or_a_query_is_a_dutch_page_for_the_browser(client, make_tenant: MakeTenant) -> None:
    tenant = await make_tenant()
    for response in (
        await client.post(f"/m/{tenant.slug}/inbox", data={"receipt": "1234\x00 5678"}, headers=HTML),
        await client.get(f"/m/{tenant.slug}/melden?soort=klacht%00", headers=HTML),
    ):
        assert response.status_code == 400 and response.headers["content-type"].startswith("text/html")
        assert "NUL-teken" in response.text


async def test_a_nul_in_a_field_of_a_form_with_files_is_refused_and_nothing_is_registered(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine
) -> None:
    tenant = await make_tenant()
    response = await client.post(
        f"/m/{tenant.slug}/melden",
        data={**VALID, "narrative": "Hij\x00 raakte mij aan."},
        files=[("attachments", ("a.txt", b"%PDF-1.4", "application/pdf"))],
        headers=HTML,
    )
    assert response.status_code == 400 and response.headers["content-type"].startswith("text/html")
    assert await count_rows(app_engine, tenant, "cases") == 0


@pytest.mark.parametrize("year", ["0", "-1", "1999", "10000", "99999999999999999999999", "twee"])
async def test_a_year_out_of_range_on_the_vault_counts_is_a_400(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings, year: str
) -> None:
    tenant = await make_tenant()
    await as_professional(client, await reporting_point(app_engine, settings, tenant, tenant, role=Role.ADVISER))
    response = await client.get(f"/api/v1/t/{tenant.slug}/vault/counts", params={"year": year})
    assert response.status_code == 400 and response.headers["content-type"] == PROBLEM
    assert "year" in str(response.json()["extra"])
    counted = await client.get(f"/api/v1/t/{tenant.slug}/vault/counts", params={"year": "2024"})
    assert counted.status_code == 200 and counted.json()["year"] == 2024


async def test_a_huge_audit_cursor_is_a_400_on_the_api_and_a_dutch_page(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    tenant = await make_tenant()
    await as_professional(client, await reporting_point(app_engine, settings, tenant, tenant, role=Role.DPO))
    huge = {"before": str(2**63)}
    response = await client.get(f"/api/v1/t/{tenant.slug}/audit", params=huge)
    assert response.status_code == 400 and response.headers["content-type"] == PROBLEM
    page = await client.get(f"/app/t/{tenant.slug}/audit", params=huge, headers=HTML)
    assert page.status_code == 400 and "Ongeldig verzoek" in page.text
    largest = await client.get(f"/api/v1/t/{tenant.slug}/audit", params={"before": str(2**63 - 1)})
    assert largest.status_code == 200


async def admin_of(client: Any, app_engine: AsyncEngine, settings: Settings, tenant: TenantRef) -> str:
    await as_professional(client, await reporting_point(app_engine, settings, tenant, tenant, role=Role.TENANT_ADMIN))
    return str((await client.get("/api/v1/me")).json()["account_id"])


async def grants_of(client: Any, tenant: TenantRef, account: str, role: str) -> list[dict[str, Any]]:
    listed = (await client.get(f"/api/v1/t/{tenant.slug}/grants")).json()
    return [g for g in listed if g["account_id"] == account and g["role"] == role]


async def test_granting_a_role_the_account_holds_is_a_409_naming_it_by_api_and_form(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    tenant = await make_tenant()
    me = await admin_of(client, app_engine, settings, tenant)
    path = f"/api/v1/t/{tenant.slug}/grants"
    assert (await client.post(path, json={"account_id": me, "role": "dpo"})).status_code == 201
    again = await client.post(path, json={"account_id": me, "role": "dpo"})
    assert_problem(again, 409, "role-already-held", "dpo")
    assert_problem(await client.post(path, json={"account_id": me, "role": "tenant_admin"}), 409, "role-already-held")
    form = await client.post(f"/app/t/{tenant.slug}/grants", data={"account_id": me, "role": "dpo"}, headers=HTML)
    assert form.status_code == 409 and "heeft de rol dpo in deze organisatie al" in form.text
    assert len(await grants_of(client, tenant, me, "dpo")) == 1


async def test_a_role_given_again_after_it_ended_reopens_its_grant(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    tenant = await make_tenant()
    me = await admin_of(client, app_engine, settings, tenant)
    path = f"/api/v1/t/{tenant.slug}/grants"
    first = (await client.post(path, json={"account_id": me, "role": "dpo"})).json()
    assert (await client.delete(f"{path}/{first['id']}")).status_code == 204
    again = await client.post(path, json={"account_id": me, "role": "dpo"})
    assert again.status_code == 201, again.text
    assert again.json()["id"] == first["id"] and again.json()["valid_to"] is None
    assert [g["valid_to"] for g in await grants_of(client, tenant, me, "dpo")] == [None]
    async with app_engine.begin() as connection:
        await connection.execute(text(f"SET LOCAL meldpunt.tenant_ids = '{{{tenant.id}}}'"))
        actions = (await connection.execute(text("SELECT action FROM audit_entries ORDER BY seq"))).scalars().all()
    assert actions[-3:] == ["grant.create", "grant.end", "grant.reopen"]


async def test_the_same_role_granted_twice_at_once_gives_one_grant_and_a_409(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    tenant = await make_tenant()
    me = await admin_of(client, app_engine, settings, tenant)
    path = f"/api/v1/t/{tenant.slug}/grants"
    answers = await asyncio.gather(*(client.post(path, json={"account_id": me, "role": "dpo"}) for _ in range(2)))
    assert sorted(a.status_code for a in answers) == [201, 409], [a.text for a in answers]
    assert len(await grants_of(client, tenant, me, "dpo")) == 1


@pytest.mark.parametrize("valid_to", ["2001-01-01T00:00:00Z", "2999-01-01T00:00:00"])
async def test_a_grant_that_ends_before_now_or_without_a_time_zone_is_a_422(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings, valid_to: str
) -> None:
    tenant = await make_tenant()
    me = await admin_of(client, app_engine, settings, tenant)
    response = await client.post(
        f"/api/v1/t/{tenant.slug}/grants", json={"account_id": me, "role": "dpo", "valid_to": valid_to}
    )
    assert_problem(response, 422, "grant-period-invalid")


async def test_a_refusal_by_the_framework_is_a_dutch_page_for_a_browser_and_problem_json_for_the_api(
    client, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant()
    page = await client.get(f"/m/{tenant.slug}/beleid/een", headers=HTML)
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "Niet gevonden" in page.text
    api = await client.get(f"/api/v1/public/{tenant.slug}/beleid/een", headers=HTML)
    assert api.status_code in (404, 405) and api.headers["content-type"] == PROBLEM


async def test_the_request_log_names_the_status_a_middleware_answered_with(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    tenant = await make_tenant()
    await as_professional(client, await reporting_point(app_engine, settings, tenant, tenant, role=Role.TENANT_ADMIN))
    with structlog.testing.capture_logs() as logs:
        refused_csrf = await client.post(
            f"/api/v1/t/{tenant.slug}/grants", json={"role": "dpo"}, headers={"x-csrf-token": "not-the-token"}
        )
        refused_nul = await client.get("/m/de%00linde/")
    assert (refused_csrf.status_code, refused_nul.status_code) == (403, 400)
    completed = [(e["path"], e["status"]) for e in logs if e["event"] == "request.completed"]
    assert completed == [(f"/api/v1/t/{tenant.slug}/grants", 403), ("/m/de\x00linde", 400)]


async def test_a_write_the_database_refuses_as_a_conflict_is_a_409_not_a_500(
    settings: Settings, make_tenant: MakeTenant
) -> None:
    """The net behind every service's own checks: here a route that really inserts the same account twice."""
    tenant = await make_tenant()
    app = create_app(settings)

    @post("/api/v1/public/{tenant:str}/twice", status_code=201)
    async def twice(db: NamedDependency[AsyncSession], tenant: FromPath[str]) -> None:
        found, _ = await find_public_tenant(db, tenant)
        await tenant_context(db, [found.id])
        for _ in range(2):
            db.add(
                Account(
                    tenant_id=found.id, id=uuid.uuid4(), issuer="https://idp.test", subject="same", display_name="A"
                )
            )
            await db.flush()

    app.register(twice)
    async with AsyncTestClient(app) as client:
        with structlog.testing.capture_logs() as logs:
            api = await client.post(f"/api/v1/public/{tenant.slug}/twice")
        page = await client.post(f"/api/v1/public/{tenant.slug}/twice", headers=HTML)
    assert_problem(api, 409, "conflict", "tegelijk")
    assert page.status_code == 409
    assert [e["constraint"] for e in logs if e["event"] == "request.conflict"] == [
        "uq_accounts_tenant_id_issuer_subject"
    ]

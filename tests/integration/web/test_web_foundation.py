"""The web app: health, problem details, OpenAPI, security headers, and no identifying data in logs."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest
import structlog
from litestar.params import FromPath, JSONBody
from litestar.testing import AsyncTestClient
from msgspec.structs import replace

from meldpunt.app import create_app
from meldpunt.settings import Settings
from tests.conftest import MakeTenant

PROBLEM = "application/problem+json"
SPY_USER_AGENT = "Mozilla/5.0 (SpyPhone; identifying-ua-7f3a)"
SPY_ADDRESS = "203.0.113.77"


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[AsyncTestClient]:  # type: ignore[type-arg]
    async with AsyncTestClient(create_app(settings)) as test_client:
        yield test_client


async def test_liveness_answers_without_dependencies(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    response = await client.get("/health/live")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


async def test_readiness_is_200_when_postgres_redis_and_storage_answer(
    client: AsyncTestClient,  # type: ignore[type-arg]
) -> None:
    response = await client.get("/health/ready")
    assert response.status_code == 200, response.text
    assert response.json()["checks"] == {"postgres": "ok", "redis": "ok", "object_storage": "ok"}


@pytest.mark.parametrize(
    ("broken", "failing"),
    [
        ({"redis_url": "redis://127.0.0.1:1/0"}, "redis"),
        ({"storage_directory": "/proc/version"}, "object_storage"),
    ],
)
async def test_readiness_is_503_naming_the_failing_check(
    settings: Settings, broken: dict[str, str], failing: str
) -> None:
    async with AsyncTestClient(create_app(replace(settings, **broken))) as client:
        response = await client.get("/health/ready")
    assert response.status_code == 503
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["detail"] == f"failing: {failing}"
    assert body["checks"][failing].startswith("fail")
    assert all(result == "ok" for name, result in body["checks"].items() if name != failing)


async def test_readiness_fails_when_the_app_connects_as_a_role_that_bypasses_rls(
    settings: Settings, postgres_superuser_url: str, test_database: object
) -> None:
    superuser = test_database.url("postgres")  # type: ignore[attr-defined]
    # Settings refuse such a URL from the environment; here we force it to prove the runtime check too.
    async with AsyncTestClient(create_app(replace(settings, database_url=superuser))) as client:
        response = await client.get("/health/ready")
    assert response.status_code == 503
    assert "row-level security would be off" in response.json()["checks"]["postgres"]


async def test_unknown_routes_and_bad_input_are_problem_json(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    response = await client.get("/does-not-exist")
    assert response.status_code == 404 and response.headers["content-type"] == PROBLEM
    assert response.json()["status"] == 404
    response = await client.post("/health/live")
    assert response.status_code == 405 and response.headers["content-type"] == PROBLEM


async def test_an_unknown_reporting_point_is_a_dutch_404_problem(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    response = await client.get("/api/v1/public/bestaat-niet")
    assert response.status_code == 404 and response.headers["content-type"] == PROBLEM
    assert response.json()["type"].endswith("/tenant-not-found")
    assert "bestaat-niet" in response.json()["detail"]


async def test_a_public_reporting_point_shows_its_name_and_branch(
    client: AsyncTestClient,
    make_tenant: MakeTenant,  # type: ignore[type-arg]
) -> None:
    branch = await make_tenant()
    member = await make_tenant(branch=branch, services=("advisers",))
    response = await client.get(f"/api/v1/public/{member.slug}")
    assert response.status_code == 200
    body = response.json()
    assert body["slug"] == member.slug and body["branch"]["slug"] == branch.slug
    assert body["uses_branch_services"] == ["advisers"]
    assert set(body) == {"slug", "kind", "display_name", "locale", "branding", "branch", "uses_branch_services"}


async def test_openapi_is_served_at_schema(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    response = await client.get("/schema")
    assert response.status_code == 200
    spec = response.json()
    assert spec["openapi"].startswith("3.")
    assert {"/health/live", "/health/ready", "/api/v1/public/{tenant}"} <= set(spec["paths"])


async def test_responses_carry_a_strict_csp_and_no_referrer(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    response = await client.get("/health/live")
    csp = response.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe" not in csp
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "server" not in response.headers


async def test_public_requests_log_a_request_id_and_tenant_but_no_address_or_user_agent(
    settings: Settings, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant()
    seen_by_handler: dict[str, object] = {}
    app = create_app(settings)

    from litestar import Request, get

    @get("/m/{tenant:str}/spy", sync_to_thread=False)
    def spy(request: Request, tenant: FromPath[str]) -> dict[str, str]:  # type: ignore[type-arg]
        seen_by_handler["client"] = request.scope.get("client")
        seen_by_handler["headers"] = dict(request.headers)
        structlog.get_logger("test").info("handler.ran")
        return {}

    app.register(spy)
    headers = {"User-Agent": SPY_USER_AGENT, "X-Forwarded-For": SPY_ADDRESS, "X-Real-IP": SPY_ADDRESS}
    async with AsyncTestClient(app) as client:
        with structlog.testing.capture_logs(processors=[structlog.contextvars.merge_contextvars]) as logs:
            await client.get(f"/api/v1/public/{tenant.slug}", headers=headers)
            await client.get(f"/m/{tenant.slug}/spy", headers=headers)
    dumped = json.dumps(logs, default=str)
    assert SPY_USER_AGENT not in dumped and SPY_ADDRESS not in dumped and "testclient" not in dumped
    completed = [entry for entry in logs if entry["event"] == "request.completed"]
    assert len(completed) == 2
    assert all(len(entry["request_id"]) == 32 for entry in completed)
    assert all(entry["tenant"] == tenant.slug for entry in completed)
    handler_log = next(entry for entry in logs if entry["event"] == "handler.ran")
    assert handler_log["tenant"] == tenant.slug and handler_log["request_id"]
    assert seen_by_handler["client"] is None
    assert "user-agent" not in seen_by_handler["headers"]  # type: ignore[operator]
    assert "x-forwarded-for" not in seen_by_handler["headers"]  # type: ignore[operator]


async def test_an_unexpected_error_is_a_generic_500_problem_without_details(settings: Settings) -> None:
    from litestar import post

    @post("/api/v1/public/{tenant:str}/explode", sync_to_thread=False)
    def explode(tenant: FromPath[str], data: JSONBody[dict[str, str]]) -> None:
        raise RuntimeError("secret internals " + data["text"])

    app = create_app(settings)
    app.register(explode)
    async with AsyncTestClient(app) as client:
        with structlog.testing.capture_logs(processors=[structlog.contextvars.merge_contextvars]) as logs:
            response = await client.post("/api/v1/public/x/explode", json={"text": "wat er gebeurde"})
    assert response.status_code == 500 and response.headers["content-type"] == PROBLEM
    assert "secret internals" not in response.text
    assert "wat er gebeurde" not in json.dumps(logs, default=str)

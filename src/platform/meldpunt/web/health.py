"""Liveness and readiness. Readiness names the dependency that fails; it never shows secrets."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from litestar import Response, get
from litestar.datastructures import State
from litestar.status_codes import HTTP_200_OK, HTTP_503_SERVICE_UNAVAILABLE
from sqlalchemy import text

from meldpunt.web.resources import Resources

PROBLEM_JSON = "application/problem+json"


class DependencyFailed(RuntimeError):
    """A readiness check found a dependency unusable; the message says why in a few words."""


async def check_postgres(resources: Resources) -> None:
    async with resources.engine.connect() as connection:
        role = (
            await connection.execute(text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user"))
        ).one()
        if role.rolsuper or role.rolbypassrls:
            raise DependencyFailed("connected as a superuser or BYPASSRLS role: row-level security would be off")
        migrated = (await connection.execute(text("SELECT to_regclass('tenants') IS NOT NULL"))).scalar_one()
        if not migrated:
            raise DependencyFailed("schema not migrated: run `meldpunt migrate`")


async def check_redis(resources: Resources) -> None:
    await resources.redis.ping()


async def check_storage(resources: Resources) -> None:
    await resources.object_store.check()


CHECKS: dict[str, Callable[[Resources], Awaitable[None]]] = {
    "postgres": check_postgres,
    "redis": check_redis,
    "object_storage": check_storage,
}


async def _run_check(name: str, resources: Resources, limit_seconds: float) -> tuple[str, str]:
    try:
        await asyncio.wait_for(CHECKS[name](resources), timeout=limit_seconds)
    except TimeoutError:
        return name, f"fail: no answer within {limit_seconds:g} s"
    except DependencyFailed as error:
        return name, f"fail: {error}"
    except Exception as error:
        return name, f"fail: {type(error).__name__}"
    return name, "ok"


@get("/health/live", operation_id="HealthLive", tags=["health"], sync_to_thread=False)
def live() -> dict[str, str]:
    """The process is up and answering."""
    return {"status": "ok"}


@get("/health/ready", operation_id="HealthReady", tags=["health"])
async def ready(state: State) -> Response[dict[str, object]]:
    """PostgreSQL, Redis and object storage all answer; otherwise 503 naming each failing check."""
    resources: Resources = state.resources
    timeout = resources.settings.readiness_timeout_seconds
    results = dict(await asyncio.gather(*(_run_check(name, resources, timeout) for name in CHECKS)))
    failing = sorted(name for name, result in results.items() if result != "ok")
    if not failing:
        return Response({"status": "ready", "checks": results}, status_code=HTTP_200_OK)
    body: dict[str, object] = {
        "type": "https://meldpunt.nl/problems/not-ready",
        "title": "Not ready",
        "status": HTTP_503_SERVICE_UNAVAILABLE,
        "detail": "failing: " + ", ".join(failing),
        "checks": results,
    }
    return Response(body, status_code=HTTP_503_SERVICE_UNAVAILABLE, media_type=PROBLEM_JSON)

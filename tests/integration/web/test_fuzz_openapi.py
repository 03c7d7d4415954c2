"""Property-based fuzzing of every operation in /schema/openapi.json (schemathesis), against the application
served by uvicorn with the real PostgreSQL and Redis: anonymous, and signed in as professionals with
several roles. Whatever is sent, valid or not, the answer is never a server error.

The budget is fixed (examples per operation, no shrinking, derandomized) so the run is short and the same
on every machine; a failure lists each operation with the request that broke it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import redis.asyncio as aioredis
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from sqlalchemy.ext.asyncio import AsyncEngine

from meldpunt.audit.services import AuditActor
from meldpunt.db.engine import create_sessionmaker
from meldpunt.identity import services as identity
from meldpunt.identity.roles import Role
from meldpunt.identity.sessions import SESSION_COOKIE, SessionStore
from meldpunt.settings import Settings
from meldpunt.tenancy.models import Tenant
from tests.conftest import MakeTenant, TenantRef
from tests.integration.intake.test_submissions import REPORT
from tests.support.served import served_app

EXAMPLES_PER_OPERATION = 30
# The budget is per operation, so a run grows with the API (two personas signed in: twice). The suite's default
# 300 s per test is for one test's work, not for every operation's: these tests get a limit of their own, which
# still stops a hung request (each request has its own 30 s timeout besides).
FUZZ_TIMEOUT_SECONDS = 1800
# Signing out ends the session the signed-in run is using; the rest of the run would be anonymous.
NOT_FUZZED_SIGNED_IN = frozenset({"SignOut"})
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
    report_multiple_bugs=False,
)


@dataclass
class Persona:
    """Who sends the requests: cookies and headers, and the ids of real things they can reach."""

    cookies: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    known: dict[str, str] = field(default_factory=dict)


@dataclass
class World:
    base: str
    anonymous: Persona
    organisation: Persona  # tenant admin, DPO, reporting point and decision maker of one member
    adviser: Persona  # that member's adviser (who may not be its reporting point, seed-000 §1.7)


@pytest.fixture
def served(settings: Settings) -> Iterator[str]:
    with served_app(settings) as base:
        yield base


async def signed_in(base: str, token: str) -> Persona:
    async with httpx.AsyncClient(base_url=base, cookies={SESSION_COOKIE: token}) as client:
        await client.get("/api/v1/me")
        csrf = client.cookies["mp_csrf"]
    return Persona({SESSION_COOKIE: token, "mp_csrf": csrf}, {"x-csrf-token": csrf})


async def professional(app_engine: AsyncEngine, settings: Settings, tenant: TenantRef, *roles: Role) -> str:
    """A new account of ``tenant`` holding ``roles`` there; returns a live session token."""
    async with create_sessionmaker(app_engine)() as session:
        where = await session.get(Tenant, tenant.id)
        assert where is not None
        account = await identity.find_or_create_account(session, where, "https://idp.test", str(uuid.uuid4()), {})
        for role in roles:
            await identity.grant_role(session, AuditActor.system("test"), where, account, role, "admin")
        await session.commit()
        ids = account.tenant_id, account.id
    redis = aioredis.Redis.from_url(settings.redis_url)
    try:
        return await SessionStore(redis, settings).create(*ids)
    finally:
        await redis.aclose()


@pytest.fixture
async def world(served: str, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings) -> World:
    member = await make_tenant(branch=await make_tenant())
    async with httpx.AsyncClient(base_url=served) as client:
        submitted = await client.post(f"/api/v1/public/{member.slug}/submissions", json=REPORT)
        assert submitted.status_code == 201, submitted.text
    organisation = await signed_in(
        served,
        await professional(
            app_engine, settings, member, Role.TENANT_ADMIN, Role.DPO, Role.REPORTING_POINT, Role.DECISION_MAKER
        ),
    )
    adviser = await signed_in(served, await professional(app_engine, settings, member, Role.ADVISER, Role.HR))
    await professional(app_engine, settings, member, Role.EXPERT)  # whose grant the fuzzing may end
    async with httpx.AsyncClient(base_url=served, cookies=adviser.cookies, headers=adviser.headers) as client:
        consultation = await client.post(
            f"/api/v1/t/{member.slug}/vault/consultations",
            json={"label": "Fuzz", "category": "sexual_harassment", "reporter_role": "employee"},
        )
        assert consultation.status_code == 201, consultation.text
    async with httpx.AsyncClient(base_url=served, cookies=organisation.cookies, headers=organisation.headers) as client:
        case_id = (await client.get("/api/v1/submissions")).json()[0]["id"]
        grants = (await client.get(f"/api/v1/t/{member.slug}/grants")).json()
        grant_id = next(g["id"] for g in grants if g["role"] == Role.EXPERT)
    organisation.known = {"tenant": member.slug, "case_id": case_id, "grant_id": grant_id}
    adviser.known = {"tenant": member.slug, "consultation_id": consultation.json()["id"]}
    return World(served, Persona(known={"tenant": member.slug}), organisation, adviser)


# What is done to a generated request before it is sent: nothing; the ids of real things (so the request
# reaches past the look-ups); or, as an attacker would, a NUL in every text of its path, query and body.
TAMPERINGS = ("as generated", "real ids", "real ids and a NUL in every text")


def with_nul(value: Any) -> Any:
    if isinstance(value, str):
        return value[:1] + "\x00" + value[1:]
    if isinstance(value, dict):
        return {with_nul(key): with_nul(item) for key, item in value.items()}
    if isinstance(value, list):
        return [with_nul(item) for item in value]
    return value


def tamper(case: Any, persona: Persona, tampering: str) -> None:
    for name in case.path_parameters or {}:
        # Signed in, the tenant is always the persona's own: another is refused before anything else.
        if name in persona.known and (tampering != "as generated" or (persona.cookies and name == "tenant")):
            case.path_parameters[name] = persona.known[name]
    if tampering.endswith("NUL in every text"):
        for parameters in (case.path_parameters, case.query):
            for name, value in (parameters or {}).items():
                parameters[name] = with_nul(value)
        if isinstance(case.body, dict | list | str):
            case.body = with_nul(case.body)


def fuzz(base: str, persona: Persona, skip: frozenset[str] = frozenset()) -> list[str]:
    """Every operation of the served schema with generated requests (valid and invalid); the server errors."""
    schema = schemathesis.openapi.from_url(f"{base}/schema/openapi.json")
    failures: list[str] = []
    http = requests.Session()
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.definition.raw.get("operationId") in skip:
            continue
        strategies = [operation.as_strategy(mode) for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)]

        @FUZZ_SETTINGS
        @given(case=st.one_of(strategies), tampering=st.sampled_from(TAMPERINGS))
        def run(case: Any, tampering: str) -> None:
            tamper(case, persona, tampering)
            response = case.call(
                base_url=base,
                session=http,
                headers={"accept": "application/json", **persona.headers},
                cookies=persona.cookies,
                timeout=30,
                allow_redirects=False,
            )
            assert response.status_code < 500, f"{response.status_code} {response.text[:300]}\n{case.as_curl_command()}"

        try:
            run()
        except AssertionError as error:
            failures.append(f"{operation.method.upper()} {operation.path}: {error}")
    return failures


@pytest.mark.timeout(FUZZ_TIMEOUT_SECONDS)
def test_no_anonymous_request_of_any_operation_gets_a_server_error(world: World) -> None:
    assert not (failures := fuzz(world.base, world.anonymous)), "\n\n".join(failures)


@pytest.mark.timeout(FUZZ_TIMEOUT_SECONDS)
def test_no_signed_in_request_of_any_operation_gets_a_server_error(world: World) -> None:
    failures = fuzz(world.base, world.organisation, NOT_FUZZED_SIGNED_IN)
    failures += fuzz(world.base, world.adviser, NOT_FUZZED_SIGNED_IN)
    assert not failures, "\n\n".join(failures)

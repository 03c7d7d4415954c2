"""Jobs: a request writes an outbox row in its transaction, the worker relays it to Redis and runs it."""

from __future__ import annotations

import asyncio
import secrets
import time
import uuid
from collections.abc import AsyncIterator

import dramatiq
import pytest
import redis.asyncio as aioredis
from litestar import post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from meldpunt.app import create_app
from meldpunt.db.context import tenant_context
from meldpunt.db.engine import create_sessionmaker
from meldpunt.jobs import outbox
from meldpunt.jobs.outbox import OutboxMessage, OutsideTenantContext, relay_batch
from meldpunt.jobs.registry import JOBS, build_broker, job
from meldpunt.jobs.runtime import current_runtime
from meldpunt.jobs.worker import Worker
from meldpunt.settings import Settings
from tests.conftest import MakeTenant

RESULT_KEY = "meldpunt:test:round-trip:{token}"


@job("test.record_round_trip", max_retries=0)
async def record_round_trip(tenant_id: str, token: str) -> None:
    """The job at the end of the round trip: it leaves a mark that the test can observe."""
    await current_runtime().redis.set(RESULT_KEY.format(token=token), tenant_id, ex=300)


@post("/test-only/{tenant_id:uuid}/round-trip/{token:str}", opt={"exclude_from_csrf": True})
async def start_round_trip(
    db: NamedDependency[AsyncSession],
    tenant_id: FromPath[uuid.UUID],
    token: FromPath[str],
    fail: FromQuery[bool] = False,
) -> dict[str, str]:
    await tenant_context(db, [tenant_id])
    outbox.enqueue(db, tenant_id, "test.record_round_trip", token=token)
    if fail:
        raise RuntimeError("the request fails after enqueueing")
    return {"queued": token}


async def wait_for(predicate_coro: object, timeout: float = 15.0) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = await predicate_coro()  # type: ignore[operator]
        if value:
            return value
        await asyncio.sleep(0.05)
    raise AssertionError("condition not met within the deadline")


@pytest.fixture
async def redis_client(settings: Settings) -> AsyncIterator[aioredis.Redis]:
    client = aioredis.Redis.from_url(settings.redis_url)
    yield client
    await client.aclose()


@pytest.fixture
def worker(settings: Settings) -> object:
    running = Worker(settings)
    running.start()
    yield running
    running.stop()


async def outbox_count(engine: AsyncEngine, tenant_id: uuid.UUID) -> int:
    async with create_sessionmaker(engine)() as session:
        await tenant_context(session, [tenant_id])
        return (await session.execute(select(func.count()).select_from(OutboxMessage))).scalar_one()


async def test_a_request_reaches_the_worker_through_the_outbox_and_redis(
    settings: Settings, make_tenant: MakeTenant, worker: Worker, redis_client: aioredis.Redis
) -> None:
    tenant = await make_tenant()
    token = secrets.token_hex(8)
    app = create_app(settings)
    app.register(start_round_trip)
    async with AsyncTestClient(app) as client:
        response = await client.post(f"/test-only/{tenant.id}/round-trip/{token}")
        assert response.status_code == 201
    result = await wait_for(lambda: redis_client.get(RESULT_KEY.format(token=token)))
    assert result == str(tenant.id).encode()


async def test_a_request_that_fails_sends_no_job(
    settings: Settings, app_engine: AsyncEngine, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant()
    app = create_app(settings)
    app.register(start_round_trip)
    async with AsyncTestClient(app) as client:
        response = await client.post(f"/test-only/{tenant.id}/round-trip/x", params={"fail": "true"})
        assert response.status_code == 500
        assert response.headers["content-type"] == "application/problem+json"
    assert await outbox_count(app_engine, tenant.id) == 0


async def test_an_outbox_row_waits_while_redis_is_down_and_goes_when_it_is_back(
    settings: Settings, app_engine: AsyncEngine, make_tenant: MakeTenant, redis_client: aioredis.Redis
) -> None:
    tenant = await make_tenant()
    sessions = create_sessionmaker(app_engine)
    token = secrets.token_hex(8)
    async with sessions() as session:
        await tenant_context(session, [tenant.id])
        outbox.enqueue(session, tenant.id, "test.record_round_trip", token=token)
        await session.commit()
    unreachable = build_broker("redis://127.0.0.1:1/0")
    assert await relay_batch(sessions, unreachable, 100) == 0
    unreachable.close()
    async with sessions() as session:
        await tenant_context(session, [tenant.id])
        attempts = (await session.execute(text("SELECT attempts FROM outbox_messages"))).scalars().all()
    assert attempts == [1]
    reachable = build_broker(settings.redis_url)
    try:
        assert await relay_batch(sessions, reachable, 100) >= 1
    finally:
        reachable.close()
    assert await outbox_count(app_engine, tenant.id) == 0
    queued = await redis_client.hvals("meldpunt:default.msgs")
    assert any(token.encode() in message for message in queued)


async def test_a_job_cannot_be_enqueued_for_a_tenant_outside_the_context(
    app_engine: AsyncEngine, make_tenant: MakeTenant
) -> None:
    a, b = await make_tenant(), await make_tenant()
    async with create_sessionmaker(app_engine)() as session:
        await tenant_context(session, [a.id])
        with pytest.raises(OutsideTenantContext):
            outbox.enqueue(session, b.id, "test.record_round_trip", token="x")


def test_retries_are_capped_for_every_declared_job(settings: Settings) -> None:
    broker = build_broker(settings.redis_url)
    try:
        for actor_name in broker.get_declared_actors():
            actor: dramatiq.Actor[..., object] = broker.get_actor(actor_name)
            assert actor.options["max_retries"] <= 10, actor_name
            assert actor.options["max_backoff"] <= 6 * 3600 * 1000, actor_name
    finally:
        broker.close()


async def test_a_row_for_a_job_this_relay_does_not_know_holds_up_no_other_row(
    settings: Settings, app_engine: AsyncEngine, make_tenant: MakeTenant, redis_client: aioredis.Redis
) -> None:
    # A web process of a newer version wrote a job that this (older) worker does not declare yet.
    newer_job = f"test.declared_by_a_newer_version_{secrets.token_hex(4)}"
    tenant = await make_tenant()
    sessions = create_sessionmaker(app_engine)
    async with sessions() as session:
        await tenant_context(session, [tenant.id])
        session.add(
            OutboxMessage(tenant_id=tenant.id, id=uuid.uuid4(), actor_name=newer_job, queue_name="default", kwargs={})
        )
        await session.commit()
    token = secrets.token_hex(8)
    async with sessions() as session:
        await tenant_context(session, [tenant.id])
        outbox.enqueue(session, tenant.id, "test.record_round_trip", token=token)
        await session.commit()
    broker = build_broker(settings.redis_url)
    try:
        await relay_batch(sessions, broker, 100)
        queued = await redis_client.hvals("meldpunt:default.msgs")
        assert any(token.encode() in message for message in queued), "the row behind it was held up"
        assert await outbox_count(app_engine, tenant.id) == 1, "the unknown job waits for a relay that knows it"
        job(newer_job, max_retries=0)(record_round_trip)
        try:
            await relay_batch(sessions, broker, 100)
        finally:
            JOBS.pop(newer_job)
        assert await outbox_count(app_engine, tenant.id) == 0
    finally:
        broker.close()

"""The worker and its outbox relay through a PostgreSQL outage: they keep running while the server is
stopped, and jobs go through again once it is back, without a restart."""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis
import structlog
from litestar.testing import AsyncTestClient

from meldpunt.app import create_app
from meldpunt.jobs.worker import Worker
from meldpunt.settings import Settings
from tests.conftest import MakeTenant
from tests.integration.jobs.test_outbox_round_trip import RESULT_KEY, start_round_trip, wait_for
from tests.integration.outage.conftest import StoppablePostgres


@pytest.fixture
async def redis_client(settings: Settings) -> AsyncIterator[aioredis.Redis]:
    client = aioredis.Redis.from_url(settings.redis_url)
    yield client
    await client.aclose()


async def test_the_worker_and_its_relay_carry_on_through_a_postgres_outage(
    settings: Settings, stoppable_postgres: StoppablePostgres, make_tenant: MakeTenant, redis_client: aioredis.Redis
) -> None:
    worker = Worker(settings)
    worker.start()
    try:
        with structlog.testing.capture_logs() as logs:
            stoppable_postgres.stop()
            try:
                deadline = time.monotonic() + 20
                while not any(entry["event"] == "outbox.relay_failed" for entry in logs):
                    assert time.monotonic() < deadline, "the relay never tried the stopped server"
                    await asyncio.sleep(0.05)
            finally:
                stoppable_postgres.start()
        tenant = await make_tenant()
        token = secrets.token_hex(8)
        app = create_app(settings)
        app.register(start_round_trip)
        async with AsyncTestClient(app) as client:
            assert (await client.post(f"/test-only/{tenant.id}/round-trip/{token}")).status_code == 201
        result = await wait_for(lambda: redis_client.get(RESULT_KEY.format(token=token)), timeout=60)
        assert result == str(tenant.id).encode()
    finally:
        worker.stop()

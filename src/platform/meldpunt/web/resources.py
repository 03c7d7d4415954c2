"""The long-lived resources of a web process: database engine, Redis, object store, OIDC client, sessions."""

from __future__ import annotations

import os
from dataclasses import dataclass

import redis.asyncio as aioredis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from meldpunt.db.engine import create_engine, create_sessionmaker
from meldpunt.dossiers.keys import Keyring, create_root_key
from meldpunt.dossiers.signing import install_signer
from meldpunt.dossiers.storage import ObjectStore, create_object_store
from meldpunt.identity.oidc import OidcClient
from meldpunt.identity.sessions import SessionStore
from meldpunt.intake.challenge import Challenges
from meldpunt.intake.ratelimit import REDIS_TIMEOUT_SECONDS, FloodGuard, FloodRules, Limiter
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
    flood_guard: FloodGuard

    @classmethod
    def open(cls, settings: Settings) -> Resources:
        install_signer(settings)
        engine = create_engine(settings)
        redis = aioredis.Redis.from_url(settings.redis_url, socket_timeout=5)
        # Its own connections with short timeouts: a hung Redis must not hold up a report (DESIGN §13).
        limiter_redis = aioredis.Redis.from_url(
            settings.redis_url, socket_timeout=REDIS_TIMEOUT_SECONDS, socket_connect_timeout=REDIS_TIMEOUT_SECONDS
        )
        return cls(
            settings,
            engine,
            create_sessionmaker(engine),
            redis,
            create_object_store(settings),
            OidcClient(),
            SessionStore(redis, settings),
            Keyring(create_root_key(settings)),
            FloodGuard(
                Limiter(limiter_redis),
                Challenges(settings.secret_key.encode() or os.urandom(32)),
                flood_rules(settings),
            ),
        )

    async def close(self) -> None:
        await self.oidc.http.aclose()
        await self.redis.aclose()
        await self.flood_guard.limiter.redis.aclose()
        await self.engine.dispose()


def _challenge_secret(settings: Settings) -> bytes:
    # Without a configured secret (development, demo, tests) a random one per process, as for CSRF.
    return settings.secret_key.encode() or os.urandom(32)


def flood_rules(settings: Settings) -> FloodRules:
    return FloodRules(
        per_minute=settings.flood_submissions_per_minute,
        cap_per_hour=settings.submissions_per_tenant_hour,
        base_bits=settings.challenge_bits,
        max_bits=settings.challenge_max_bits,
    )

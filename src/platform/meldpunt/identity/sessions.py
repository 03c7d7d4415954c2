"""Server-side sessions for professionals, in Redis.

The cookie holds a random token; Redis holds only its SHA-256, so a copy of Redis opens no session. A
sign-in always starts a new token (no session fixation). Sessions end after ``session_idle_minutes``
without a request and ``session_absolute_hours`` after sign-in. A pending sign-in (state, nonce, PKCE
verifier) lives under its own short-lived cookie and is used at most once. When Redis fails, every use
answers ``SessionsUnavailable`` (503: sign in again later), never a server error (DESIGN §13).
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import redis.asyncio as aioredis
import structlog
from redis.exceptions import RedisError

from meldpunt.identity.errors import SessionsUnavailable
from meldpunt.settings import Settings

log = structlog.get_logger()

SESSION_COOKIE = "mp_session"
SIGN_IN_COOKIE = "mp_signin"
SIGN_IN_SECONDS = 600


@contextmanager
def _store_answering() -> Iterator[None]:
    try:
        yield
    except (RedisError, OSError, TimeoutError) as error:
        log.warning("sessions.redis_unavailable", error=type(error).__name__)
        raise SessionsUnavailable() from error


def _key(kind: str, token: str) -> str:
    return f"meldpunt:{kind}:" + hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Session:
    token: str
    account_id: uuid.UUID
    account_tenant_id: uuid.UUID
    signed_in_at: float


def cookie_attributes(settings: Settings, max_age: int) -> dict[str, Any]:
    return {
        "httponly": True,
        "secure": settings.session_cookie_secure,
        "samesite": "lax",
        "path": "/",
        "max_age": max_age,
    }


class SessionStore:
    def __init__(self, redis: aioredis.Redis, settings: Settings) -> None:
        self.redis = redis
        self.idle = settings.session_idle_minutes * 60
        self.absolute = settings.session_absolute_hours * 3600

    async def create(self, account_tenant_id: uuid.UUID, account_id: uuid.UUID) -> str:
        token = secrets.token_urlsafe(32)
        record = {
            "account_id": str(account_id),
            "account_tenant_id": str(account_tenant_id),
            "signed_in_at": time.time(),
        }
        with _store_answering():
            await self.redis.set(_key("session", token), json.dumps(record), ex=self.idle)
        return token

    async def load(self, token: str | None) -> Session | None:
        """The live session for this token, its idle timer renewed; None when absent or timed out."""
        if not token:
            return None
        with _store_answering():
            raw = await self.redis.get(_key("session", token))
            if raw is None:
                return None
            record = json.loads(raw)
            if time.time() - float(record["signed_in_at"]) > self.absolute:
                await self.redis.delete(_key("session", token))
                return None
            await self.redis.expire(_key("session", token), self.idle)
        return Session(
            token,
            uuid.UUID(record["account_id"]),
            uuid.UUID(record["account_tenant_id"]),
            float(record["signed_in_at"]),
        )

    async def end(self, token: str | None) -> None:
        """Forget the session. Signing out works with Redis down too: the cookie goes, the record expires."""
        if not token:
            return
        try:
            await self.redis.delete(_key("session", token))
        except (RedisError, OSError, TimeoutError) as error:
            log.warning("sessions.redis_unavailable", error=type(error).__name__)

    async def remember_sign_in(self, pending: dict[str, Any]) -> str:
        token = secrets.token_urlsafe(32)
        with _store_answering():
            await self.redis.set(_key("signin", token), json.dumps(pending), ex=SIGN_IN_SECONDS)
        return token

    async def take_sign_in(self, token: str | None) -> dict[str, Any] | None:
        """The pending sign-in for this browser, removed as it is read (a callback works once)."""
        if not token:
            return None
        with _store_answering():
            raw = await self.redis.getdel(_key("signin", token))
        return json.loads(raw) if raw else None

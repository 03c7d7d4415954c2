"""Engines and session factories. The application engine connects as ``meldpunt_app``."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import NullPool

from meldpunt.settings import Settings


def create_engine(settings: Settings, *, url: str | None = None, pooled: bool = True) -> AsyncEngine:
    """The engine for ``url`` (default: the application's database URL)."""
    # Connecting and waiting for a pooled connection are bounded, so that an unreachable server answers 503
    # soon instead of holding every request; pre-ping replaces connections the server dropped.
    connect_args = {"timeout": settings.database_timeout_seconds}
    if not pooled:
        return create_async_engine(url or settings.database_url, poolclass=NullPool, connect_args=connect_args)
    return create_async_engine(
        url or settings.database_url,
        pool_size=settings.database_pool_size,
        max_overflow=settings.database_max_overflow,
        pool_timeout=settings.database_timeout_seconds,
        pool_pre_ping=True,
        connect_args=connect_args,
    )


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)

"""Engines and session factories. The application engine connects as ``meldpunt_app``."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import NullPool

from meldpunt.settings import Settings


def create_engine(settings: Settings, *, url: str | None = None, pooled: bool = True) -> AsyncEngine:
    """The engine for ``url`` (default: the application's database URL)."""
    if not pooled:
        return create_async_engine(url or settings.database_url, poolclass=NullPool)
    return create_async_engine(
        url or settings.database_url,
        pool_size=settings.database_pool_size,
        max_overflow=settings.database_max_overflow,
        pool_pre_ping=True,
    )


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)

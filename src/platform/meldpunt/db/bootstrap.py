"""Database roles and migrations: what ``meldpunt migrate`` does.

Creates the owner role (runs migrations, owns the tables) and ``meldpunt_app`` (the application: not
superuser, not owner, no BYPASSRLS) when they are missing, then runs Alembic as the owner.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import structlog
from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import AsyncConnection

from meldpunt.db.engine import create_engine
from meldpunt.settings import APP_ROLE, OWNER_ROLE, Settings

log = structlog.get_logger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parents[4] / "migrations"


class MigrationError(RuntimeError):
    """The database cannot be prepared (missing rights, wrong roles)."""


def alembic_config(connection: Connection | None = None, settings: Settings | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    # A data migration that re-seals content (0012: the discrimination grounds) needs the root key.
    config.attributes["settings"] = settings
    return config


def _quote_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


async def _ensure_roles(connection: AsyncConnection, settings: Settings) -> None:
    me = (
        await connection.execute(
            text("SELECT current_user, rolsuper, rolcreaterole FROM pg_roles WHERE rolname = current_user")
        )
    ).one()
    existing = set(
        (
            await connection.execute(
                text("SELECT rolname FROM pg_roles WHERE rolname IN (:o, :a)"), {"o": OWNER_ROLE, "a": APP_ROLE}
            )
        ).scalars()
    )
    may_create = me.rolsuper or me.rolcreaterole
    app_password = urlsplit(settings.database_url).password
    for role, attributes in (
        (OWNER_ROLE, "LOGIN NOSUPERUSER NOBYPASSRLS"),
        (APP_ROLE, "LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE"),
    ):
        if role in existing:
            continue
        if not may_create:
            raise MigrationError(f"role {role} is missing and {me.current_user} may not create roles")
        await connection.execute(text(f"CREATE ROLE {role} {attributes}"))
        log.info("database.role_created", role=role)
    if app_password and may_create:
        await connection.execute(text(f"ALTER ROLE {APP_ROLE} PASSWORD {_quote_literal(app_password)}"))
    app = (
        await connection.execute(
            text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = :a"), {"a": APP_ROLE}
        )
    ).one()
    if app.rolsuper or app.rolbypassrls:
        raise MigrationError(f"role {APP_ROLE} is superuser or has BYPASSRLS: row-level security would be off")
    if me.current_user != OWNER_ROLE:
        if not me.rolsuper:
            raise MigrationError(f"migrations run as {OWNER_ROLE} or as a superuser, not as {me.current_user}")
        database = (await connection.execute(text("SELECT current_database()"))).scalar_one()
        await connection.execute(text(f'ALTER DATABASE "{database}" OWNER TO {OWNER_ROLE}'))
        await connection.execute(text(f"ALTER SCHEMA public OWNER TO {OWNER_ROLE}"))
        await connection.execute(text(f"SET ROLE {OWNER_ROLE}"))
    database = (await connection.execute(text("SELECT current_database()"))).scalar_one()
    await connection.execute(text(f'REVOKE ALL ON DATABASE "{database}" FROM PUBLIC'))
    await connection.execute(text(f'GRANT CONNECT, TEMPORARY ON DATABASE "{database}" TO {APP_ROLE}'))
    await connection.execute(text("REVOKE CREATE ON SCHEMA public FROM PUBLIC"))
    await connection.execute(text(f"GRANT USAGE ON SCHEMA public TO {APP_ROLE}"))


def _upgrade(connection: Connection, revision: str, settings: Settings) -> None:
    command.upgrade(alembic_config(connection, settings), revision)


def _downgrade(connection: Connection, revision: str, settings: Settings) -> None:
    command.downgrade(alembic_config(connection, settings), revision)


async def migrate(settings: Settings, *, downgrade_to: str | None = None, revision: str = "head") -> None:
    """Create the roles when missing and bring the schema to ``revision`` (or down to ``downgrade_to``)."""
    engine = create_engine(settings, url=settings.migration_database_url, pooled=False)
    try:
        async with engine.begin() as connection:
            await _ensure_roles(connection, settings)
            if downgrade_to is not None:
                await connection.run_sync(_downgrade, downgrade_to, settings)
            else:
                await connection.run_sync(_upgrade, revision, settings)
            await connection.execute(text(f"REVOKE ALL ON alembic_version FROM {APP_ROLE}"))
            await connection.execute(text(f"GRANT SELECT ON alembic_version TO {APP_ROLE}"))
    finally:
        await engine.dispose()

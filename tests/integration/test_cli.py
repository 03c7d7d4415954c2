"""The ``meldpunt`` command: every subcommand has help, settings are checked, secrets never printed."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from meldpunt.cli import main
from meldpunt.db.bootstrap import migrate
from meldpunt.settings import Settings
from tests.conftest import MigratedDatabase, create_database, drop_database

COMMANDS = [
    ["keys", "rotate"],
    ["retention", "sweep"],
    ["serve"],
    ["worker"],
    ["scheduler"],
    ["migrate"],
    ["tenants", "apply"],
    ["demo"],
    ["config"],
    ["audit", "verify"],
    ["routes"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_explains_itself(command: list[str]) -> None:
    result = CliRunner().invoke(main, [*command, "--help"])
    assert result.exit_code == 0
    assert "Usage: main " + " ".join(command) in result.output
    assert len(result.output.splitlines()) >= 3


def test_config_prints_effective_settings_with_secrets_masked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MELDPUNT_DATABASE_URL", "postgresql+asyncpg://meldpunt_app:geheim@db:5432/meldpunt")
    monkeypatch.setenv("MELDPUNT_PORT", "9123")
    result = CliRunner().invoke(main, ["config", "--json"])
    assert result.exit_code == 0
    shown = json.loads(result.output)
    assert shown["port"] == 9123
    assert shown["database_url"] == "postgresql+asyncpg://meldpunt_app:***@db:5432/meldpunt"
    assert "geheim" not in CliRunner().invoke(main, ["config"]).output


def test_routes_prints_each_route_with_its_action_and_roles() -> None:
    result = CliRunner().invoke(main, ["routes"])
    assert result.exit_code == 0, result.output
    rows = {line.split()[-1]: line.split() for line in result.output.splitlines()}
    assert rows["(RouteCase)"] == [
        "POST",
        "/api/v1/t/{tenant:str}/cases/{case_id:uuid}/routing",
        "case.route",
        "reporting_point",
        "(RouteCase)",
    ]
    assert rows["(ListGrants)"][2:] == ["grants.view", "dpo,", "tenant_admin", "(ListGrants)"]
    assert rows["(app_tenant)"][2:] == ["tenant.view", "every", "role", "(app_tenant)"]
    assert rows["(GetPublicTenant)"][2:] == ["-", "-", "(GetPublicTenant)"]


def test_a_bad_setting_stops_the_process_with_the_variable_named() -> None:
    process = subprocess.run(
        [sys.executable, "-m", "meldpunt", "config"],
        capture_output=True,
        text=True,
        env={"MELDPUNT_PORT": "achtduizend", "PATH": ""},
        timeout=60,
        check=False,
    )
    assert process.returncode == 2
    assert "MELDPUNT_PORT='achtduizend': Expected 'int', got 'str'" in process.stderr
    assert "Traceback" not in process.stderr


async def test_migrations_go_down_to_base_and_up_again(postgres_superuser_url: str) -> None:
    name = "meldpunt_migrations_round_trip"
    await drop_database(postgres_superuser_url, name)
    await create_database(postgres_superuser_url, name)
    database = MigratedDatabase(postgres_superuser_url, name)
    superuser = postgres_superuser_url.split("//", 1)[1].split("@", 1)[0] or "postgres"
    settings = Settings(database_url=database.app_url, migration_database_url=database.url(superuser))
    engine = create_async_engine(database.url(superuser))
    try:
        await migrate(settings)
        await migrate(settings, downgrade_to="base")
        async with engine.connect() as connection:
            tables = set(
                (
                    await connection.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))
                ).scalars()
            )
            assert tables <= {"alembic_version"}
        await migrate(settings)
        await migrate(settings)  # a second upgrade is a no-op
        async with engine.connect() as connection:
            tables = set(
                (
                    await connection.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))
                ).scalars()
            )
        assert {"tenants", "outbox_messages", "audit_entries", "audit_heads"} <= tables
    finally:
        await engine.dispose()
        await drop_database(postgres_superuser_url, name)


async def test_migrate_as_the_owner_needs_no_superuser(test_database: MigratedDatabase) -> None:
    settings = Settings(database_url=test_database.app_url, migration_database_url=test_database.owner_url)
    await migrate(settings)

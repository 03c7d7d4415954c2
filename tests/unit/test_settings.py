"""Settings: every MELDPUNT_* variable is validated at start, with a message naming the variable."""

from __future__ import annotations

import pytest

from meldpunt.settings import SettingsError, load_settings, mask_url_password

APP_URL = "postgresql+asyncpg://meldpunt_app:s3cret@db.internal:5432/meldpunt"


def test_defaults_load_without_any_variable() -> None:
    settings = load_settings({})
    assert settings.port == 8000 and settings.storage_backend == "directory"


def test_values_are_converted_from_text() -> None:
    settings = load_settings(
        {"MELDPUNT_PORT": "9000", "MELDPUNT_OUTBOX_POLL_SECONDS": "0.25", "MELDPUNT_STORAGE_BACKEND": "s3"}
    )
    assert settings.port == 9000 and settings.outbox_poll_seconds == 0.25 and settings.storage_backend == "s3"


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("MELDPUNT_PORT", "abc", "MELDPUNT_PORT='abc': Expected 'int', got 'str'"),
        ("MELDPUNT_PORT", "70000", "MELDPUNT_PORT='70000': Expected 'int' <= 65535"),
        ("MELDPUNT_STORAGE_BACKEND", "ftp", "MELDPUNT_STORAGE_BACKEND='ftp': Invalid enum value 'ftp'"),
        ("MELDPUNT_LOG_LEVEL", "loud", "MELDPUNT_LOG_LEVEL='loud'"),
        ("MELDPUNT_DATABASE_URL", "mysql://x@y/z", "MELDPUNT_DATABASE_URL: must start with 'postgresql+asyncpg://'"),
        (
            "MELDPUNT_DATABASE_URL",
            "postgresql+asyncpg://postgres@h/db",
            "MELDPUNT_DATABASE_URL: the application connects as the role 'meldpunt_app'",
        ),
        ("MELDPUNT_REDIS_URL", "http://x", "MELDPUNT_REDIS_URL: must start with"),
        ("MELDPUNT_PROT", "8000", "MELDPUNT_PROT: unknown setting"),
    ],
)
def test_a_bad_value_names_the_variable_and_the_problem(variable: str, value: str, expected: str) -> None:
    with pytest.raises(SettingsError) as error:
        load_settings({variable: value})
    assert expected in str(error.value)


def test_all_problems_are_reported_at_once() -> None:
    with pytest.raises(SettingsError) as error:
        load_settings({"MELDPUNT_PORT": "x", "MELDPUNT_WORKER_THREADS": "0"})
    assert len(error.value.problems) == 2


def test_secrets_are_masked_when_shown() -> None:
    settings = load_settings({"MELDPUNT_DATABASE_URL": APP_URL, "MELDPUNT_REDIS_URL": "redis://:hunter2@cache:6379/0"})
    shown = settings.masked()
    assert "s3cret" not in str(shown) and "hunter2" not in str(shown)
    assert shown["database_url"] == "postgresql+asyncpg://meldpunt_app:***@db.internal:5432/meldpunt"
    assert mask_url_password("redis://cache:6379/0") == "redis://cache:6379/0"


def test_every_tenant_table_puts_tenant_id_first_in_its_primary_key() -> None:
    from meldpunt.db.base import Base
    from meldpunt.models import load_all_models

    load_all_models()
    for table in Base.metadata.sorted_tables:
        if "tenant_id" in table.columns:
            assert next(c.name for c in table.primary_key.columns) == "tenant_id", table.name

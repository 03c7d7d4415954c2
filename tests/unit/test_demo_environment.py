"""``meldpunt demo`` hands the person's settings to its children, overriding only what its services need."""

from __future__ import annotations

from pathlib import Path

from meldpunt.demo import demo_environment
from meldpunt.settings import load_settings

PERSON = {
    "PATH": "/usr/bin",
    "MELDPUNT_LOG_FORMAT": "json",
    "MELDPUNT_RETENTION_SWEEP_SECONDS": "5",
    "MELDPUNT_HEARTBEAT_SECONDS": "2",
    "MELDPUNT_SMTP_URL": "smtp://mail.example.nl:587",
    "MELDPUNT_PUBLIC_URL": "https://demo.example.nl",
    # What the embedded services need wins over what the person has set for a real deployment.
    "MELDPUNT_ENV": "production",
    "MELDPUNT_DATABASE_URL": "postgresql+asyncpg://meldpunt_app@db.example.nl/meldpunt",
    "MELDPUNT_REDIS_URL": "redis://redis.example.nl:6379/0",
    "MELDPUNT_STORAGE_BACKEND": "s3",
    "MELDPUNT_ROOT_KEY_PROVIDER": "kms",
}


def children(environ: dict[str, str]) -> dict[str, str]:
    return demo_environment(
        environ,
        port=8123,
        data_dir=Path("/srv/demo"),
        database_url="postgresql+asyncpg://meldpunt_app@/meldpunt?host=/srv/demo/pg",
        migration_url="postgresql+asyncpg://postgres@/meldpunt?host=/srv/demo/pg",
        redis_url="unix:///srv/demo/redis.socket",
    )


def test_the_persons_settings_reach_the_children_and_the_embedded_services_win() -> None:
    settings = load_settings(children(PERSON))
    assert settings.log_format == "json"
    assert settings.retention_sweep_seconds == 5
    assert settings.heartbeat_seconds == 2
    assert settings.smtp_url == "smtp://mail.example.nl:587"
    assert settings.public_url == "https://demo.example.nl"
    assert settings.env == "demo" and settings.demo_identity_provider
    assert settings.port == 8123
    assert settings.database_url == "postgresql+asyncpg://meldpunt_app@/meldpunt?host=/srv/demo/pg"
    assert settings.redis_url == "unix:///srv/demo/redis.socket"
    assert settings.storage_backend == "directory" and settings.storage_directory == "/srv/demo/objects"
    assert settings.root_key_provider == "local" and settings.root_key_file == "/srv/demo/root-keys.json"
    assert children(PERSON)["PATH"] == "/usr/bin"


def test_without_settings_of_their_own_the_children_get_the_demo_defaults() -> None:
    settings = load_settings(children({"PATH": "/usr/bin"}))
    assert settings.log_format == "console"
    assert settings.host == "127.0.0.1"
    assert settings.public_url == "http://127.0.0.1:8123"
    assert settings.retention_sweep_seconds == 3600

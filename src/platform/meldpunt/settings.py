"""All configuration, read once from ``MELDPUNT_*`` environment variables and validated at start.

Nothing else in the code reads the environment for configuration; a bad value stops the process with a
message naming the variable and what is wrong with it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit, urlunsplit

import msgspec

ENV_PREFIX = "MELDPUNT_"
OWNER_ROLE = "meldpunt_owner"
APP_ROLE = "meldpunt_app"

Port = Annotated[int, msgspec.Meta(ge=1, le=65535)]
Positive = Annotated[int, msgspec.Meta(ge=1)]
PositiveFloat = Annotated[float, msgspec.Meta(gt=0)]


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    """Effective configuration. Field ``x`` is read from ``MELDPUNT_X``."""

    env: Literal["development", "production", "demo", "test"] = "development"
    host: str = "127.0.0.1"
    port: Port = 8000
    log_format: Literal["json", "console"] = "json"
    log_level: Literal["debug", "info", "warning", "error"] = "info"

    database_url: str = f"postgresql+asyncpg://{APP_ROLE}@127.0.0.1:5432/meldpunt"
    migration_database_url: str = f"postgresql+asyncpg://{OWNER_ROLE}@127.0.0.1:5432/meldpunt"
    database_pool_size: Positive = 10
    database_max_overflow: Annotated[int, msgspec.Meta(ge=0)] = 10
    # A server that does not answer (host down, network cut) makes a request wait this long, then 503.
    database_timeout_seconds: PositiveFloat = 10.0

    redis_url: str = "redis://127.0.0.1:6379/0"

    storage_backend: Literal["s3", "directory"] = "directory"
    storage_directory: str = ".meldpunt/objects"
    s3_bucket: str = "meldpunt-dossiers"
    s3_endpoint_url: str = ""
    s3_region: str = "eu-central-1"
    s3_part_size: Annotated[int, msgspec.Meta(ge=5 * 1024 * 1024)] = 8 * 1024 * 1024

    root_key_provider: Literal["local", "kms"] = "local"
    root_key_file: str = ".meldpunt/root-keys.json"
    kms_key_id: str = ""
    kms_endpoint_url: str = ""

    worker_threads: Positive = 4
    outbox_poll_seconds: PositiveFloat = 0.5
    outbox_batch_size: Positive = 100
    heartbeat_seconds: Positive = 30
    retention_sweep_seconds: Positive = 3600
    # How old an object without a document row, or an incomplete upload, must be before reconciliation
    # removes it: longer than any upload takes (an upload's row commits only after its object is stored).
    reconcile_grace_seconds: Annotated[int, msgspec.Meta(ge=0)] = 24 * 3600
    notification_seconds: Positive = 60
    audit_checkpoint_seconds: Positive = 3600
    tenant_key_rotation_days: Annotated[int, msgspec.Meta(ge=1, le=365)] = 30
    key_rotation_check_seconds: Positive = 6 * 3600

    # Outgoing mail: smtp://user:password@host:587 (STARTTLS) or smtps://…:465; empty: messages wait.
    smtp_url: str = ""
    mail_from: str = "Meldpunt <no-reply@meldpunt.invalid>"
    readiness_timeout_seconds: PositiveFloat = 3.0

    tenants_dir: str = ""

    public_url: str = "http://127.0.0.1:8000"
    session_idle_minutes: Annotated[int, msgspec.Meta(ge=1, le=24 * 60)] = 30
    session_absolute_hours: Annotated[int, msgspec.Meta(ge=1, le=72)] = 10
    demo_identity_provider: bool = False
    # A flood (DESIGN §11): above this many submissions a minute at one tenant, those without a solved
    # challenge are marked for bulk dismissal and the challenge gets harder; above the hourly cap (which
    # protects storage) a submission is refused with 429.
    flood_submissions_per_minute: Positive = 30
    submissions_per_tenant_hour: Positive = 3000
    challenge_bits: Annotated[int, msgspec.Meta(ge=0, le=24)] = 12
    challenge_max_bits: Annotated[int, msgspec.Meta(ge=0, le=28)] = 20
    # Signs CSRF tokens and the public side's challenges; the same on every replica. Required in production;
    # elsewhere random per process.
    secret_key: str = ""

    def masked(self) -> dict[str, Any]:
        """The settings as a mapping, with every secret masked, for ``meldpunt config``."""
        shown: dict[str, Any] = {}
        for name in self.__struct_fields__:
            value = getattr(self, name)
            if name.endswith("_url") and isinstance(value, str):
                value = mask_url_password(value)
            elif name.endswith("_key") and value:
                value = "***"
            shown[name] = value
        return shown

    @property
    def session_cookie_secure(self) -> bool:
        """Secure cookies, except on plain-http localhost (the demo and tests)."""
        parts = urlsplit(self.public_url)
        return not (parts.scheme == "http" and parts.hostname in {"127.0.0.1", "localhost", "::1"})

    @property
    def resolved_tenants_dir(self) -> Path:
        """Where `tenants/` lives: the setting, else the checkout's `tenants/` beside `src/`."""
        if self.tenants_dir:
            return Path(self.tenants_dir)
        return Path(__file__).resolve().parents[3] / "tenants"


class SettingsError(ValueError):
    """One or more ``MELDPUNT_*`` variables hold a value that cannot be used."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("Invalid configuration:\n" + "\n".join(f"  - {p}" for p in problems))


def mask_url_password(url: str) -> str:
    """Replace the password in a URL by ``***`` so that it can be printed or logged."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def _describe(error: msgspec.ValidationError) -> str:
    message = str(error)
    return message.split(" - at ", 1)[0].rstrip(".").replace("`", "'")


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read and validate the settings; raise SettingsError naming every bad variable."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    problems: list[str] = []
    for field in msgspec.structs.fields(Settings):
        variable = ENV_PREFIX + field.name.upper()
        raw = environ.get(variable)
        if raw is None:
            continue
        try:
            values[field.name] = msgspec.convert(raw, field.type, strict=False)
        except msgspec.ValidationError as error:
            problems.append(f"{variable}={raw!r}: {_describe(error)}")
    known = {ENV_PREFIX + f.name.upper() for f in msgspec.structs.fields(Settings)}
    problems += [
        f"{name}: unknown setting"
        for name in sorted(environ)
        if name.startswith(ENV_PREFIX) and name not in known and not name.startswith(ENV_PREFIX + "TEST_")
    ]
    settings = Settings(**values) if not problems else None
    if settings is not None:
        problems += _check_urls(settings)
    if problems:
        raise SettingsError(problems)
    assert settings is not None
    return settings


def _check_urls(settings: Settings) -> list[str]:
    problems = []
    for name in ("database_url", "migration_database_url"):
        url = getattr(settings, name)
        if not url.startswith("postgresql+asyncpg://"):
            problems.append(f"{ENV_PREFIX}{name.upper()}: must start with 'postgresql+asyncpg://'")
    if urlsplit(settings.database_url).username != APP_ROLE:
        problems.append(f"{ENV_PREFIX}DATABASE_URL: the application connects as the role '{APP_ROLE}'")
    if urlsplit(settings.redis_url).scheme not in {"redis", "rediss", "unix"}:
        problems.append(f"{ENV_PREFIX}REDIS_URL: must start with 'redis://', 'rediss://' or 'unix://'")
    if settings.env == "production" and len(settings.secret_key) < 32:
        problems.append(f"{ENV_PREFIX}SECRET_KEY: production needs a random secret of at least 32 characters")
    if settings.challenge_max_bits < settings.challenge_bits:
        problems.append(f"{ENV_PREFIX}CHALLENGE_MAX_BITS: must be at least MELDPUNT_CHALLENGE_BITS")
    if settings.demo_identity_provider and settings.env != "demo":
        problems.append(
            f"{ENV_PREFIX}DEMO_IDENTITY_PROVIDER: the built-in demo sign-in exists only in MELDPUNT_ENV=demo"
        )
    public = urlsplit(settings.public_url)
    if public.scheme not in {"http", "https"} or not public.hostname:
        problems.append(f"{ENV_PREFIX}PUBLIC_URL: must be an http(s) URL such as https://meldpunt.example.nl")
    elif settings.env == "production" and public.scheme != "https":
        problems.append(f"{ENV_PREFIX}PUBLIC_URL: production is served over https")
    if settings.root_key_provider == "kms" and not settings.kms_key_id:
        problems.append(f"{ENV_PREFIX}KMS_KEY_ID: required when MELDPUNT_ROOT_KEY_PROVIDER=kms")
    if settings.env == "production" and settings.root_key_provider == "local":
        problems.append(f"{ENV_PREFIX}ROOT_KEY_PROVIDER: production keeps its root key in KMS, not in a file")
    if settings.smtp_url and urlsplit(settings.smtp_url).scheme not in {"smtp", "smtps"}:
        problems.append(f"{ENV_PREFIX}SMTP_URL: must start with 'smtp://' (STARTTLS) or 'smtps://'")
    if settings.storage_backend == "s3" and not settings.s3_bucket:
        problems.append(f"{ENV_PREFIX}S3_BUCKET: required when MELDPUNT_STORAGE_BACKEND=s3")
    return problems

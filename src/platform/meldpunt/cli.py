"""The ``meldpunt`` command: serve, worker, scheduler, migrate, tenants apply, demo, config, routes."""

from __future__ import annotations

import asyncio
import json
import signal
import sys
import threading
from pathlib import Path

import click

from meldpunt.dossiers.signing import install_signer
from meldpunt.logging import configure_logging
from meldpunt.settings import Settings, SettingsError, load_settings


def _settings() -> Settings:
    try:
        settings = load_settings()
    except SettingsError as error:
        click.echo(str(error), err=True)
        sys.exit(2)
    configure_logging(settings)
    install_signer(settings)
    return settings


def _stop_event_on_signals() -> threading.Event:
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    return stop


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Meldpunt: the shared reporting point for unwanted behaviour at work."""


@main.command()
@click.option("--host", default=None, help="Address to listen on (default: MELDPUNT_HOST).")
@click.option("--port", type=int, default=None, help="Port to listen on (default: MELDPUNT_PORT).")
def serve(host: str | None, port: int | None) -> None:
    """Run the web application (public reporting point, professional pages, API)."""
    import uvicorn

    from meldpunt.app import create_app

    settings = _settings()
    # No access log and no proxy-header processing: client addresses are never logged (DESIGN §11).
    uvicorn.run(
        create_app(settings),
        host=host or settings.host,
        port=port or settings.port,
        access_log=False,
        proxy_headers=False,
        server_header=False,
        log_config=None,
        lifespan="on",
    )


@main.command()
def worker() -> None:
    """Run background jobs from Redis and relay the outbox."""
    from meldpunt.job_modules import load_all_jobs
    from meldpunt.jobs.worker import run_worker

    load_all_jobs()
    settings = _settings()
    run_worker(settings, _stop_event_on_signals())


@main.command()
def scheduler() -> None:
    """Enqueue periodic jobs; of several schedulers only the leader fires."""
    from meldpunt.job_modules import load_all_jobs
    from meldpunt.jobs.registry import build_broker
    from meldpunt.jobs.scheduler import Scheduler, schedule_table

    load_all_jobs()
    settings = _settings()

    async def run() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        broker = build_broker(settings.redis_url)
        try:
            await Scheduler(settings, broker, schedule_table(settings)).run(stop)
        finally:
            broker.close()

    asyncio.run(run())


@main.command()
@click.option("--revision", default="head", show_default=True, help="Upgrade to this revision.")
@click.option("--downgrade", "downgrade_to", default=None, help="Downgrade to this revision instead (e.g. base).")
def migrate(revision: str, downgrade_to: str | None) -> None:
    """Create the database roles when missing and migrate the schema (uses MELDPUNT_MIGRATION_DATABASE_URL)."""
    from meldpunt.db.bootstrap import MigrationError
    from meldpunt.db.bootstrap import migrate as run_migrations

    settings = _settings()
    try:
        asyncio.run(run_migrations(settings, downgrade_to=downgrade_to, revision=revision))
    except MigrationError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"database at {'revision ' + downgrade_to if downgrade_to else revision}")


@main.group()
def tenants() -> None:
    """Tenants as code: the branch/member tree in tenants/<branch>/."""


@tenants.command("apply")
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@click.option("--archive-missing", is_flag=True, help="Archive this branch's tenants that no file declares.")
def tenants_apply(path: Path, dry_run: bool, archive_missing: bool) -> None:
    """Create or update the tenants declared under PATH (one branch folder). Never deletes a tenant."""
    from meldpunt.provisioning.files import TenantFileError
    from meldpunt.provisioning.services import apply_tenants_from_path

    settings = _settings()
    try:
        changes = asyncio.run(apply_tenants_from_path(settings, path, dry_run=dry_run, archive_missing=archive_missing))
    except TenantFileError as error:
        raise click.ClickException(str(error)) from error
    for change in changes:
        click.echo(("would " if dry_run else "") + str(change))
    if not changes:
        click.echo("no changes")


@main.group()
def trends() -> None:
    """Sector trends: the protected releases of a branch."""


@trends.command("release")
@click.option("--branch", "slug", required=True, help="The branch (its slug).")
@click.option("--period", required=True, help="A quarter (2026-Q3) or a year (2026) that has ended.")
def trends_release(slug: str, period: str) -> None:
    """Build and audit the branch's releases of PERIOD (each population it lacks). Publication is not done
    here: two administrators of the branch ask for it and approve it."""
    from meldpunt.trends.releases import build_for

    try:
        made = asyncio.run(build_for(_settings(), slug, period))
    except LookupError as error:
        raise click.ClickException(str(error)) from error
    for population, status, hidden in made:
        click.echo(f"{status:8} {slug} {period} {population}: {hidden} cells hidden")
    if any(status == "refused" for _, status, _ in made):
        sys.exit(1)


@main.group()
def audit() -> None:
    """The tamper-evident audit log."""


@audit.command("verify")
@click.option("--tenant", "slug", default=None, help="Only this tenant (its slug).")
def audit_verify(slug: str | None) -> None:
    """Check every chain against its signatures and signed checkpoints; anchor the intact heads with new
    checkpoints. Reports the first broken or missing entry of each chain and exits 1. Runs as the owner
    role (MELDPUNT_MIGRATION_DATABASE_URL): only it sees the advisers' vault chains."""
    from meldpunt.audit.services import verify_tenants
    from meldpunt.dossiers.storage import StorageError

    settings = _settings()
    try:
        results = asyncio.run(verify_tenants(settings, slug))
    except LookupError as error:
        raise click.ClickException(str(error)) from error
    except StorageError as error:
        raise click.ClickException(f"object storage cannot be read, the checkpoints are there ({error})") from error
    broken = False
    for tenant_slug, reports in results:
        for report in reports:
            if report.problem is None:
                click.echo(f"ok      {tenant_slug}{report.label}: {report.intact} entries")
            else:
                broken = True
                click.echo(f"BROKEN  {tenant_slug}{report.label}: entry {report.problem.seq} {report.problem.reason}")
    if broken:
        sys.exit(1)


@main.group()
def keys() -> None:
    """The dossier key hierarchy."""


@keys.command("rotate")
@click.option("--root", is_flag=True, help="New root key material; re-wrap every tenant key.")
@click.option("--tenant", "slug", default=None, help="A new key epoch for this tenant; re-wrap its case keys.")
def keys_rotate(root: bool, slug: str | None) -> None:
    """Re-wrap keys without re-encrypting files (the old wrapping is destroyed)."""
    from meldpunt.dossiers.keys import KeyringError, rotate_keys

    if not root and slug is None:
        raise click.UsageError("say what to rotate: --root and/or --tenant SLUG")
    settings = _settings()
    try:
        for line in asyncio.run(rotate_keys(settings, root=root, tenant_slug=slug)):
            click.echo(line)
    except (LookupError, KeyringError) as error:
        raise click.ClickException(str(error)) from error


@main.group()
def retention() -> None:
    """Retention periods, legal holds and destruction."""


@retention.command("sweep")
@click.option("--dry-run", is_flag=True, help="List what would be destroyed and why; change nothing.")
def retention_sweep(dry_run: bool) -> None:
    """Destroy what is due and not on hold (the scheduler runs this through the worker)."""
    from datetime import UTC, datetime

    from meldpunt.db.engine import create_engine, create_sessionmaker
    from meldpunt.db.tenants import all_tenant_ids
    from meldpunt.dossiers.keys import Keyring, create_root_key
    from meldpunt.dossiers.storage import create_object_store
    from meldpunt.retention.services import purge_tenant
    from meldpunt.vault.services import purge_vaults

    settings = _settings()

    async def run() -> list[str]:
        engine = create_engine(settings, pooled=False)
        sessionmaker = create_sessionmaker(engine)
        try:
            async with sessionmaker() as session:
                tenant_ids = await all_tenant_ids(session)
            keyring, store, now = Keyring(create_root_key(settings)), create_object_store(settings), datetime.now(UTC)
            lines = []
            for tenant_id in tenant_ids:
                lines += await purge_tenant(sessionmaker, keyring, store, tenant_id, now, dry_run=dry_run)
                lines += await purge_vaults(sessionmaker, keyring, tenant_id, now, dry_run=dry_run)
            return lines
        finally:
            await engine.dispose()

    _echo_lines(asyncio.run(run()), "nothing is due")


@retention.command("reconcile")
@click.option("--dry-run", is_flag=True, help="List what would be removed; change nothing.")
@click.option("--grace-seconds", type=click.IntRange(min=0), help="Override MELDPUNT_RECONCILE_GRACE_SECONDS.")
def retention_reconcile(dry_run: bool, grace_seconds: int | None) -> None:
    """Remove objects no document accounts for and uploads never completed (a killed upload's leftovers)."""
    from datetime import UTC, datetime, timedelta

    from meldpunt.db.engine import create_engine, create_sessionmaker
    from meldpunt.dossiers.storage import create_object_store
    from meldpunt.retention.reconcile import reconcile_store

    settings = _settings()
    grace = timedelta(seconds=settings.reconcile_grace_seconds if grace_seconds is None else grace_seconds)

    async def run() -> list[str]:
        engine = create_engine(settings, pooled=False)
        try:
            store = create_object_store(settings)
            return await reconcile_store(create_sessionmaker(engine), store, datetime.now(UTC), grace, dry_run=dry_run)
        finally:
            await engine.dispose()

    _echo_lines(asyncio.run(run()), "nothing to reconcile")


def _echo_lines(lines: list[str], when_none: str) -> None:
    for line in lines:
        click.echo(line)
    if not lines:
        click.echo(when_none)


@main.command()
@click.option(
    "--port", type=int, default=8000, show_default=True, envvar="MELDPUNT_PORT", help="Port of the web application."
)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path(".meldpunt"),
    show_default=True,
    help="Where the demo keeps its database, Redis and objects.",
)
@click.option("--reset", is_flag=True, help="Throw away the demo's data first.")
def demo(port: int, data_dir: Path, reset: bool) -> None:
    """Run everything on this machine with embedded PostgreSQL and Redis (no installation needed)."""
    from meldpunt.demo import run_demo

    sys.exit(run_demo(port=port, data_dir=data_dir, reset=reset))


@main.command("config")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def show_config(as_json: bool) -> None:
    """Print the effective settings, secrets masked."""
    settings = _settings()
    shown = settings.masked()
    if as_json:
        click.echo(json.dumps(shown, indent=2))
        return
    width = max(len(name) for name in shown)
    for name, value in shown.items():
        click.echo(f"MELDPUNT_{name.upper():<{width}}  {value}")


@main.command("routes")
def show_routes() -> None:
    """Print every route with the action it names and the roles that may do it (identity.roles)."""
    from meldpunt.app import create_app
    from meldpunt.identity.dependencies import route_actions
    from meldpunt.identity.roles import ALL_ROLES

    rows = route_actions(create_app(_settings()))
    width = max(len(row.path) for row in rows)
    for row in rows:
        roles = "every role" if set(row.roles) == ALL_ROLES else ", ".join(row.roles) or "-"
        click.echo(f"{row.method:<7} {row.path:<{width}}  {row.action or '-':<15} {roles}  ({row.operation})")

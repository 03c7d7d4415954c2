"""``meldpunt demo``: the whole platform on one machine, with nothing installed by hand.

Starts embedded PostgreSQL and Redis, migrates, applies ``tenants/demo/``, then runs the web app, a
worker and the scheduler as child processes until Ctrl-C. A second run reuses the data directory. The
children get the person's own ``MELDPUNT_*`` settings, overridden only where the embedded services
need it (database and Redis URLs, the directory store and key file, ``env=demo``, the demo sign-in).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import click

from meldpunt.db.bootstrap import migrate
from meldpunt.devserver import ensure_database, start_postgres, start_redis
from meldpunt.provisioning.demo_case import DemoInvitation, invite_demo_accused
from meldpunt.provisioning.demo_complaint import seed_demo_complaint
from meldpunt.provisioning.demo_trends import seed_demo_history
from meldpunt.provisioning.files import load_branch_tree, roles_per_member
from meldpunt.provisioning.services import apply_tenants_from_path
from meldpunt.settings import APP_ROLE, Settings, SettingsError, load_settings

CHILDREN = ("serve", "worker", "scheduler")


def demo_environment(
    environ: Mapping[str, str],
    *,
    port: int,
    data_dir: Path,
    database_url: str,
    migration_url: str,
    redis_url: str,
) -> dict[str, str]:
    """The children's environment: the person's, with only what the embedded services need overridden.

    Every other ``MELDPUNT_*`` setting (intervals, log format, mail, tenants directory …) passes through,
    so a demo runs with the person's settings; the host, log format and public URL only get defaults.
    """
    environment = dict(environ)
    environment.setdefault("MELDPUNT_HOST", "127.0.0.1")
    environment.setdefault("MELDPUNT_LOG_FORMAT", "console")
    environment.setdefault("MELDPUNT_PUBLIC_URL", f"http://127.0.0.1:{port}")
    environment.update(
        {
            "MELDPUNT_ENV": "demo",
            "MELDPUNT_PORT": str(port),
            "MELDPUNT_DATABASE_URL": database_url,
            "MELDPUNT_MIGRATION_DATABASE_URL": migration_url,
            "MELDPUNT_REDIS_URL": redis_url,
            "MELDPUNT_STORAGE_BACKEND": "directory",
            "MELDPUNT_STORAGE_DIRECTORY": str(data_dir / "objects"),
            "MELDPUNT_ROOT_KEY_PROVIDER": "local",
            "MELDPUNT_ROOT_KEY_FILE": str(data_dir / "root-keys.json"),
            "MELDPUNT_DEMO_IDENTITY_PROVIDER": "true",
        }
    )
    return environment


def _stop_children(children: list[subprocess.Popen[bytes]]) -> None:
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 15
    for child in children:
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def _seed_demo(settings: Settings) -> DemoInvitation | None:
    """What the demo makes through the platform's own services: the accused's invitation, the complaint at Het
    Anker, and the marked synthetic history of sector trends."""
    invitation = asyncio.run(invite_demo_accused(settings))
    asyncio.run(seed_demo_complaint(settings))
    history = asyncio.run(seed_demo_history(settings))
    if history:
        click.echo(f"  sector trends: {history} synthetic facts of invented members (marked as such)")
    return invitation


def run_demo(*, port: int, data_dir: Path, reset: bool) -> int:
    """Run the demo in the foreground; return the process exit code."""
    data_dir = data_dir.resolve()
    if reset and data_dir.exists():
        click.echo(f"Removing {data_dir}")
        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    stop_requested = False

    def request_stop(signum: int, frame: object) -> None:
        nonlocal stop_requested
        stop_requested = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)

    click.echo("Starting embedded PostgreSQL and Redis …")
    postgres = start_postgres(data_dir / "postgres")
    redis = start_redis(data_dir / "redis" / "redis.db")
    children: list[subprocess.Popen[bytes]] = []
    try:
        asyncio.run(ensure_database(postgres))
        environment = demo_environment(
            os.environ,
            port=port,
            data_dir=data_dir,
            database_url=postgres.url(APP_ROLE),
            migration_url=postgres.url("postgres"),
            redis_url=redis.url,
        )
        try:
            settings = load_settings(environment)
        except SettingsError as error:
            click.echo(str(error), err=True)
            return 2
        asyncio.run(migrate(settings))
        folder = settings.resolved_tenants_dir / "demo"
        changes = asyncio.run(apply_tenants_from_path(settings, folder))
        for change in changes:
            click.echo(f"  {change}")
        invitation = _seed_demo(settings)
        for command in CHILDREN:
            children.append(subprocess.Popen([sys.executable, "-m", "meldpunt", command], env=environment))  # noqa: S603
        people = roles_per_member(load_branch_tree(folder))
        where = (postgres.url("postgres"), postgres.socket_dir, redis.url, data_dir)
        click.echo(_banner(port, *where, invitation, people))
        while not stop_requested:
            exited = [child for child in children if child.poll() is not None]
            if exited:
                click.echo(f"A demo process stopped unexpectedly (exit {exited[0].returncode}); stopping.", err=True)
                return 1
            time.sleep(0.2)
        click.echo("Stopping …")
        return 0
    finally:
        _stop_children(children)
        redis.stop()
        postgres.stop()


def _people(members: Sequence[tuple[str, list[str], list[str]]]) -> str:
    """Per member the roles its demo people hold and the branch services it uses, wrapped under the label."""
    lines = []
    for name, own, services in members:
        shared = f"; from the branch: {', '.join(services)}" if services else ""
        lines.append(textwrap.fill(f"{name}: {', '.join(own)}{shared}", 84, subsequent_indent="    "))
    return textwrap.indent("\n".join(lines), " " * 18)


def _banner(
    port: int,
    database_url: str,
    socket_dir: str,
    redis_url: str,
    data_dir: Path,
    party: DemoInvitation | None = None,
    people: Sequence[tuple[str, list[str], list[str]]] = (),
) -> str:
    portal = (
        f"""
  Party portal:   {party.link}
                  one-time code {party.code} (the accused of the demo case at De Linde; a new code each start)"""
        if party
        else ""
    )
    return f"""
Meldpunt demo is running.

  Web:            http://127.0.0.1:{port}/
                  (sign in for an organisation, then pick a demo person; every member can seat a panel
                  and carry out a follow-up with the people it has:)
{_people(people)}
  Report:         http://127.0.0.1:{port}/m/de-linde/  (every member has /m/<member>/){portal}
  Readiness:      http://127.0.0.1:{port}/health/ready
  API schema:     http://127.0.0.1:{port}/schema
  PostgreSQL:     {database_url}
                  (psql -h {socket_dir} -U postgres meldpunt)
  Redis:          {redis_url}
  Data directory: {data_dir}

Press Ctrl-C to stop.
"""

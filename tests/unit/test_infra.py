"""The deployment files agree with the code: every setting they name exists, roles are the right ones."""

from __future__ import annotations

import re
from pathlib import Path

import msgspec
import yaml

from meldpunt.settings import APP_ROLE, OWNER_ROLE, Settings

INFRA = Path(__file__).resolve().parents[2] / "infra"
KNOWN = {"MELDPUNT_" + field.name.upper() for field in msgspec.structs.fields(Settings)}


def test_every_setting_named_in_compose_and_helm_exists() -> None:
    compose = yaml.safe_load((INFRA / "compose.yaml").read_text())
    named = set()
    for service in compose["services"].values():
        named |= {key for key in (service.get("environment") or {}) if key.startswith("MELDPUNT_")}
    values = yaml.safe_load((INFRA / "helm" / "meldpunt" / "values.yaml").read_text())
    named |= set(values["settings"])
    assert named and named <= KNOWN, named - KNOWN


def test_the_application_connects_as_meldpunt_app_and_migrations_as_a_superuser_or_owner() -> None:
    compose = yaml.safe_load((INFRA / "compose.yaml").read_text())
    web_url = compose["x-meldpunt"]["environment"]["MELDPUNT_DATABASE_URL"]
    assert web_url.startswith(f"postgresql+asyncpg://{APP_ROLE}:")
    migrate_url = compose["services"]["migrate"]["environment"]["MELDPUNT_MIGRATION_DATABASE_URL"]
    assert migrate_url.startswith("postgresql+asyncpg://postgres:")


def test_every_process_is_started_with_a_real_command() -> None:
    compose = yaml.safe_load((INFRA / "compose.yaml").read_text())
    commands = {name: service.get("command", [None])[0] for name, service in compose["services"].items()}
    assert commands["web"] == "serve" and commands["worker"] == "worker" and commands["scheduler"] == "scheduler"
    assert commands["migrate"] == "migrate"
    from meldpunt.cli import main

    assert {"serve", "worker", "scheduler", "migrate"} <= set(main.commands)


def test_the_chart_probes_the_health_endpoints_and_runs_without_root() -> None:
    templates = INFRA / "helm" / "meldpunt" / "templates"
    web = (templates / "deployment-web.yaml").read_text()
    assert "/health/live" in web and "/health/ready" in web
    helpers = (templates / "_helpers.tpl").read_text()
    assert "runAsNonRoot: true" in helpers and "readOnlyRootFilesystem: true" in helpers
    assert yaml.safe_load((INFRA / "helm" / "meldpunt" / "Chart.yaml").read_text())["apiVersion"] == "v2"
    for path in templates.glob("*.yaml"):
        for args in re.findall(r"\(list ([^)]*)\)", path.read_text()):
            assert "," not in args, f"{path.name}: helm's list takes space-separated arguments"


def test_roles_sql_creates_the_two_roles_without_bypassing_rls() -> None:
    sql = (INFRA / "roles.sql").read_text()
    assert f"CREATE ROLE {OWNER_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS" in sql
    assert f"CREATE ROLE {APP_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE" in sql


def test_the_image_runs_as_a_non_root_user() -> None:
    containerfile = (INFRA / "Containerfile").read_text()
    assert "USER 10001" in containerfile and 'ENTRYPOINT ["meldpunt"]' in containerfile


ROOT = INFRA.parent


def test_the_project_is_licensed_under_the_eupl_with_the_text_and_the_classifier() -> None:
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["license"] == "EUPL-1.2"
    assert "License :: OSI Approved :: European Union Public Licence 1.2 (EUPL 1.2)" in project["classifiers"]
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("EUROPEAN UNION PUBLIC LICENCE v. 1.2")
    assert "Compatible Licences" in text and "GNU General Public License (GPL) v. 2, v. 3" in text


def _path_without_chromium(bin_dir: Path, apt_log: Path, uid: int) -> str:
    """A PATH with every tool of this machine but Chromium, a recording apt-get and an ``id`` of ``uid``."""
    import os

    for folder in os.environ["PATH"].split(os.pathsep):
        if not Path(folder).is_dir():
            continue
        for tool in Path(folder).iterdir():
            target = bin_dir / tool.name
            if tool.name.startswith("chromium") or target.exists() or tool.name in {"apt-get", "id"}:
                continue
            target.symlink_to(tool)
    (bin_dir / "apt-get").write_text(f'#!/bin/sh\necho "$@" >> {apt_log}\n')
    (bin_dir / "id").write_text(f"#!/bin/sh\necho {uid}\n")
    for fake in ("apt-get", "id"):
        (bin_dir / fake).chmod(0o755)
    return str(bin_dir)


def test_the_test_bootstrap_installs_chromium_as_root_and_says_what_it_needs_otherwise(tmp_path: Path) -> None:
    import subprocess

    for uid, expect_install in ((0, True), (1000, False)):
        bin_dir, apt_log = tmp_path / f"bin{uid}", tmp_path / f"apt{uid}.log"
        bin_dir.mkdir()
        env = {"PATH": _path_without_chromium(bin_dir, apt_log, uid), "HOME": str(tmp_path)}
        done = subprocess.run(
            [str(ROOT / "scripts" / "bootstrap"), "test"], env=env, capture_output=True, text=True, timeout=600
        )
        assert done.returncode == 0, done.stderr
        installed = apt_log.read_text() if apt_log.exists() else ""
        if expect_install:
            assert "install -y -qq chromium" in installed
        else:
            assert installed == ""
            assert "apt-get install -y chromium" in done.stderr

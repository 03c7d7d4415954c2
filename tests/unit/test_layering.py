"""DESIGN §4: dependencies point inward. Platform modules import no domain module; no domain module imports web/."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "platform" / "meldpunt"
PLATFORM = ("db", "audit", "dossiers", "jobs")
DOMAIN = ("tenancy", "identity", "intake", "cases", "complaints", "retention", "trends", "notifications")


def imported_modules(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
    return {name for name in found if name.startswith("meldpunt.")}


def files_of(folder: str) -> list[Path]:
    return sorted((PACKAGE / folder).rglob("*.py")) if (PACKAGE / folder).is_dir() else []


@pytest.mark.parametrize("folder", PLATFORM)
def test_platform_modules_import_no_domain_module(folder: str) -> None:
    for path in files_of(folder):
        bad = {m for m in imported_modules(path) if m.split(".")[1] in DOMAIN}
        assert not bad, f"{path.relative_to(PACKAGE)} imports {sorted(bad)}"


@pytest.mark.parametrize("folder", DOMAIN)
def test_no_domain_module_imports_web(folder: str) -> None:
    for path in files_of(folder):
        bad = {m for m in imported_modules(path) if m.split(".")[1] == "web" or m == "meldpunt.app"}
        assert not bad, f"{path.relative_to(PACKAGE)} imports {sorted(bad)}"

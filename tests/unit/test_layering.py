"""DESIGN §4: the floor order. The import-linter contract in pyproject.toml ([tool.importlinter]) is the rule;
this test runs it, so an import that points up (or a module given no floor) fails pytest as well as
``scripts/test``'s own ``lint-imports`` line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def test_every_import_points_down_the_floors() -> None:
    result = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(ROOT / "pyproject.toml")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout

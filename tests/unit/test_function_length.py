"""No function in ``src/`` is longer than 60 lines (issue 11): a longer one is a dispatcher or a page that holds
rules, split it."""

from __future__ import annotations

import ast
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[2] / "src" / "platform" / "meldpunt"
LIMIT = 60


def test_no_function_in_src_is_longer_than_sixty_lines() -> None:
    long = []
    for path in sorted(SOURCE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > LIMIT:
                    long.append(f"{path.relative_to(SOURCE)}::{node.name} ({length} lines)")
    assert not long, long

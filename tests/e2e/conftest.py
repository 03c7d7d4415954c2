"""A real browser (Debian's Chromium, driven by Playwright) against the app served by uvicorn on loopback."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from meldpunt.settings import Settings
from tests.support.served import served_app

CHROMIUM_HINT = (
    "The browser tests need Chromium on PATH: `apt-get install -y chromium` (make test does it when run as root)."
)
AXE = Path(__file__).resolve().parents[1] / "support" / "browser" / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="session")
def chromium_path() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        raise RuntimeError(CHROMIUM_HINT)
    return found


@pytest.fixture(scope="session")
def served(settings: Settings) -> Iterator[str]:
    """The application on a free loopback port, in a thread of this process, until the session ends."""
    with served_app(settings) as base:
        yield base


BROWSER_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

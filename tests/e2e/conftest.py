"""A real browser (Debian's Chromium, driven by Playwright) against the app served by uvicorn on loopback."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from msgspec.structs import replace

from meldpunt.app import create_app
from meldpunt.settings import Settings

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
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    app = create_app(replace(settings, public_url=base))
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, access_log=False, log_config=None, lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield base
    server.should_exit = True
    thread.join(timeout=10)


BROWSER_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

"""Runs the npm ``oidc-provider`` (tests/support/oidc/provider.mjs) on a loopback port for login tests,
and plays the browser through its development login form."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import httpx

HERE = Path(__file__).resolve().parent / "oidc"
INSTALL_HINT = (
    "The login tests need Node.js (>= 20) and the npm package oidc-provider: "
    "install Node.js and run `npm ci --prefix tests/support/oidc` (make test and .ci/run do this)."
)


@dataclass(frozen=True)
class OidcClient:
    client_id: str
    client_secret: str
    redirect_uri: str


@dataclass
class RunningProvider:
    issuer: str
    process: subprocess.Popen[str]

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def start_provider(
    clients: list[OidcClient], email_domain: str = "example.test", id_token_ttl: int = 60
) -> RunningProvider:
    node = shutil.which("node")
    if node is None or not (HERE / "node_modules" / "oidc-provider").is_dir():
        raise RuntimeError(INSTALL_HINT)
    port = free_port()
    issuer = f"http://127.0.0.1:{port}"
    environment = {
        **os.environ,
        "PORT": str(port),
        "ISSUER": issuer,
        "EMAIL_DOMAIN": email_domain,
        "ID_TOKEN_TTL": str(id_token_ttl),
        "CLIENTS": json.dumps(
            [
                {"client_id": c.client_id, "client_secret": c.client_secret, "redirect_uris": [c.redirect_uri]}
                for c in clients
            ]
        ),
    }
    process = subprocess.Popen(
        [node, str(HERE / "provider.mjs")],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=HERE,
    )
    assert process.stdout is not None
    ready = threading.Event()
    lines: list[str] = []

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)
            if line.startswith("READY "):
                ready.set()

    threading.Thread(target=read, daemon=True).start()
    if not ready.wait(timeout=30):
        process.kill()
        raise RuntimeError("oidc-provider did not start:\n" + "".join(lines))
    return RunningProvider(issuer, process)


def sign_in_at_provider(authorization_url: str, username: str) -> str:
    """Play the user at the provider's development login and consent forms; return the redirect to the app."""
    with httpx.Client(follow_redirects=False, timeout=10) as browser:
        response = browser.get(authorization_url)
        for _ in range(10):
            location = response.headers.get("location")
            if response.status_code in (302, 303) and location:
                target = urljoin(str(response.url), location)
                if not target.startswith(authorization_url.split("/auth")[0]):
                    return target
                response = browser.get(target)
                continue
            page = response.text
            action = str(response.url)
            if 'name="login"' in page:
                response = browser.post(action, data={"prompt": "login", "login": username, "password": "x"})
            elif 'name="prompt" value="consent"' in page or "Authorize" in page:
                response = browser.post(action, data={"prompt": "consent"})
            else:
                raise AssertionError(f"unexpected provider page {response.status_code}: {page[:500]}")
        raise AssertionError("the provider never redirected back to the application")

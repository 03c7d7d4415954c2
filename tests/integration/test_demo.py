"""``meldpunt demo``: starts on free ports in a fresh directory, is ready, stops, and keeps its data."""

from __future__ import annotations

import asyncio
import html
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

ACCESS_LOG_LINE = re.compile(r"\d+\.\d+\.\d+\.\d+:\d+ - \"")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class DemoProcess:
    def __init__(self, port: int, data_dir: Path) -> None:
        environment = {k: v for k, v in os.environ.items() if not k.startswith("MELDPUNT_")}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "meldpunt", "demo", "--port", str(port), "--data-dir", str(data_dir)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=environment,
            text=True,
        )
        self.lines: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def wait_until_ready(self, port: int, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"the demo stopped early:\n{self.output}"
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health/ready", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.25)
        raise AssertionError(f"the demo was not ready within {timeout} s:\n{self.output}")

    def database_url(self) -> str:
        match = re.search(r"PostgreSQL:\s+(\S+)", self.output)
        assert match, self.output
        return match.group(1)

    def stop(self) -> int:
        self.process.send_signal(signal.SIGINT)
        code = self.process.wait(timeout=60)
        self.reader.join(timeout=5)
        return code


# What each demo person sees after signing in through the demo's own OpenID provider.
DEMO_PEOPLE = {
    "sanne": {"zorg-welzijn": ["adviser"], "de-linde": ["adviser"], "het-anker": ["adviser"]},
    "ahmed": {"zorg-welzijn": ["process_guardian"], "de-linde": ["process_guardian"]},
    "ingrid": {"zorg-welzijn": ["committee_chair"], "de-linde": ["committee_chair"], "het-anker": ["committee_chair"]},
    "kees": {"zorg-welzijn": ["sector_board"]},
    "marloes": {"de-linde": ["decision_maker"]},
    "tom": {"de-linde": ["dpo", "tenant_admin"]},
    "noor": {"de-linde": ["reporting_point"]},
}


def roles_after_demo_sign_in(port: int, person: str, tenant: str = "de-linde") -> dict[str, list[str]]:
    """Play the browser: sign in for a tenant, pick the person at the demo provider, read /api/v1/me."""
    base = f"http://127.0.0.1:{port}"
    with httpx.Client(base_url=base, follow_redirects=False, timeout=10) as browser:
        to_provider = browser.get("/auth/login", params={"tenant": tenant})
        assert to_provider.status_code == 302, to_provider.text
        picker = browser.get(to_provider.headers["location"])
        assert picker.status_code == 200 and f'value="{person}"' in picker.text
        fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', picker.text))
        back = browser.post(
            "/demo-idp/authorize", data={**{k: html.unescape(v) for k, v in fields.items()}, "subject": person}
        )
        assert back.status_code == 303
        signed_in = browser.get(back.headers["location"].removeprefix(base))
        assert signed_in.status_code == 303, signed_in.text
        shell = browser.get(signed_in.headers["location"], headers={"accept": "text/html"})
        assert shell.status_code in (200, 403)
        me = browser.get("/api/v1/me").json()
        return {entry["slug"]: entry["roles"] for entry in me["tenants"]}


async def tenants_in(database_url: str) -> list[tuple[str, str]]:
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(text("SELECT slug, id::text FROM tenants ORDER BY slug"))
            return [(row.slug, row.id) for row in rows]
    finally:
        await engine.dispose()


def run_once(port: int, data_dir: Path) -> tuple[list[tuple[str, str]], str]:
    demo = DemoProcess(port, data_dir)
    try:
        demo.wait_until_ready(port)
        public = httpx.get(f"http://127.0.0.1:{port}/api/v1/public/de-linde", timeout=5)
        assert public.status_code == 200 and public.json()["branch"]["slug"] == "zorg-welzijn"
        for person, expected in DEMO_PEOPLE.items():
            assert roles_after_demo_sign_in(port, person) == expected, person
        tenants = asyncio.run(tenants_in(demo.database_url()))
    finally:
        code = demo.stop()
    assert code == 0, demo.output
    return tenants, demo.output


def test_the_demo_starts_is_ready_stops_cleanly_and_keeps_its_tenants(tmp_path: Path) -> None:
    port = free_port()
    data_dir = tmp_path / "demo"
    first, first_output = run_once(port, data_dir)
    assert [slug for slug, _ in first] == ["de-linde", "het-anker", "zorg-welzijn", "zorggroep-oost"]
    assert "create member de-linde" in first_output
    second, second_output = run_once(port, data_dir)
    assert second == first
    assert "create member" not in second_output
    for output in (first_output, second_output):
        assert not ACCESS_LOG_LINE.search(output), "the ASGI server printed an access log with client addresses"
        assert "Traceback" not in output

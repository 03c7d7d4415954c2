"""A flood at one member while a real reporter submits, against an idle baseline measured in the same run.

Starts what it needs on loopback: PostgreSQL (MELDPUNT_TEST_DATABASE_URL, a superuser URL, when set, else an
embedded server), a throw-away Redis of its own, and the application (``meldpunt serve``, one process).
A real reporter submits through the form and through the API, solving the proof-of-work challenge in
Python as the page's script does (the solving happens while a person types, so it is reported apart and
not counted in the latency). Then one client floods the same member with API submissions without a
solution (``--concurrency`` connections, at most ``--seconds`` and ``--max`` submissions) while the real
reporter submits again. Idle and flooded phases alternate (``--phases``), so that the load of the rest
of the machine falls on both alike. Printed: the flood's accepted rate and marks, and the real
reporter's median latency under the flood against idle. Target: every real submission accepted,
unmarked, at most 2x slower.

    .venv/bin/python benchmarks/flood.py [--rounds 8] [--phases 3] [--seconds 20] [--max 5000] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import asyncpg
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.conftest import create_database, drop_database, with_user_and_database
from tests.support.redis_server import start_throwaway_redis

from meldpunt.db.bootstrap import migrate
from meldpunt.intake.challenge import solve
from meldpunt.settings import APP_ROLE, OWNER_ROLE, Settings

REPORT: dict[str, Any] = {
    "kind": "report",
    "anonymity": "anonymous_with_contact",
    "category": "bullying",
    "reporter_role": "employee",
    "reporter_is_affected": True,
    "narrative": "Mijn collega scheldt mij elke ochtend uit bij de koffieautomaat.",
    "attributes": {},
    "wishes": ["listening_ear"],
}
FORM = {
    "kind": "report",
    "anonymity": "anonymous_with_contact",
    "category": "bullying",
    "reporter_role": "employee",
    "reporter_is_affected": "true",
    "narrative": REPORT["narrative"],
    "wishes": "listening_ear",
}
JUNK = {**REPORT, "category": "unclear", "narrative": "x"}  # the flood's; the real reporter's category differs
ALONE_SECONDS = 3.0
CHALLENGE_FIELD = re.compile(r'name="challenge" value="([^"]+)" data-bits="(\d+)"')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def asyncpg_url(url: str) -> str:
    return "postgresql+asyncpg://" + url.split("://", 1)[1]


async def prepare_database(superuser_url: str, database: str) -> tuple[str, str]:
    """A fresh, migrated database with one branch and one member; the member's slug and the app's URL."""
    await create_database(superuser_url, database)
    superuser = superuser_url.split("//")[1].split("@")[0] or "postgres"
    await migrate(
        Settings(
            database_url=with_user_and_database(superuser_url, APP_ROLE, database),
            migration_database_url=with_user_and_database(superuser_url, superuser, database),
        )
    )
    owner = await asyncpg.connect(with_user_and_database(superuser_url, OWNER_ROLE, database).replace("+asyncpg", ""))
    branch, member = uuid.uuid4(), uuid.uuid4()
    slug = f"lid-{secrets.token_hex(3)}"
    try:
        for tenant_id, kind, parent, name in ((branch, "branch", None, "Branche"), (member, "member", branch, slug)):
            await owner.execute(
                "INSERT INTO tenants (id, slug, kind, branch_id, display_name, locale, fte, sector_code, "
                "branch_services, branding, identity_provider, procedure) VALUES ($1, $2, $3, $4, $5, 'nl', 50, "
                "'88', '{}', '{}', '{}', '{}')",
                tenant_id,
                name if kind == "member" else f"branche-{secrets.token_hex(3)}",
                kind,
                parent,
                f"Organisatie {name}",
            )
    finally:
        await owner.close()
    return slug, with_user_and_database(superuser_url, APP_ROLE, database)


def start_app(database_url: str, redis_url: str, directory: Path, port: int) -> subprocess.Popen[bytes]:
    environment = {name: value for name, value in os.environ.items() if not name.startswith("MELDPUNT_")}
    environment.update(
        {
            "MELDPUNT_ENV": "development",
            "MELDPUNT_DATABASE_URL": database_url,
            "MELDPUNT_MIGRATION_DATABASE_URL": database_url,
            "MELDPUNT_REDIS_URL": redis_url,
            "MELDPUNT_STORAGE_DIRECTORY": str(directory / "objects"),
            "MELDPUNT_ROOT_KEY_FILE": str(directory / "root-keys.json"),
            "MELDPUNT_SECRET_KEY": secrets.token_urlsafe(32),
            "MELDPUNT_PUBLIC_URL": f"http://127.0.0.1:{port}",
            "MELDPUNT_LOG_LEVEL": "warning",
        }
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "meldpunt", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health/live", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("the application did not start")


class Reporter:
    """A real reporter: fetches the form or a challenge, solves it (apart), sends the report."""

    def __init__(self, base: str, slug: str) -> None:
        self.client = httpx.AsyncClient(base_url=base, timeout=120)
        self.slug = slug
        self.solving: list[float] = []

    async def _solve(self, challenge: str, bits: int) -> str:
        started = time.perf_counter()
        answer = await asyncio.to_thread(solve, challenge, bits)
        self.solving.append(time.perf_counter() - started)
        return answer

    async def by_form(self) -> float:
        started = time.perf_counter()
        page = await self.client.get(f"/m/{self.slug}/melden", headers={"accept": "text/html"})
        waited = time.perf_counter() - started
        found = CHALLENGE_FIELD.search(page.text)
        assert page.status_code == 200 and found, page.status_code
        answer = await self._solve(found.group(1), int(found.group(2)))
        started = time.perf_counter()
        sent = await self.client.post(
            f"/m/{self.slug}/melden",
            data={**FORM, "challenge": found.group(1), "answer": answer},
            headers={"accept": "text/html"},
        )
        assert sent.status_code == 200 and 'data-testid="receipt"' in sent.text, sent.status_code
        return waited + time.perf_counter() - started

    async def by_api(self) -> float:
        started = time.perf_counter()
        issued = (await self.client.get(f"/api/v1/public/{self.slug}/challenge")).json()
        waited = time.perf_counter() - started
        answer = await self._solve(issued["challenge"], issued["bits"])
        started = time.perf_counter()
        sent = await self.client.post(
            f"/api/v1/public/{self.slug}/submissions",
            json=REPORT,
            headers={"meldpunt-challenge": issued["challenge"], "meldpunt-answer": answer},
        )
        assert sent.status_code == 201, sent.text
        return waited + time.perf_counter() - started

    async def rounds(self, count: int) -> tuple[list[float], list[float]]:
        form, api = [], []
        for _ in range(count):
            form.append(await self.by_form())
            api.append(await self.by_api())
        return form, api


async def flood(
    base: str, slug: str, seconds: float, limit: int, concurrency: int, stop: asyncio.Event, accepted_at: list[float]
) -> Counter[int]:
    """One client, ``concurrency`` connections, API submissions without a solution, as fast as answered."""
    statuses: Counter[int] = Counter()
    ends = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as client:

        async def one_connection() -> None:
            while not stop.is_set() and time.monotonic() < ends and sum(statuses.values()) < limit:
                response = await client.post(f"/api/v1/public/{slug}/submissions", json=JUNK)
                statuses[response.status_code] += 1
                if response.status_code == 201:
                    accepted_at.append(time.monotonic())

        await asyncio.gather(*(one_connection() for _ in range(concurrency)))
    return statuses


async def count_marks(database_url: str) -> tuple[int, int]:
    """Marked submissions of the flood, and of the real reporter (told apart by their category)."""
    connection = await asyncpg.connect(database_url.replace("+asyncpg", ""))
    try:
        async with connection.transaction():
            ids = [str(row["id"]) for row in await connection.fetch("SELECT id FROM tenants")]
            await connection.execute(f"SET LOCAL meldpunt.tenant_ids = '{{{','.join(ids)}}}'")
            row = await connection.fetchrow(
                "SELECT count(*) FILTER (WHERE flood_marked AND category = 'unclear') AS junk, "
                "count(*) FILTER (WHERE flood_marked AND category = 'bullying') AS real FROM cases"
            )
            return int(row["junk"]), int(row["real"])
    finally:
        await connection.close()


async def run(arguments: argparse.Namespace, superuser_url: str, directory: Path) -> dict[str, Any]:
    database = f"meldpunt_flood_{secrets.token_hex(4)}"
    slug, database_url = await prepare_database(superuser_url, database)
    redis = start_throwaway_redis(directory)
    port = free_port()
    app = start_app(database_url, redis.url, directory, port)
    base = f"http://127.0.0.1:{port}"
    idle: dict[str, list[float]] = {"form": [], "api": []}
    flooded: dict[str, list[float]] = {"form": [], "api": []}
    solving: dict[str, list[float]] = {"idle": [], "flood": []}
    statuses: Counter[int] = Counter()
    flood_seconds = alone_seconds = 0.0
    alone_accepted = 0
    try:
        reporter = Reporter(base, slug)
        await reporter.rounds(2)  # warm-up
        # Idle and flooded phases alternate, so that the load of the rest of the machine falls on both alike.
        for _ in range(arguments.phases):
            reporter.solving.clear()
            form, api = await reporter.rounds(arguments.rounds)
            idle["form"] += form
            idle["api"] += api
            solving["idle"] += reporter.solving
            stop = asyncio.Event()
            started = time.monotonic()
            accepted_at: list[float] = []
            flooding = asyncio.create_task(
                flood(base, slug, arguments.seconds, arguments.max, arguments.concurrency, stop, accepted_at)
            )
            await asyncio.sleep(ALONE_SECONDS)  # the flood alone; the challenge gets harder
            alone_accepted += sum(1 for at in accepted_at if at <= started + ALONE_SECONDS)
            alone_seconds += ALONE_SECONDS
            reporter.solving.clear()
            form, api = await reporter.rounds(arguments.rounds)
            flooded["form"] += form
            flooded["api"] += api
            solving["flood"] += reporter.solving
            stop.set()
            statuses += await flooding
            flood_seconds += time.monotonic() - started
        marks = await count_marks(database_url)
        await reporter.client.aclose()
    finally:
        app.terminate()
        app.wait(timeout=30)
        redis.kill()
        await drop_database(superuser_url, database)
    return {
        "idle_form_ms": statistics.median(idle["form"]) * 1000,
        "idle_api_ms": statistics.median(idle["api"]) * 1000,
        "flood_form_ms": statistics.median(flooded["form"]) * 1000,
        "flood_api_ms": statistics.median(flooded["api"]) * 1000,
        "flood_form_p90_ms": statistics.quantiles(flooded["form"], n=10)[-1] * 1000,
        "flood_api_p90_ms": statistics.quantiles(flooded["api"], n=10)[-1] * 1000,
        "flood_sent": sum(statuses.values()),
        "flood_statuses": dict(statuses),
        "flood_seconds": flood_seconds,
        "flood_accepted_per_second": statuses.get(201, 0) / flood_seconds,
        "flood_alone_accepted_per_second": alone_accepted / alone_seconds,
        "flood_marked": marks[0],
        "real_submissions": 2 * arguments.rounds * 2 * arguments.phases + 4,
        "real_submissions_marked": marks[1],
        "solving_idle_ms": statistics.median(solving["idle"]) * 1000,
        "solving_flood_ms": statistics.median(solving["flood"]) * 1000,
    }


def report(result: dict[str, Any]) -> None:
    print(
        f"flood: {result['flood_sent']} sent by one client in {result['flood_seconds']:.1f} s, "
        f"statuses {result['flood_statuses']}, accepted {result['flood_accepted_per_second']:.1f}/s "
        f"({result['flood_alone_accepted_per_second']:.1f}/s while no real reporter sends; theirs go first), "
        f"{result['flood_marked']} marked for bulk dismissal"
    )
    for kind, name in (("form", "form"), ("api", "API ")):
        ratio = result[f"flood_{kind}_ms"] / result[f"idle_{kind}_ms"]
        print(
            f"real reporter, {name}: idle {result[f'idle_{kind}_ms']:.0f} ms, during the flood "
            f"{result[f'flood_{kind}_ms']:.0f} ms (p90 {result[f'flood_{kind}_p90_ms']:.0f} ms), "
            f"ratio {ratio:.2f} (target <= 2)"
        )
    print(
        f"real reporter's submissions: {result['real_submissions']} accepted, "
        f"{result['real_submissions_marked']} marked (target 0); solving the challenge while typing: "
        f"idle {result['solving_idle_ms']:.0f} ms, during the flood {result['solving_flood_ms']:.0f} ms "
        "(not in the latency)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=8, help="real submissions of each kind per phase")
    parser.add_argument("--phases", type=int, default=3, help="idle and flooded phases, alternating")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--max", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=8)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="meldpunt-flood-") as temporary:
        directory = Path(temporary)
        configured = os.environ.get("MELDPUNT_TEST_DATABASE_URL")
        postgres = None
        if configured:
            superuser_url = asyncpg_url(configured)
        else:
            from meldpunt.devserver import start_postgres

            postgres = start_postgres(directory / "pg")
            superuser_url = postgres.url("postgres", "postgres")
        try:
            result = asyncio.run(run(arguments, superuser_url, directory))
        finally:
            if postgres is not None:
                postgres.stop()
    report(result)
    print(json.dumps(result))


if __name__ == "__main__":
    main()

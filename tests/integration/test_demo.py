"""``meldpunt demo``: starts on free ports in a fresh directory, is ready, stops, and keeps its data."""

from __future__ import annotations

import asyncio
import html
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from tests.integration.cases.test_case_handling import LADDER_OPTIONS

ACCESS_LOG_LINE = re.compile(r"\d+\.\d+\.\d+\.\d+:\d+ - \"")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class DemoProcess:
    def __init__(self, port: int, data_dir: Path, settings: dict[str, str] | None = None) -> None:
        environment = {k: v for k, v in os.environ.items() if not k.startswith("MELDPUNT_")} | (settings or {})
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


# What each demo person sees after signing in through the demo's own OpenID provider: the branch's people
# also hold their role in the members that use that branch service (De Linde and Het Anker).
SHARED = ("zorg-welzijn", "de-linde", "het-anker")
DEMO_PEOPLE = {
    **{person: {where: ["adviser"] for where in SHARED} for person in ("sanne", "bram")},
    **{person: {where: ["process_guardian"] for where in SHARED} for person in ("ahmed", "wilma")},
    "ingrid": {where: ["committee_chair"] for where in SHARED},
    **{person: {where: ["committee_member"] for where in SHARED} for person in ("joost", "sevgi")},
    **{person: {where: ["committee_secretary"] for where in SHARED} for person in ("mirjam", "pieter")},
    **{person: {where: ["mediator"] for where in SHARED} for person in ("hanneke", "erik")},
    "kees": {"zorg-welzijn": ["sector_board"]},
    "marloes": {"de-linde": ["decision_maker", "line_manager"]},
    "hans": {"de-linde": ["decision_maker"]},
    "tom": {"de-linde": ["dpo", "tenant_admin"]},
    "noor": {"de-linde": ["reporting_point"]},
    "femke": {"de-linde": ["expert"]},
    "anouk": {"de-linde": ["line_manager"]},
    "petra": {"de-linde": ["hr"]},
    "yvonne": {"de-linde": ["facilitator"]},
    "jesse": {"het-anker": ["reporting_point"]},
    "karin": {"het-anker": ["decision_maker", "line_manager"]},
    "rob": {"het-anker": ["decision_maker"]},
    "priya": {"het-anker": ["expert"]},
    **{person: {"het-anker": ["line_manager"]} for person in ("esther", "mark")},
    "sevda": {"het-anker": ["hr"]},
    "jeroen": {"het-anker": ["facilitator"]},
    "wendy": {"het-anker": ["dpo", "tenant_admin"]},
    "lotte": {"zorggroep-oost": ["reporting_point"]},
    **{person: {"zorggroep-oost": ["adviser"]} for person in ("fatima", "gerrit")},
    **{person: {"zorggroep-oost": ["decision_maker"]} for person in ("annemieke", "marieke")},
    "sander": {"zorggroep-oost": ["decision_maker", "line_manager"]},
    **{person: {"zorggroep-oost": ["expert"]} for person in ("nadia", "paul")},
    **{person: {"zorggroep-oost": ["process_guardian"]} for person in ("henk", "ilse")},
    "carla": {"zorggroep-oost": ["committee_chair"]},
    "wouter": {"zorggroep-oost": ["committee_member"]},
    "monique": {"zorggroep-oost": ["committee_secretary"]},
    **{person: {"zorggroep-oost": ["line_manager"]} for person in ("johan", "saskia")},
    "bas": {"zorggroep-oost": ["hr"]},
    "marleen": {"zorggroep-oost": ["facilitator"]},
    "thijs": {"zorggroep-oost": ["mediator"]},
    "peter": {"zorggroep-oost": ["investigator"]},
    "eva": {"zorggroep-oost": ["dpo"]},
    "ruben": {"zorggroep-oost": ["tenant_admin"]},
}
POOLED_GUARDIANS = {"Ahmed El Amrani": "ahmed", "Wilma Dekker": "wilma"}


def picker_groups(port: int) -> dict[str, list[str]]:
    """The demo provider's picker: the people (by subject) under each organisation's heading, in order."""
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", follow_redirects=False, timeout=20) as browser:
        picker = browser.get(browser.get("/auth/login", params={"tenant": "het-anker"}).headers["location"])
    groups: dict[str, list[str]] = {}
    for heading, people in re.findall(r"<h2>([^<]+)</h2><ul class=\"people\">(.*?)</ul>", picker.text):
        groups[html.unescape(heading)] = re.findall(r'name="subject" value="([^"]+)"', people)
    return groups


def roles_after_demo_sign_in(port: int, person: str, tenant: str = "de-linde") -> dict[str, list[str]]:
    """Play the browser: sign in for a tenant, pick the person at the demo provider, read /api/v1/me."""
    with signed_in(port, person, tenant) as browser:
        me = browser.get("/api/v1/me").json()
        return {entry["slug"]: entry["roles"] for entry in me["tenants"]}


@contextmanager
def signed_in(port: int, person: str, tenant: str = "de-linde") -> Iterator[httpx.Client]:
    """A client signed in as ``person`` through the demo's own OpenID provider, with its CSRF header."""
    base = f"http://127.0.0.1:{port}"
    with httpx.Client(base_url=base, follow_redirects=False, timeout=20) as browser:
        to_provider = browser.get("/auth/login", params={"tenant": tenant})
        assert to_provider.status_code == 302, to_provider.text
        picker = browser.get(to_provider.headers["location"])
        assert picker.status_code == 200 and f'value="{person}"' in picker.text
        fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', picker.text))
        back = browser.post(
            "/demo-idp/authorize", data={**{k: html.unescape(v) for k, v in fields.items()}, "subject": person}
        )
        assert back.status_code == 303
        callback = browser.get(back.headers["location"].removeprefix(base))
        assert callback.status_code == 303, callback.text
        shell = browser.get(callback.headers["location"], headers={"accept": "text/html"})
        assert shell.status_code in (200, 403)
        browser.get("/api/v1/me")
        browser.headers["x-csrf-token"] = browser.cookies.get("mp_csrf") or ""
        yield browser


# Issue 5's "done when": a newcomer reports anonymously at each demo member, comes back with the receipt
# and talks with the reporting point, who answers.
POINTS = {"de-linde": "noor", "het-anker": "jesse", "zorggroep-oost": "lotte"}
FORM = {
    "kind": "report",
    "anonymity": "anonymous_with_contact",
    "category": "bullying",
    "reporter_role": "employee",
    "reporter_is_affected": "true",
    "accused_role": "manager",
    "setting": "workplace",
    "narrative": "Mijn teamleider kleineert mij in elk overleg.",
}


def report_and_talk(port: int, member: str, person: str) -> str:
    base = f"http://127.0.0.1:{port}"
    with httpx.Client(base_url=base, timeout=20) as reporter:
        done = reporter.post(f"/m/{member}/melden", data=FORM)
        assert done.status_code == 200, done.text
        receipt = re.search(r'data-testid="receipt">([\d ]+)<', done.text).group(1)  # type: ignore[union-attr]
        assert not reporter.cookies
    with signed_in(port, person, member) as point:
        listed = point.get("/api/v1/submissions").json()
        case = next(item["id"] for item in listed if item["tenant"] == member and not item["acknowledged"])
        answered = point.post(
            f"/api/v1/t/{member}/submissions/{case}/messages", json={"text": "Dank u. Wilt u met ons praten?"}
        )
        assert answered.status_code == 201, answered.text
    with httpx.Client(base_url=base, timeout=20) as reporter:
        inbox = reporter.post(f"/m/{member}/inbox", data={"receipt": receipt})
        assert "Dank u. Wilt u met ons praten?" in inbox.text
        reply = reporter.post(f"/m/{member}/inbox/bericht", data={"receipt": receipt, "text": "Ja, graag."})
        assert reply.status_code == 200 and "Ja, graag." in reply.text
    return str(case)


def seat_a_panel(port: int, member: str, case: str, decider: str, expert: str, guardian: str | None) -> str:
    """The reporting point routes the report to the decision panel and seats a decision maker, an expert
    and a process guardian (``None``: one from the branch's pool); each declares; the panel is complete.
    Returns who guards the case."""
    base = f"/api/v1/t/{member}/cases/{case}"
    seats = {}
    for person in (decider, expert, *([guardian] if guardian else [])):
        with signed_in(port, person, member) as client:
            me = client.get("/api/v1/me").json()
            seats[person] = {"account_tenant_id": me["account_tenant_id"], "account_id": me["account_id"]}
    with signed_in(port, POINTS[member], member) as point:
        routed = point.post(
            f"{base}/routing",
            json={
                "classified_as": "report",
                "route": "decision_panel",
                "reason": "Herhaald kleineren door een leidinggevende.",
                "escalation": "higher_manager",
                "igj_answer": "not_reportable",  # De Linde is a care organisation (SBI 88.10)
            },
        )
        assert routed.status_code == 201, routed.text
        for person, role in ((decider, "decision_maker"), (expert, "expert"), (guardian, "process_guardian")):
            if person is not None:
                seated = point.post(f"{base}/panel", json={**seats[person], "role": role})
                assert seated.status_code == 201, (person, seated.text)
        if guardian is None:
            pooled = point.post(f"{base}/panel/pooled-guardian")
            assert pooled.status_code == 201, pooled.text
            (name,) = [m["name"] for m in pooled.json()["members"] if m["role"] == "process_guardian"]
            guardian = next(subject for full, subject in POOLED_GUARDIANS.items() if name.startswith(full))
    for person in (decider, expert, guardian):
        with signed_in(port, person, member) as seated_member:
            declared = seated_member.post(
                f"{base}/declaration", json={"involved": False, "statement": "Ik ken de betrokkenen niet."}
            )
            assert declared.status_code == 201, (person, declared.text)
    with signed_in(port, guardian, member) as guarding:
        assert guarding.get(f"{base}/process").json()["status"] == "in_progress"
    return guardian


def handle_phase_one(port: int, case: str) -> None:
    """Issue 6's "done when": at De Linde the reporting point routes the report to the decision panel,
    the director, the external expert and a pooled process guardian from the branch declare, the director
    records the choice, and the process guardian watches the deadlines."""
    base = f"/api/v1/t/de-linde/cases/{case}"
    guardian = seat_a_panel(port, "de-linde", case, "marloes", "femke", None)
    every = [option for option in LADDER_OPTIONS if option != "fact_investigation"]
    with signed_in(port, "marloes") as marloes:
        choice = marloes.post(
            f"{base}/steps",
            json={
                "type": "weighing",
                "interpretation": "Herhaald, met een machtsverschil.",
                "goals": ["restore_safety", "establish_facts"],
                "chosen": ["fact_investigation"],
                "reasons_rejected": {option: "Past niet bij herhaald gedrag." for option in every},
                "reporter_input": "De melder wil dat het stopt.",
            },
        )
        assert choice.status_code == 201, choice.text
    with signed_in(port, guardian) as guarding:
        guarded = guarding.get("/api/v1/guardian/cases").json()
        assert [(g["tenant"], g["case_id"]) for g in guarded] == [("de-linde", case)]
        assert guarded[0]["status"] == "decided" and guarded[0]["next_deadline"] is not None
        assert "kleineert" not in str(guarding.get(f"{base}/process").json())


def open_the_party_portal(output: str) -> None:
    """Issue 12's demo: the accused of the demo case at De Linde opens the portal with the printed link and
    one-time code, and reads the written notice."""
    found = re.search(r"Party portal:\s+(\S+)\s+one-time code (\w+)", output)
    assert found, output
    link, code = found.groups()
    opened = httpx.post(link, data={"code": code}, headers={"Accept": "text/html"}, timeout=20)
    assert opened.status_code == 200, opened.text
    assert "Kennisgeving van een melding" in opened.text and "portaalsleutel" in opened.text


async def tenants_in(database_url: str) -> list[tuple[str, str]]:
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(text("SELECT slug, id::text FROM tenants ORDER BY slug"))
            return [(row.slug, row.id) for row in rows]
    finally:
        await engine.dispose()


def run_once(
    port: int, data_dir: Path, journeys: bool = False, settings: dict[str, str] | None = None
) -> tuple[list[tuple[str, str]], str]:
    demo = DemoProcess(port, data_dir, settings)
    try:
        demo.wait_until_ready(port)
        ready = time.monotonic()
        public = httpx.get(f"http://127.0.0.1:{port}/api/v1/public/de-linde", timeout=5)
        assert public.status_code == 200 and public.json()["branch"]["slug"] == "zorg-welzijn"
        for person, expected in DEMO_PEOPLE.items():
            assert roles_after_demo_sign_in(port, person) == expected, person
        groups = picker_groups(port)
        assert list(groups) == [
            "Branchevereniging Zorg & Welzijn Samen",
            "Kinderopvang Het Anker",
            "Thuiszorg De Linde",
            "Zorggroep Oost",
        ]
        assert sorted(subject for people in groups.values() for subject in people) == sorted(DEMO_PEOPLE)
        assert {"karin", "rob", "priya", "jesse"} <= set(groups["Kinderopvang Het Anker"])
        assert {"ahmed", "wilma", "hanneke"} <= set(groups["Branchevereniging Zorg & Welzijn Samen"])
        if journeys:
            cases = {member: report_and_talk(port, member, person) for member, person in POINTS.items()}
            handle_phase_one(port, cases["de-linde"])
            # The other members seat a panel of their own people: Het Anker with a guardian from the
            # branch's pool, Zorggroep Oost with its own.
            seat_a_panel(port, "het-anker", cases["het-anker"], "rob", "priya", None)
            seat_a_panel(port, "zorggroep-oost", cases["zorggroep-oost"], "annemieke", "nadia", "henk")
            open_the_party_portal(demo.output)
        tenants = asyncio.run(tenants_in(demo.database_url()))
        if settings:
            # Every second a heartbeat: the person's interval reached the scheduler, not the default.
            deadline = max(ready + 6, time.monotonic())
            while time.monotonic() < deadline or heartbeats(demo.output) < (time.monotonic() - ready) / 2:
                assert time.monotonic() < ready + 120, f"the heartbeat does not follow the setting:\n{demo.output}"
                time.sleep(0.25)
    finally:
        code = demo.stop()
    assert code == 0, demo.output
    return tenants, demo.output


def heartbeats(output: str) -> int:
    """How many heartbeats the scheduler fired, read from its JSON log lines."""
    fired = 0
    for line in output.splitlines():
        try:
            entry = json.loads(line) if line.startswith("{") else {}
        except json.JSONDecodeError:
            continue
        fired += entry.get("event") == "scheduler.fired" and entry.get("job") == "system.heartbeat"
    return fired


def test_the_demo_starts_is_ready_stops_cleanly_and_keeps_its_tenants(tmp_path: Path) -> None:
    port = free_port()
    data_dir = tmp_path / "demo"
    # The person's own settings reach the demo's processes.
    settings = {"MELDPUNT_LOG_FORMAT": "json", "MELDPUNT_HEARTBEAT_SECONDS": "1"}
    first, first_output = run_once(port, data_dir, journeys=True, settings=settings)
    assert [slug for slug, _ in first] == ["de-linde", "het-anker", "zorg-welzijn", "zorggroep-oost"]
    assert "create member de-linde" in first_output
    second, second_output = run_once(port, data_dir)
    assert second == first
    assert "create member" not in second_output
    for output in (first_output, second_output):
        assert not ACCESS_LOG_LINE.search(output), "the ASGI server printed an access log with client addresses"
        assert "Traceback" not in output

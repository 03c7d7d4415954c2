"""Builders for the investigation tests: a member with a declared panel whose weighing chose an investigation,
parties on the case, an investigator (internal, or an external firm with its Wpbr licence), the complete
protocol, and a party answering a shared record in the portal."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from meldpunt.identity.roles import Role
from meldpunt.investigations.schemas import COMMON_PROTOCOL, FACT_PROTOCOL
from meldpunt.settings import Settings
from tests.conftest import MakeTenant
from tests.integration.cases.test_case_handling import (
    LADDER_OPTIONS,
    STATEMENT,
    Cast,
    Person,
    as_,
    cast,
    declared_panel,
    person,
)

TODAY = date.today()
SOON = (TODAY + timedelta(days=14)).isoformat()
LATER = (TODAY + timedelta(days=120)).isoformat()
ACCUSED = "Douwe Hoekstra"
WITNESS = "Abigail Mensah"

FACT_FIELDS = (*FACT_PROTOCOL, "legal_protocol")


def protocol(kind: str = "fact", *, leave_out: tuple[str, ...] = ()) -> dict[str, str]:
    """A complete protocol (for a fact-finding with its own fields), but for ``leave_out``."""
    fields = COMMON_PROTOCOL + (FACT_FIELDS if kind == "fact" else ())
    return {field: f"Afspraak over {field.replace('_', ' ')}." for field in fields if field not in leave_out}


@dataclass
class Team:
    c: Cast
    investigator: Person
    firm: Person  # an external firm's investigator

    @property
    def slug(self) -> str:
        return self.c.member.slug


async def team(app_engine: AsyncEngine, settings: Settings, make_tenant: MakeTenant) -> Team:
    c = await cast(app_engine, settings, make_tenant)

    async def investigator() -> Person:
        return await person(app_engine, settings, c.member, {c.member: (Role.INVESTIGATOR,)})

    return Team(c, await investigator(), await investigator())


def api(t: Team, case: str) -> str:
    return f"/api/v1/t/{t.slug}/cases/{case}"


async def decided(
    client: Any, t: Team, app_engine: AsyncEngine, chosen: list[str], *names: tuple[str, str]
) -> tuple[str, dict[str, str]]:
    """A case whose panel weighed and chose ``chosen``, with parties (role, name); returns the case and the
    parties' ids by name."""
    case = await declared_panel(client, t.c, app_engine)
    await as_(client, t.c.decider)
    weighing = {
        "type": "weighing",
        "interpretation": "Grensoverschrijdend, herhaald.",
        "goals": ["establish_facts"] if "fact_investigation" in chosen else ["restore_safety"],
        "chosen": chosen,
        "reasons_rejected": {o: f"Niet passend: {o}." for o in LADDER_OPTIONS if o not in chosen},
        "reporter_input": "De melder wil dat het onderzocht wordt.",
    }
    step = await client.post(f"{api(t, case)}/steps", json=weighing)
    assert step.status_code == 201, step.text
    ids = {}
    for role, name in names:
        party = await client.post(f"{api(t, case)}/parties", json={"role": role, "name": name})
        assert party.status_code == 201, party.text
        ids[name] = party.json()["id"]
        await declared_again(client, t, case)  # naming more people asks every seat to declare again
    return case, ids


async def declared_again(client: Any, t: Team, case: str) -> None:
    """Naming witnesses beside the accused asks every seat to declare again (``cases.parties.add_party``):
    each does, in writing, and the decision maker is the one signed in afterwards."""
    await as_(client, t.c.decider)
    members = (await client.get(f"{api(t, case)}/process")).json()["members"]
    asked = {m["role"] for m in members if m["active"] and m["redeclare"]}
    for who, role in ((t.c.expert, "expert"), (t.c.pooled, "process_guardian"), (t.c.decider, "decision_maker")):
        if role in asked:
            await as_(client, who)
            again = {"involved": False, "statement": "Ook de nieuw genoemden ken ik niet."}
            assert (await client.post(f"{api(t, case)}/declaration", json=again)).status_code == 201
    await as_(client, t.c.decider)


def commission_body(kind: str = "fact", subjects: tuple[str, ...] = (), **more: Any) -> dict[str, Any]:
    return {
        "kind": kind,
        "goal": "Vaststellen wat er op de afdeling is gebeurd.",
        "questions": ["Wat is er gebeurd?", "Is de gedragscode geschonden?"],
        "norms_framework": "De gedragscode van de organisatie, artikel 3." if kind == "fact" else "",
        "outcomes": [
            {"outcome": "Aannemelijk", "follows": "Arbeidsrechtelijke maatregel overwegen."},
            {"outcome": "Niet aannemelijk", "follows": "Herstel en nazorg voor de beschuldigde."},
        ],
        "protocol": protocol(kind),
        "subjects": list(subjects),
        **more,
    }


async def commissioned(client: Any, t: Team, case: str, body: dict[str, Any]) -> tuple[str, str]:
    await as_(client, t.c.decider)
    base = f"{api(t, case)}/investigations"
    made = await client.post(f"{base}/", json=body)
    assert made.status_code == 201, made.text
    return base, made.json()["process"]["id"]


def seat_body(who: Person, *, external: bool = False, **more: Any) -> dict[str, Any]:
    return {
        "account_tenant_id": str(who.account_tenant_id),
        "account_id": str(who.account_id),
        "valid_from": TODAY.isoformat(),
        "valid_to": LATER,
        "external": external,
        **more,
    }


async def seated_and_agreed(client: Any, t: Team, url: str, who: Person, **seat: Any) -> None:
    """The investigator seated, declared independent and agreed the protocol."""
    await as_(client, t.c.decider)
    seated = await client.post(f"{url}/investigator", json=seat_body(who, **seat))
    assert seated.status_code == 201, seated.text
    await as_(client, who)
    declared = await client.post(f"{url}/declaration", json={"involved": False, "statement": STATEMENT})
    assert declared.status_code == 201, declared.text
    agreed = await client.post(f"{url}/agreement")
    assert agreed.status_code == 201, agreed.text


def in_a_while(days: int = 2) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).isoformat()


async def interviewed(client: Any, url: str, party_id: str, record: str) -> dict[str, Any]:
    """An interview scheduled and held; its record shared with the interviewee (as the investigator)."""
    scheduled = await client.post(
        f"{url}/interviews",
        json={"party_id": party_id, "scheduled_at": in_a_while(), "companion_told_on": TODAY.isoformat()},
    )
    assert scheduled.status_code == 201, scheduled.text
    interview = next(i for i in scheduled.json()["process"]["interviews"] if i["status"] == "scheduled")
    recorded = await client.post(
        f"{url}/interviews/{interview['id']}/record",
        json={"held_on": TODAY.isoformat(), "record": record, "respond_by": SOON},
    )
    assert recorded.status_code == 201, recorded.text
    return next(i for i in recorded.json()["process"]["interviews"] if i["id"] == interview["id"])


async def portal_of(client: Any, t: Team, case: str, party_id: str) -> dict[str, str]:
    """The party invited by the decision maker and signed in to the portal: the headers of their requests."""
    await as_(client, t.c.decider)
    invitation = (await client.post(f"{api(t, case)}/parties/{party_id}/invitation")).json()
    token = invitation["link"].rsplit("/", 1)[1]
    client.cookies.clear()
    activated = await client.post(f"/api/v1/p/{t.slug}/activation", json={"token": token, "code": invitation["code"]})
    assert activated.status_code == 201, activated.text
    return {"X-Party-Link": token, "X-Party-Key": activated.json()["key"]}


async def answer(client: Any, t: Team, heads: dict[str, str], share_id: str, verdict: str, comment: str = "") -> None:
    client.cookies.clear()
    answered = await client.post(
        f"/api/v1/p/{t.slug}/responses/{share_id}", json={"verdict": verdict, "comment": comment}, headers=heads
    )
    assert answered.status_code == 201, answered.text


def random_id() -> str:
    return str(uuid.uuid4())

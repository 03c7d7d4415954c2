"""The public reporting point's API: registration, receipts, the inbox, and what is never kept."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import structlog
from litestar.testing import AsyncTestClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from meldpunt.settings import Settings
from tests.conftest import MakeTenant, MigratedDatabase

ADDRESS, AGENT = "198.51.100.73", "Mozilla/5.0 (Marker; ua-4d1c9e)"
NARRATIVE = "Mijn leidinggevende raakte mij aan tijdens de kerstborrel. marker-7b2f0a"
MARKERS = (ADDRESS, AGENT, "ua-4d1c9e", "marker-7b2f0a")
REPORT: dict[str, Any] = {
    "kind": "report",
    "anonymity": "anonymous_with_contact",
    "category": "sexual_harassment",
    "reporter_role": "employee",
    "reporter_is_affected": True,
    "narrative": NARRATIVE,
    "attributes": {"physical": True, "power_difference": True},
    "accused_role": "manager",
    "setting": "event",
    "wishes": ["listening_ear", "advice"],
}


async def submit(client: AsyncTestClient, slug: str, **changes: Any) -> Any:  # type: ignore[type-arg]
    return await client.post(
        f"/api/v1/public/{slug}/submissions",
        json={**REPORT, **changes},
        headers={"X-Forwarded-For": ADDRESS, "X-Real-IP": ADDRESS, "User-Agent": AGENT},
    )


async def test_a_report_is_registered_with_a_receipt_shown_once_and_kept_only_as_a_hash(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine
) -> None:
    tenant = await make_tenant()
    response = await submit(client, tenant.slug)
    assert response.status_code == 201, response.text
    body = response.json()
    assert re.fullmatch(r"\d{4} \d{4} \d{4} \d{4}", body["receipt"])
    assert "set-cookie" not in response.headers
    async with app_engine.begin() as connection:
        await connection.execute(text(f"SET LOCAL meldpunt.tenant_ids = '{{{tenant.id}}}'"))
        case = (await connection.execute(text("SELECT * FROM cases"))).one()
        deadlines = {
            row.kind: row.left.total_seconds() / 86400
            for row in await connection.execute(text("SELECT kind, due_at - now() AS left FROM deadlines"))
        }
        audit = (await connection.execute(text("SELECT actor, action FROM audit_entries ORDER BY seq DESC"))).first()
    digits = body["receipt"].replace(" ", "")
    assert digits.encode() not in case.receipt_hash and len(case.receipt_hash) == 32
    assert b"marker-7b2f0a" not in case.sealed_narrative
    # The acknowledgement (7 days), routing by the reporting point, and the statutory month to inform the accused.
    assert set(deadlines) == {"acknowledge", "route", "inform_accused"}
    assert 6.9 < deadlines["acknowledge"] <= 7 and 30.9 < deadlines["inform_accused"] <= 31
    assert tuple(audit) == ("anonymous", "intake.registered")


async def test_the_receipt_opens_the_inbox_where_the_reporter_adds_information(client, make_tenant: MakeTenant) -> None:
    tenant = await make_tenant()
    receipt = (await submit(client, tenant.slug)).json()["receipt"]
    added = await client.post(
        f"/api/v1/public/{tenant.slug}/inbox/messages",
        json={"receipt": receipt.replace(" ", ""), "text": "Het gebeurde daarna nog eens."},
    )
    assert added.status_code == 201
    inbox = await client.post(f"/api/v1/public/{tenant.slug}/inbox", json={"receipt": receipt})
    assert inbox.status_code == 200
    assert inbox.json()["status"] == "received"
    assert [(m["from_reporter"], m["text"]) for m in inbox.json()["messages"]] == [
        (True, "Het gebeurde daarna nog eens.")
    ]


async def test_a_fully_anonymous_report_is_registered_without_a_receipt(client, make_tenant: MakeTenant) -> None:
    tenant = await make_tenant()
    response = await submit(client, tenant.slug, anonymity="anonymous")
    assert response.status_code == 201 and response.json()["receipt"] is None


@pytest.mark.parametrize(
    "changes",
    [
        {"kind": "complaint"},
        {
            "kind": "complaint",
            "anonymity": "confidential",
            "reporter_is_affected": False,
            "identity": {"name": "A", "contact": "a@x.nl"},
        },
    ],
)
async def test_a_complaint_is_never_anonymous_and_only_by_the_affected_person(
    client, make_tenant: MakeTenant, changes: dict[str, Any]
) -> None:
    tenant = await make_tenant()
    response = await submit(client, tenant.slug, **changes)
    assert response.status_code == 400
    assert response.json()["type"].endswith("/complaint-needs-name")
    assert "Doe dan een melding" in response.json()["detail"]


async def test_a_named_complaint_by_the_affected_person_is_accepted(client, make_tenant: MakeTenant) -> None:
    tenant = await make_tenant()
    response = await submit(
        client,
        tenant.slug,
        kind="complaint",
        anonymity="confidential",
        identity={"name": "Fatima", "contact": "fatima@example.nl"},
    )
    assert response.status_code == 201 and response.json()["receipt"]


async def test_a_receipt_of_member_a_opens_nothing_at_member_b(client, make_tenant: MakeTenant) -> None:
    a, b = await make_tenant(), await make_tenant()
    receipt = (await submit(client, a.slug)).json()["receipt"]
    at_b = await client.post(f"/api/v1/public/{b.slug}/inbox", json={"receipt": receipt})
    unknown = await client.post(f"/api/v1/public/{b.slug}/inbox", json={"receipt": "0000 0000 0000 0000"})
    assert at_b.status_code == unknown.status_code == 401
    assert at_b.json() == unknown.json()  # nothing tells that the receipt exists elsewhere
    posted = await client.post(f"/api/v1/public/{b.slug}/inbox/messages", json={"receipt": receipt, "text": "x"})
    assert posted.status_code == 401


async def test_guessing_receipts_is_rate_limited_per_receipt(client, make_tenant: MakeTenant) -> None:
    tenant = await make_tenant()
    statuses = [
        (await client.post(f"/api/v1/public/{tenant.slug}/inbox", json={"receipt": "1234 5678 1234 5678"})).status_code
        for _ in range(12)
    ]
    assert statuses[:10] == [401] * 10 and statuses[10:] == [429, 429]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"narrative": ""}, "narrative"),
        ({"narrative": "x" * 20_001}, "narrative"),
        ({"category": "gossip"}, "category"),
        ({"reporter_role": None}, "reporter_role"),
        ({"attributes": {"discrimination_grounds": ["height"]}}, "attributes"),
        ({"anonymity": "confidential"}, None),
    ],
)
async def test_bad_input_is_a_clear_problem_never_a_500(
    client, make_tenant: MakeTenant, changes: dict[str, Any], field: str | None
) -> None:
    tenant = await make_tenant()
    response = await submit(client, tenant.slug, **changes)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    if field:
        assert field in response.text


async def test_no_request_marker_is_stored_or_logged_anywhere(
    client, make_tenant: MakeTenant, test_database: MigratedDatabase, settings: Settings
) -> None:
    tenant = await make_tenant()
    file_markers = ("marker-file-name-2c8", "marker-file-body-e41")
    markers = (*MARKERS, *file_markers)
    with structlog.testing.capture_logs(processors=[structlog.contextvars.merge_contextvars]) as logs:
        receipt = (await submit(client, tenant.slug)).json()["receipt"]
        await client.post(
            f"/api/v1/public/{tenant.slug}/inbox",
            json={"receipt": receipt},
            headers={"User-Agent": AGENT, "X-Forwarded-For": ADDRESS},
        )
        # The same through the page, with a file whose name and content carry markers too.
        page = await client.post(
            f"/m/{tenant.slug}/melden",
            data={
                **{k: v for k, v in REPORT.items() if k not in ("attributes", "wishes")},
                "reporter_is_affected": "true",
            },
            files=[("attachments", ("marker-file-name-2c8.txt", b"marker-file-body-e41 " * 50, "text/plain"))],
            headers={"User-Agent": AGENT, "X-Forwarded-For": ADDRESS, "X-Real-IP": ADDRESS, "Accept": "text/html"},
        )
        assert page.status_code == 200 and "Toegevoegde bestanden: 1." in page.text
    dumped_logs = json.dumps(logs, default=str)
    assert not [marker for marker in markers if marker in dumped_logs]
    # Every stored object (the encrypted dossier): no marker, no file name.
    from pathlib import Path

    objects = [path for path in Path(settings.storage_directory).rglob("*") if path.is_file()]
    assert objects and not [
        (path.name, marker)
        for path in objects
        for marker in markers
        if marker.encode() in path.read_bytes() or marker in str(path)
    ]
    # Every row of every table, as text, read past row-level security by the superuser: a full dump.
    engine = create_async_engine(test_database.url("postgres"))
    try:
        async with engine.connect() as connection:
            tables = (
                (await connection.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")))
                .scalars()
                .all()
            )
            found = []
            for table in tables:
                rows = (await connection.execute(text(f'SELECT t::text FROM "{table}" t'))).scalars().all()
                found += [(table, marker) for row in rows for marker in markers if marker in row]
                # Text shows bytea as hex: search the binary columns (the sealed ones) byte for byte too.
                binary = (
                    await connection.execute(
                        text(
                            "SELECT column_name FROM information_schema.columns "
                            "WHERE table_schema = 'public' AND table_name = :t AND data_type = 'bytea'"
                        ),
                        {"t": table},
                    )
                ).scalars()
                for column in binary:
                    for marker in markers:
                        hits = await connection.execute(
                            text(f'SELECT count(*) FROM "{table}" WHERE position(:m IN "{column}") > 0'),
                            {"m": marker.encode()},
                        )
                        if hits.scalar_one():
                            found.append((f"{table}.{column}", marker))
    finally:
        await engine.dispose()
    assert found == []
    # Redis holds only counters and hashed keys.
    import redis.asyncio as aioredis

    store = aioredis.Redis.from_url(settings.redis_url)
    try:
        keys = [key.decode() async for key in store.scan_iter("*")]
    finally:
        await store.aclose()
    assert not [key for key in keys if any(marker in key for marker in MARKERS) or receipt.replace(" ", "") in key]


async def test_the_reporting_point_is_told_that_something_arrived_and_a_small_member_uses_the_branch(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine
) -> None:
    import uuid as uuid_module

    from meldpunt.audit.services import AuditActor
    from meldpunt.db.engine import create_sessionmaker
    from meldpunt.identity import services as identity
    from meldpunt.identity.roles import Role
    from meldpunt.tenancy.models import Tenant

    branch = await make_tenant()
    member = await make_tenant(branch=branch)
    async with create_sessionmaker(app_engine)() as session:
        home = await session.get(Tenant, branch.id)
        assert home is not None
        account = await identity.find_or_create_account(
            session, home, "https://idp.test", str(uuid_module.uuid4()), {"name": "Meldpunt branche"}
        )
        await identity.grant_role(session, AuditActor.system("test"), home, account, Role.REPORTING_POINT, "admin")
        await session.commit()
        account_id = account.id
    assert (await submit(client, member.slug)).status_code == 201
    async with app_engine.begin() as connection:
        await connection.execute(text(f"SET LOCAL meldpunt.tenant_ids = '{{{member.id}}}'"))
        queued = (await connection.execute(text("SELECT account_id, kind, counts FROM notifications"))).all()
    assert [(row.account_id, row.kind, row.counts) for row in queued] == [
        (account_id, "intake.new_submission", {"count": 1})
    ]

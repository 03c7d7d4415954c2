"""Object storage failing during an upload: 503, nothing left behind (no rows, no object, no open multipart
upload), and the reporter's text kept with a request to choose the files again."""

from __future__ import annotations

import html
import uuid
from pathlib import Path
from typing import Any

import boto3
import msgspec
import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from meldpunt.settings import Settings
from tests.conftest import MakeTenant, TenantRef
from tests.integration.intake.test_reporting_point import as_professional, reporting_point
from tests.integration.intake.test_submissions import REPORT
from tests.integration.outage.conftest import watched_client
from tests.integration.outage.test_database_outage import FORM, HTML, TYPED, assert_unavailable_problem
from tests.support.faulty_s3 import faulty_s3

SMALL = ("verslag.txt", b"Wat er gebeurde, opgeschreven op de dag zelf.", "text/plain")
# Larger than one part (5 MB): stored as a multipart upload, whose second part the failing S3 refuses.
LARGE = ("logboek.txt", b"dag en tijd, wat er gezegd werd\n" * 200_000, "text/plain")
ROWS = ("cases", "documents", "case_messages")


async def rows_of(owner_engine: AsyncEngine, tenant: TenantRef) -> dict[str, int]:
    async with owner_engine.begin() as connection:
        await connection.execute(text(f"SET LOCAL meldpunt.tenant_ids = '{{{tenant.id}}}'"))
        return {
            table: (
                await connection.execute(text(f"SELECT count(*) FROM {table} WHERE tenant_id = :t"), {"t": tenant.id})
            ).scalar_one()
            for table in ROWS
        }


@pytest.fixture
async def app_on(settings: Settings) -> Any:
    """A client of the app with other storage settings; fails the test on any 5xx but 503."""
    clients: list[tuple[AsyncTestClient, list[str]]] = []  # type: ignore[type-arg]

    async def open_client(**changes: Any) -> AsyncTestClient:  # type: ignore[type-arg]
        client, failures = watched_client(msgspec.structs.replace(settings, **changes))
        await client.__aenter__()
        clients.append((client, failures))
        return client

    yield open_client
    for client, failures in clients:
        await client.__aexit__(None, None, None)
        assert not failures, f"the application answered with a server error other than 503: {failures}"


def assert_form_kept(response: Any) -> None:
    assert response.status_code == 503 and int(response.headers["retry-after"]) > 0
    page = response.text
    assert "konden we door een storing niet opslaan" in page and "Kies uw bestanden opnieuw" in page
    assert f">{html.escape(TYPED, quote=False)}</textarea>" in page  # the form itself, with the text typed
    assert 'value="bullying" checked' in page


async def test_an_unwritable_directory_store_answers_503_keeps_the_text_and_stores_nothing(
    app_on: Any, make_tenant: MakeTenant, owner_engine: AsyncEngine, tmp_path: Path
) -> None:
    blocked = tmp_path / "objects"
    blocked.write_text("a file where the store's directory should be")  # root ignores permissions, not this
    client = await app_on(storage_backend="directory", storage_directory=str(blocked))
    tenant = await make_tenant()

    files = [("attachments", SMALL), ("attachments", SMALL)]
    assert_form_kept(await client.post(f"/m/{tenant.slug}/melden", data=FORM, files=files, headers=HTML))
    assert await rows_of(owner_engine, tenant) == dict.fromkeys(ROWS, 0)

    receipt = (await client.post(f"/api/v1/public/{tenant.slug}/submissions", json=REPORT)).json()["receipt"]
    before = await rows_of(owner_engine, tenant)
    answer = await client.post(
        f"/api/v1/public/{tenant.slug}/inbox/attachments", data={"receipt": receipt}, files=[("attachments", SMALL)]
    )
    assert_unavailable_problem(answer)
    page = await client.post(
        f"/m/{tenant.slug}/inbox/bericht",
        data={"receipt": receipt, "text": "Hierbij mijn aantekeningen. marker-31f0"},
        files=[("attachments", SMALL)],
        headers=HTML,
    )
    assert page.status_code == 503 and "Hierbij mijn aantekeningen. marker-31f0</textarea>" in page.text
    assert "Kies uw bestanden opnieuw" in page.text
    assert await rows_of(owner_engine, tenant) == before
    assert blocked.is_file()


async def test_an_unreachable_s3_endpoint_answers_503_and_stores_nothing(
    app_on: Any, make_tenant: MakeTenant, owner_engine: AsyncEngine, s3_endpoint: str
) -> None:
    # s3_endpoint: for its (dummy) credentials, so that only the port is wrong
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    client = await app_on(storage_backend="s3", s3_endpoint_url=f"http://127.0.0.1:{closed}", s3_bucket="meldpunt")
    tenant = await make_tenant()
    files = [("attachments", SMALL)]
    assert_form_kept(await client.post(f"/m/{tenant.slug}/melden", data=FORM, files=files, headers=HTML))
    assert await rows_of(owner_engine, tenant) == dict.fromkeys(ROWS, 0)


@pytest.fixture
def s3(s3_endpoint: str) -> Any:
    return boto3.client("s3", endpoint_url=s3_endpoint, region_name="eu-central-1")


async def test_s3_failing_mid_upload_leaves_no_object_and_no_open_multipart_upload(
    app_on: Any, make_tenant: MakeTenant, owner_engine: AsyncEngine, s3_endpoint: str, s3_bucket: str, s3: Any
) -> None:
    def second_part(method: str, path: str) -> bool:
        return method == "PUT" and "partNumber=2" in path

    with faulty_s3(s3_endpoint, second_part) as endpoint:
        client = await app_on(
            storage_backend="s3", s3_endpoint_url=endpoint, s3_bucket=s3_bucket, s3_part_size=5 * 1024 * 1024
        )
        tenant = await make_tenant()
        files = [("attachments", SMALL), ("attachments", LARGE)]
        assert_form_kept(await client.post(f"/m/{tenant.slug}/melden", data=FORM, files=files, headers=HTML))
    assert await rows_of(owner_engine, tenant) == dict.fromkeys(ROWS, 0)
    # The first file was removed again (the audit log's anchors under audit/ are no documents).
    assert s3.list_objects_v2(Bucket=s3_bucket, Prefix="tenant/").get("KeyCount", 0) == 0
    assert s3.list_multipart_uploads(Bucket=s3_bucket).get("Uploads", []) == []  # the second was aborted

    # The same files go through once S3 answers again.
    client = await app_on(storage_backend="s3", s3_endpoint_url=s3_endpoint, s3_bucket=s3_bucket)
    received = await client.post(f"/m/{tenant.slug}/melden", data=FORM, files=files, headers=HTML)
    assert received.status_code == 200 and (await rows_of(owner_engine, tenant))["documents"] == 2
    assert s3.list_objects_v2(Bucket=s3_bucket, Prefix="tenant/")["KeyCount"] == 2
    assert all(uuid.UUID(key["Key"].rsplit("/", 1)[1]) for key in s3.list_objects_v2(Bucket=s3_bucket)["Contents"])


async def test_a_download_while_the_store_is_down_answers_503_before_any_byte_and_is_not_audited(
    app_on: Any,
    make_tenant: MakeTenant,
    owner_engine: AsyncEngine,
    app_engine: AsyncEngine,
    settings: Settings,
    tmp_path: Path,
) -> None:
    objects = tmp_path / "objects"
    client = await app_on(storage_backend="directory", storage_directory=str(objects))
    tenant = await make_tenant()
    files = [("attachments", SMALL)]
    assert (await client.post(f"/m/{tenant.slug}/melden", data=FORM, files=files, headers=HTML)).status_code == 200
    await as_professional(client, await reporting_point(app_engine, settings, tenant, tenant))
    case_id = (await client.get("/api/v1/submissions")).json()[0]["id"]
    detail = (await client.get(f"/api/v1/t/{tenant.slug}/submissions/{case_id}")).json()
    download = f"/api/v1/t/{tenant.slug}/submissions/{case_id}/attachments/{detail['attachments'][0]['id']}"

    objects.rename(tmp_path / "away")
    objects.write_text("the store's directory is gone")
    assert_unavailable_problem(await client.get(download))
    async with owner_engine.begin() as connection:
        await connection.execute(text(f"SET LOCAL meldpunt.tenant_ids = '{{{tenant.id}}}'"))
        reads = "SELECT count(*) FROM audit_entries WHERE action = 'document.read'"
        assert (await connection.execute(text(reads))).scalar_one() == 0

    objects.unlink()
    (tmp_path / "away").rename(objects)
    answer = await client.get(download)
    assert answer.status_code == 200 and answer.content == SMALL[1]

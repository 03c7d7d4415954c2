"""The party portal's API (``/api/v1/p/{tenant}/…``) over HTTP: activation with the one-time code, the portal
with the link and the key in headers, refusals that say nothing about why, no cookie, nothing of the
request stored or logged, and no way from one case or tenant into another."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from pathlib import Path

import redis.asyncio as aioredis
import structlog
from sqlalchemy.ext.asyncio import AsyncEngine

from meldpunt.audit.services import AuditActor
from meldpunt.db.context import tenant_context
from meldpunt.db.engine import create_sessionmaker
from meldpunt.dossiers.documents import DocumentMeta, RecordClass, store_document
from meldpunt.dossiers.keys import Keyring, LocalRootKey
from meldpunt.dossiers.storage import create_object_store
from meldpunt.identity.models import AccountRef
from meldpunt.intake.ratelimit import Limiter
from meldpunt.parties import services
from meldpunt.parties.errors import PortalClosed
from meldpunt.parties.models import PartyRole
from meldpunt.parties.schemas import PartyIn, ShareIn
from meldpunt.settings import Settings
from meldpunt.tenancy.models import Tenant
from tests.conftest import MakeTenant, MigratedDatabase, TenantRef
from tests.integration.intake.test_submissions import ADDRESS, AGENT, submit
from tests.integration.parties.test_party_services import _case_ids
from tests.support.dump import where_stored

WHO = AccountRef(uuid.uuid4(), uuid.uuid4())
MARKED = {"X-Forwarded-For": ADDRESS, "X-Real-IP": ADDRESS, "User-Agent": AGENT}


@dataclass(frozen=True)
class Invited:
    tenant: TenantRef
    case_id: uuid.UUID
    party_id: uuid.UUID
    token: str
    code: str
    document_id: uuid.UUID


async def _chunks(data: bytes):  # type: ignore[no-untyped-def]
    yield data


async def invited(client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings) -> Invited:  # type: ignore[no-untyped-def]
    """A case with an accused party, a document shared with them and an invitation (committed)."""
    return await invite_in(client, await make_tenant(), app_engine, settings)


async def invite_in(client, ref: TenantRef, app_engine: AsyncEngine, settings: Settings) -> Invited:  # type: ignore[no-untyped-def]
    """A new case at ``ref`` with an accused party, a document shared with them and an invitation."""
    assert (await submit(client, ref.slug)).status_code == 201
    case_id = (await _case_ids(app_engine, ref.id))[-1]
    keyring = Keyring(LocalRootKey(Path(settings.root_key_file or "")))
    async with create_sessionmaker(app_engine)() as session:
        await tenant_context(session, [ref.id])
        tenant = await session.get(Tenant, ref.id)
        assert tenant is not None
        party = await services.add_party(
            session, keyring, WHO, tenant, case_id, PartyIn(role=PartyRole.ACCUSED, name="Jan de Vries")
        )
        document = await store_document(
            session,
            keyring,
            create_object_store(settings),
            AuditActor.system("test"),
            tenant.id,
            case_id,
            RecordClass.REPORT_DOSSIER,
            _chunks(b"Kennisgeving aan de beschuldigde"),
            DocumentMeta(filename="kennisgeving.txt", content_type="text/plain", title="Kennisgeving"),
        )
        await services.share(session, WHO, tenant, case_id, ShareIn(document_id=document.id, party_id=party.id))
        invitation = await services.invite(session, WHO, tenant, case_id, party.id)
        await session.commit()
    return Invited(ref, case_id, party.id, invitation.token, invitation.code, document.id)


def _as_party(who: Invited, key: str) -> dict[str, str]:
    return {"X-Party-Link": who.token, "X-Party-Key": key}


async def test_the_code_opens_once_and_the_key_opens_the_portal_without_a_cookie(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    who = await invited(client, make_tenant, app_engine, settings)
    base = f"/api/v1/p/{who.tenant.slug}"
    activated = await client.post(f"{base}/activation", json={"token": who.token, "code": who.code}, headers=MARKED)
    assert activated.status_code == 201, activated.text
    assert "set-cookie" not in activated.headers
    key = activated.json()["key"]
    again = await client.post(f"{base}/activation", json={"token": who.token, "code": who.code})
    assert again.status_code == 403 and again.headers["content-type"].startswith("application/problem+json")
    portal = await client.get(f"{base}/portal", headers={**MARKED, **_as_party(who, key)})
    assert portal.status_code == 200, portal.text
    body = portal.json()
    assert body["role"] == "accused"
    assert [s["title"] for s in body["shared"]] == ["Kennisgeving"]
    assert any("AVG art. 15" in right for right in body["rights"])
    english = await client.get(f"{base}/portal", params={"lang": "en"}, headers=_as_party(who, key))
    assert any("GDPR art. 15" in right for right in english.json()["rights"])
    download = await client.get(f"{base}/documents/{who.document_id}", headers=_as_party(who, key))
    assert download.status_code == 200 and download.content == b"Kennisgeving aan de beschuldigde"
    assert download.headers["content-disposition"].startswith("attachment")


async def test_a_wrong_key_a_foreign_tenant_and_a_foreign_document_open_nothing(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    who = await invited(client, make_tenant, app_engine, settings)
    other = await invited(client, make_tenant, app_engine, settings)
    keys = {}
    for one in (who, other):
        response = await client.post(
            f"/api/v1/p/{one.tenant.slug}/activation", json={"token": one.token, "code": one.code}
        )
        keys[one.token] = response.json()["key"]
    base = f"/api/v1/p/{who.tenant.slug}"
    wrong = await client.get(f"{base}/portal", headers=_as_party(who, "0000 0000 0000 0000"))
    assert wrong.status_code == 403
    # The other tenant's link and key, valid there, at this tenant's address: the same refusal.
    foreign = await client.get(f"{base}/portal", headers=_as_party(other, keys[other.token]))
    assert foreign.status_code == 403 and foreign.json()["detail"] == wrong.json()["detail"]
    # This party asks for the other case's document by its id: not found, as if it did not exist.
    theirs = await client.get(f"{base}/documents/{other.document_id}", headers=_as_party(who, keys[who.token]))
    assert theirs.status_code == 404
    missing_headers = await client.get(f"{base}/portal")
    assert missing_headers.status_code == 400


async def test_the_party_replies_answers_and_names_a_companion(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    who = await invited(client, make_tenant, app_engine, settings)
    base = f"/api/v1/p/{who.tenant.slug}"
    key = (await client.post(f"{base}/activation", json={"token": who.token, "code": who.code})).json()["key"]
    replied = await client.post(f"{base}/messages", json={"text": "Ik was er niet."}, headers=_as_party(who, key))
    assert replied.status_code == 201 and [m["text"] for m in replied.json()["messages"]] == ["Ik was er niet."]
    empty = await client.post(f"{base}/messages", json={"text": ""}, headers=_as_party(who, key))
    assert empty.status_code == 400
    share_id = replied.json()["shared"][0]["share_id"]
    not_for_approval = await client.post(
        f"{base}/responses/{share_id}", json={"verdict": "approved"}, headers=_as_party(who, key)
    )
    assert not_for_approval.status_code == 409
    companion = await client.put(
        f"{base}/companion", json={"companion": "Mr. A. Advocaat"}, headers=_as_party(who, key)
    )
    assert companion.status_code == 200 and companion.json()["companion"] == "Mr. A. Advocaat"


async def test_nothing_of_the_request_is_stored_or_logged_and_the_token_is_not_logged(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings, test_database: MigratedDatabase
) -> None:
    who = await invited(client, make_tenant, app_engine, settings)
    base = f"/api/v1/p/{who.tenant.slug}"
    with structlog.testing.capture_logs(processors=[structlog.contextvars.merge_contextvars]) as logs:
        response = await client.post(f"{base}/activation", json={"token": who.token, "code": who.code}, headers=MARKED)
        key = response.json()["key"]
        await client.get(f"{base}/portal", headers={**MARKED, **_as_party(who, key)})
        await client.post(f"{base}/messages", json={"text": "Mijn reactie."}, headers={**MARKED, **_as_party(who, key)})
    logged = repr(logs)
    assert ADDRESS not in logged and AGENT not in logged and who.token not in logged and key not in logged
    markers = [ADDRESS, AGENT, who.token, who.code, key, key.replace(" ", "")]
    assert await where_stored(test_database.url("postgres"), markers) == []


async def test_two_activations_at_once_spend_the_code_once(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings, redis_url: str
) -> None:
    who = await invited(client, make_tenant, app_engine, settings)
    redis = aioredis.Redis.from_url(redis_url)

    async def activate() -> str:
        async with create_sessionmaker(app_engine)() as session:
            tenant = await session.get(Tenant, who.tenant.id)
            assert tenant is not None
            try:
                _, key = await services.activate(session, Limiter(redis), tenant, who.token, who.code)
            except PortalClosed:
                return "refused"
            await asyncio.sleep(0.2)  # hold the transaction open while the other one waits
            await session.commit()
            return key

    try:
        outcomes = await asyncio.gather(activate(), activate())
    finally:
        await redis.aclose()
    assert sorted(o == "refused" for o in outcomes) == [False, True], outcomes

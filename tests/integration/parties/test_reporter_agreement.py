"""The reporter agrees (or withdraws agreement) to be named to the parties from the receipt inbox, as a page
form and through the inbox API, both calling ``parties.services.set_reporter_agreement``: a share that shows
who reported is refused before, allowed after agreeing and refused again after withdrawing. A receipt opens
only its own case, at its own organisation."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from meldpunt.db.context import tenant_context
from meldpunt.db.engine import create_sessionmaker
from meldpunt.dossiers.keys import Keyring, LocalRootKey
from meldpunt.parties import services
from meldpunt.parties.errors import ShareRefused
from meldpunt.parties.models import PartyRole
from meldpunt.parties.schemas import PartyIn, ShareIn
from meldpunt.settings import Settings
from meldpunt.tenancy.models import Tenant
from tests.conftest import MakeTenant, TenantRef
from tests.integration.intake.test_submissions import submit
from tests.integration.parties.test_party_services import WHO, _case_ids

NAMED = {"anonymity": "confidential", "identity": {"name": "Piet Jansen", "contact": "piet@example.nl"}}
HTML = {"Accept": "text/html"}


async def _named_case(client, make_tenant: MakeTenant, app_engine: AsyncEngine) -> tuple[TenantRef, uuid.UUID, str]:  # type: ignore[no-untyped-def]
    tenant = await make_tenant()
    made = await submit(client, tenant.slug, **NAMED)
    assert made.status_code == 201, made.text
    [case_id] = await _case_ids(app_engine, tenant.id)
    return tenant, case_id, made.json()["receipt"]


async def _share_showing_the_reporter(
    app_engine: AsyncEngine, settings: Settings, ref: TenantRef, case_id: uuid.UUID
) -> bool:
    """Whether the panel may now share a document that shows who reported with the case's accused."""
    keyring = Keyring(LocalRootKey(Path(settings.root_key_file or "")))
    async with create_sessionmaker(app_engine)() as session:
        await tenant_context(session, [ref.id])
        tenant = await session.get(Tenant, ref.id)
        assert tenant is not None
        party = await services.add_party(
            session, keyring, WHO, tenant, case_id, PartyIn(role=PartyRole.ACCUSED, name="Jan de Vries")
        )
        documents = await services.documents_of(session, keyring, tenant, case_id)
        document = documents[0][0] if documents else await _a_document(session, tenant, case_id)
        try:
            await services.share(
                session, WHO, tenant, case_id, ShareIn(document_id=document, party_id=party.id, shows_reporter=True)
            )
        except ShareRefused as refused:
            refusal = refused.reason
        else:
            refusal = None
        await session.rollback()
        assert refusal in (None, "reporter-not-agreed")
        return refusal is None


async def _a_document(session, tenant: Tenant, case_id: uuid.UUID) -> uuid.UUID:  # type: ignore[no-untyped-def]
    from sqlalchemy import text

    document_id = uuid.uuid4()
    await session.execute(
        text(
            "INSERT INTO documents (tenant_id, id, case_id, record_class, object_key, size_bytes, sealed_meta) "
            "VALUES (:t, :d, :c, 'decision', :k, 1, '\\x00')"
        ),
        {"t": tenant.id, "d": document_id, "c": case_id, "k": f"tenant/{document_id}"},
    )
    return document_id


async def test_the_reporter_agrees_and_withdraws_in_the_inbox_page(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    tenant, case_id, receipt = await _named_case(client, make_tenant, app_engine)
    inbox = f"/m/{tenant.slug}/inbox"
    opened = await client.post(inbox, data={"receipt": receipt}, headers=HTML)
    assert opened.status_code == 200 and "Mogen de betrokkenen weten wie u bent?" in opened.text
    assert "U heeft niet ingestemd" in opened.text
    assert not await _share_showing_the_reporter(app_engine, settings, tenant, case_id)

    agreed = await client.post(f"{inbox}/instemming", data={"receipt": receipt, "agreed": "yes"}, headers=HTML)
    assert agreed.status_code == 200 and "U heeft ingestemd" in agreed.text
    assert "set-cookie" not in agreed.headers
    assert await _share_showing_the_reporter(app_engine, settings, tenant, case_id)

    english = await client.post(f"{inbox}/instemming?lang=en", data={"receipt": receipt, "agreed": "no"}, headers=HTML)
    assert english.status_code == 200 and "you withdrew your agreement" in english.text
    assert not await _share_showing_the_reporter(app_engine, settings, tenant, case_id)


async def test_the_inbox_api_gives_and_withdraws_the_agreement(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    tenant, case_id, receipt = await _named_case(client, make_tenant, app_engine)
    url = f"/api/v1/public/{tenant.slug}/inbox/agreement"
    assert not await _share_showing_the_reporter(app_engine, settings, tenant, case_id)
    given = await client.put(url, json={"receipt": receipt, "agreed": True})
    assert given.status_code == 200 and given.json() == {"agreed": True}
    assert await _share_showing_the_reporter(app_engine, settings, tenant, case_id)
    withdrawn = await client.put(url, json={"receipt": receipt, "agreed": False})
    assert withdrawn.json() == {"agreed": False}
    assert not await _share_showing_the_reporter(app_engine, settings, tenant, case_id)


@pytest.mark.parametrize("where", ["api", "page"])
async def test_a_receipt_agrees_for_its_own_case_only_and_not_at_another_organisation(
    where: str, client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings
) -> None:
    tenant, case_id, _ = await _named_case(client, make_tenant, app_engine)
    other, other_case, other_receipt = await _named_case(client, make_tenant, app_engine)
    assert (await submit(client, tenant.slug, **NAMED)).status_code == 201
    second_receipt = (await submit(client, tenant.slug, **NAMED)).json()["receipt"]
    if where == "api":
        url = f"/api/v1/public/{tenant.slug}/inbox/agreement"
        foreign = await client.put(url, json={"receipt": other_receipt, "agreed": True})
        wrong = await client.put(url, json={"receipt": "1234 5678 9012 3456", "agreed": True})
        assert foreign.status_code == wrong.status_code == 401  # as a receipt that does not exist
        assert foreign.json()["detail"] == wrong.json()["detail"]
        assert (await client.put(url, json={"receipt": second_receipt, "agreed": True})).json() == {"agreed": True}
    else:
        url = f"/m/{tenant.slug}/inbox/instemming"
        foreign = await client.post(url, data={"receipt": other_receipt, "agreed": "yes"}, headers=HTML)
        assert foreign.status_code == 401 and "U heeft ingestemd" not in foreign.text
        second = await client.post(url, data={"receipt": second_receipt, "agreed": "yes"}, headers=HTML)
        assert "U heeft ingestemd" in second.text
    # Another tenant's receipt agreed nothing, there or here; another case's receipt agreed for that case only.
    assert not await _share_showing_the_reporter(app_engine, settings, other, other_case)
    assert not await _share_showing_the_reporter(app_engine, settings, tenant, case_id)

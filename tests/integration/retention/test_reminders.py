"""Reminders before destruction: at 28, 14, 7, 3 and 1 days, one grouped message a person a day, sent by
e-mail through a real SMTP server, with numbers only, never a document's name or content."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from pathlib import Path

import pytest
from msgspec.structs import replace
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from meldpunt.audit.services import AuditActor
from meldpunt.db.context import tenant_context
from meldpunt.db.engine import create_sessionmaker
from meldpunt.dossiers.documents import DocumentMeta, RecordClass, store_document
from meldpunt.dossiers.keys import Keyring, LocalRootKey
from meldpunt.dossiers.storage import DirectoryObjectStore
from meldpunt.identity import services as identity
from meldpunt.identity.roles import Role
from meldpunt.notifications.services import send_pending
from meldpunt.retention.models import HoldKind, Trigger
from meldpunt.retention.services import EffectiveRule, place_hold, record_case_event, remind_owners, sync_policies
from meldpunt.settings import Settings
from meldpunt.tenancy.models import Tenant
from tests.conftest import Inbox, MakeTenant, TenantRef

# Tomorrow at noon: after every grant the tests create (a fixed date could fall before them, and a grant is
# only valid from its creation), and far from midnight, so that "days left" counts whole days.
NOW = (datetime.now(UTC) + timedelta(days=1)).replace(hour=12, minute=0, second=0, microsecond=0)
META = DocumentMeta("melding-over-pieter.pdf", "application/pdf", "Verklaring getuige")
PERIOD = 730


async def account_with_email(
    app_engine: AsyncEngine, tenant: TenantRef, email: str, *roles: Role
) -> tuple[uuid.UUID, uuid.UUID]:
    async with create_sessionmaker(app_engine)() as session:
        home = await session.get(Tenant, tenant.id)
        assert home is not None
        account = await identity.find_or_create_account(
            session, home, "https://idp.test", str(uuid.uuid4()), {"name": email, "email": email}
        )
        for role in roles:
            await identity.grant_role(session, AuditActor.system("test"), home, account, role, "admin")
        await session.commit()
        return account.tenant_id, account.id


async def document_due_in(
    app_engine: AsyncEngine,
    tenant: TenantRef,
    keyring: Keyring,
    store: DirectoryObjectStore,
    days: int,
    owner: tuple[uuid.UUID, uuid.UUID] | None,
) -> uuid.UUID:
    case_id = uuid.uuid4()

    async def content() -> AsyncIterator[bytes]:
        yield os.urandom(100)

    async with create_sessionmaker(app_engine)() as session:
        await tenant_context(session, [tenant.id])
        await sync_policies(session, tenant.id, [EffectiveRule("report_dossier", "case_closed", PERIOD, False)])
        await store_document(
            session,
            keyring,
            store,
            AuditActor.system("test"),
            tenant.id,
            case_id,
            RecordClass.REPORT_DOSSIER,
            content(),
            META,
            owner=owner,
        )
        await record_case_event(
            session,
            AuditActor.system("test"),
            tenant.id,
            case_id,
            Trigger.CASE_CLOSED,
            NOW - timedelta(days=PERIOD - days),
        )
        await session.commit()
    return case_id


async def remind(app_engine: AsyncEngine, tenant: TenantRef, now: datetime = NOW) -> int:
    async with create_sessionmaker(app_engine)() as session:
        queued = await remind_owners(session, tenant.id, now)
        await session.commit()
        return queued


async def queued_counts(app_engine: AsyncEngine, tenant: TenantRef) -> list[dict[str, int]]:
    async with create_sessionmaker(app_engine)() as session:
        await tenant_context(session, [tenant.id])
        return list((await session.execute(text("SELECT counts FROM notifications ORDER BY created_at"))).scalars())


@pytest.fixture
def keyring(tmp_path: Path) -> Keyring:
    return Keyring(LocalRootKey(tmp_path / "root-keys.json"))


@pytest.fixture
def store(tmp_path: Path) -> DirectoryObjectStore:
    return DirectoryObjectStore(tmp_path / "objects")


@pytest.mark.parametrize(
    ("days", "reminded"),
    [(28, True), (14, True), (7, True), (3, True), (1, True), (20, False), (2, False), (29, False)],
)
async def test_reminders_come_at_28_14_7_3_and_1_days(
    app_engine: AsyncEngine,
    make_tenant: MakeTenant,
    keyring: Keyring,
    store: DirectoryObjectStore,
    days: int,
    reminded: bool,
) -> None:
    tenant = await make_tenant()
    owner = await account_with_email(app_engine, tenant, "eigenaar@org.test")
    await document_due_in(app_engine, tenant, keyring, store, days, owner)
    assert await remind(app_engine, tenant) == (1 if reminded else 0)
    assert await remind(app_engine, tenant) == 0  # the same day again: nothing new


async def test_one_grouped_message_per_person_and_none_for_held_cases_or_without_owner_to_admins(
    app_engine: AsyncEngine, make_tenant: MakeTenant, keyring: Keyring, store: DirectoryObjectStore
) -> None:
    tenant = await make_tenant()
    owner = await account_with_email(app_engine, tenant, "eigenaar@org.test")
    admin = await account_with_email(app_engine, tenant, "beheer@org.test", Role.TENANT_ADMIN)
    await document_due_in(app_engine, tenant, keyring, store, 14, owner)
    await document_due_in(app_engine, tenant, keyring, store, 7, owner)
    held = await document_due_in(app_engine, tenant, keyring, store, 3, owner)
    await document_due_in(app_engine, tenant, keyring, store, 28, None)
    async with create_sessionmaker(app_engine)() as session:
        await place_hold(session, keyring, AuditActor.system("test"), tenant.id, held, HoldKind.OBJECTION, "bezwaar")
        await session.commit()
    assert await remind(app_engine, tenant) == 2
    async with create_sessionmaker(app_engine)() as session:
        await tenant_context(session, [tenant.id])
        rows = {
            row.account_id: row.counts
            for row in await session.execute(text("SELECT account_id, counts FROM notifications"))
        }
    assert rows == {owner[1]: {"documents": 2, "days": 7}, admin[1]: {"documents": 1, "days": 28}}


async def test_messages_are_mailed_once_with_numbers_and_never_content(
    app_engine: AsyncEngine,
    make_tenant: MakeTenant,
    keyring: Keyring,
    store: DirectoryObjectStore,
    settings: Settings,
    smtp: tuple[str, Inbox],
) -> None:
    smtp_url, inbox = smtp
    tenant = await make_tenant()
    address = f"eigenaar-{uuid.uuid4().hex[:8]}@org.test"
    owner = await account_with_email(app_engine, tenant, address)
    await document_due_in(app_engine, tenant, keyring, store, 7, owner)
    await remind(app_engine, tenant)
    with_mail = replace(settings, smtp_url=smtp_url)
    sessions = create_sessionmaker(app_engine)
    assert await send_pending(sessions, with_mail) >= 1
    mine = [raw for recipients, raw in inbox.messages if recipients == [address]]
    assert len(mine) == 1
    message = message_from_bytes(mine[0])
    body = message.get_payload(decode=True).decode()  # type: ignore[union-attr]
    assert message["Subject"] == "Vernietiging van documenten nadert"
    assert "Over 7 dag(en) worden 1 document(en) van Organisatie " + tenant.slug in body
    readable = (message["Subject"] + body).lower()
    for secret in (META.filename, "pieter", META.title or "", "verklaring"):
        assert secret.lower() not in readable
    before = len(inbox.messages)
    await send_pending(sessions, with_mail)
    assert len([r for r, _ in inbox.messages[before:] if r == [address]]) == 0


async def test_without_smtp_settings_messages_wait(
    app_engine: AsyncEngine,
    make_tenant: MakeTenant,
    keyring: Keyring,
    store: DirectoryObjectStore,
    settings: Settings,
) -> None:
    tenant = await make_tenant()
    owner = await account_with_email(app_engine, tenant, "eigenaar@org.test")
    await document_due_in(app_engine, tenant, keyring, store, 1, owner)
    await remind(app_engine, tenant)
    assert await send_pending(create_sessionmaker(app_engine), replace(settings, smtp_url="")) == 0
    assert await queued_counts(app_engine, tenant) == [{"documents": 1, "days": 1}]

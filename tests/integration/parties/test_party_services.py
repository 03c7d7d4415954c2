"""The party portal's rules against real PostgreSQL (RLS) and Redis: parties on a case, invitations that the
link alone does not open, a one-time code spent on first use, a portal key afterwards, revocation, closure,
exactly what is shared with whom, replies and answers, and the accused's name index."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
import redis.asyncio as aioredis
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from meldpunt.audit.services import AuditActor
from meldpunt.db.context import tenant_context
from meldpunt.db.engine import create_sessionmaker
from meldpunt.dossiers.documents import DocumentMeta, RecordClass, store_document
from meldpunt.dossiers.keys import Keyring, LocalRootKey
from meldpunt.dossiers.storage import create_object_store
from meldpunt.identity.models import AccountRef
from meldpunt.intake.attachments import Upload, check_uploads
from meldpunt.intake.errors import CaseNotFound, TooManyAttempts
from meldpunt.intake.models import Case, Deadline
from meldpunt.intake.ratelimit import Limiter
from meldpunt.parties import services
from meldpunt.parties.errors import PartyNotFound, PartyRefused, PortalClosed, ResponseRefused, ShareRefused
from meldpunt.parties.models import PartyRole
from meldpunt.parties.schemas import PartyIn, ResponseIn, ShareIn
from meldpunt.settings import Settings
from meldpunt.tenancy.models import Tenant
from tests.conftest import MakeTenant
from tests.integration.intake.test_submissions import submit
from tests.support.files import pdf_with_metadata

TODAY = date.today()
WHO = AccountRef(uuid.uuid4(), uuid.uuid4())


@dataclass
class World:
    session: AsyncSession
    keyring: Keyring
    limiter: Limiter
    tenant: Tenant
    other: Tenant
    case_id: uuid.UUID
    other_case_id: uuid.UUID


async def _case_ids(app_engine: AsyncEngine, tenant_id: uuid.UUID) -> list[uuid.UUID]:
    async with app_engine.begin() as connection:
        await connection.execute(text(f"SET LOCAL meldpunt.tenant_ids = '{{{tenant_id}}}'"))
        return [row.id for row in await connection.execute(text("SELECT id FROM cases ORDER BY created_at"))]


@pytest.fixture
async def world(
    client, make_tenant: MakeTenant, app_engine: AsyncEngine, settings: Settings, redis_url: str
) -> AsyncIterator[World]:
    tenant_ref, other_ref = await make_tenant(), await make_tenant()
    for ref in (tenant_ref, tenant_ref, other_ref):
        assert (await submit(client, ref.slug)).status_code == 201
    ids, other_ids = await _case_ids(app_engine, tenant_ref.id), await _case_ids(app_engine, other_ref.id)
    redis = aioredis.Redis.from_url(redis_url)
    await redis.flushdb()
    async with create_sessionmaker(app_engine)() as session:
        await tenant_context(session, [tenant_ref.id, other_ref.id])
        tenant, other = await session.get(Tenant, tenant_ref.id), await session.get(Tenant, other_ref.id)
        assert tenant is not None and other is not None
        keyring = Keyring(LocalRootKey(Path(settings.root_key_file or "")))
        yield World(session, keyring, Limiter(redis), tenant, other, ids[0], other_ids[0])
        await session.rollback()
    await redis.aclose()


async def _accused(world: World, name: str = "Jan de Vries", case_id: uuid.UUID | None = None) -> uuid.UUID:
    party = await services.add_party(
        world.session,
        world.keyring,
        WHO,
        world.tenant,
        case_id or world.case_id,
        PartyIn(role=PartyRole.ACCUSED, name=name, contact="jan@example.test"),
    )
    return party.id


async def test_a_party_is_stored_sealed_and_opened_for_the_panel(world: World) -> None:
    party_id = await _accused(world)
    raw = (await world.session.execute(text("SELECT sealed_name, sealed_contact FROM case_parties"))).one()
    assert b"Jan" not in raw.sealed_name and b"example" not in raw.sealed_contact
    [view] = await services.parties_of(world.session, world.keyring, world.tenant, world.case_id)
    assert (view.party.id, view.name, view.contact, view.invited) == (
        party_id,
        "Jan de Vries",
        "jan@example.test",
        False,
    )


async def test_a_companion_accompanies_one_party_and_no_other_companion(world: World) -> None:
    accused = await _accused(world)
    with pytest.raises(PartyRefused, match="begeleider"):
        await services.add_party(
            world.session, world.keyring, WHO, world.tenant, world.case_id, PartyIn(role=PartyRole.COMPANION, name="X")
        )
    companion = await services.add_party(
        world.session,
        world.keyring,
        WHO,
        world.tenant,
        world.case_id,
        PartyIn(role=PartyRole.COMPANION, name="Advocaat", accompanies=accused),
    )
    with pytest.raises(PartyRefused, match="niet een andere begeleider"):
        await services.add_party(
            world.session,
            world.keyring,
            WHO,
            world.tenant,
            world.case_id,
            PartyIn(role=PartyRole.COMPANION, name="Y", accompanies=companion.id),
        )


async def test_naming_an_accused_makes_the_notice_deadline_exist_once(world: World) -> None:
    await world.session.execute(text("DELETE FROM deadlines WHERE kind = 'inform_accused'"))
    await _accused(world)
    await _accused(world, "Nog iemand")
    kinds = (
        await world.session.execute(
            select(Deadline.kind).where(Deadline.case_id == world.case_id, Deadline.kind == "inform_accused")
        )
    ).all()
    assert len(kinds) == 1


async def test_the_link_alone_opens_nothing_the_code_is_spent_once_and_the_key_opens_afterwards(world: World) -> None:
    party_id = await _accused(world)
    invitation = await services.invite(world.session, WHO, world.tenant, world.case_id, party_id)
    stored = (await world.session.execute(text("SELECT token_hash, code_hash, key_hash FROM party_invitations"))).one()
    assert invitation.code not in stored.code_hash and invitation.token.encode() not in stored.token_hash
    assert stored.code_hash.startswith("$argon2id$") and stored.key_hash is None
    for wrong in ("", "AAAAAAAAAA"):
        with pytest.raises(PortalClosed):
            await services.activate(world.session, world.limiter, world.tenant, invitation.token, wrong)
    typed = "-".join([invitation.code[:5].lower(), invitation.code[5:]])  # as someone types it from a letter
    access, key = await services.activate(world.session, world.limiter, world.tenant, invitation.token, typed)
    assert access.party.id == party_id and access.case.id == world.case_id
    with pytest.raises(PortalClosed):  # spent
        await services.activate(world.session, world.limiter, world.tenant, invitation.token, invitation.code)
    again = await services.enter(world.session, world.limiter, world.tenant, invitation.token, key)
    assert again.party.id == party_id
    with pytest.raises(PortalClosed):
        await services.enter(world.session, world.limiter, world.tenant, invitation.token, "1234 5678 9012 3456")
    with pytest.raises(PortalClosed):  # a valid link and key do not open in another tenant
        await services.enter(world.session, world.limiter, world.other, invitation.token, key)


async def test_reinvitation_revocation_removal_and_closure_end_access(world: World) -> None:
    party_id = await _accused(world)
    first = await services.invite(world.session, WHO, world.tenant, world.case_id, party_id)
    second = await services.invite(world.session, WHO, world.tenant, world.case_id, party_id)
    with pytest.raises(PortalClosed):
        await services.activate(world.session, world.limiter, world.tenant, first.token, first.code)
    _, key = await services.activate(world.session, world.limiter, world.tenant, second.token, second.code)
    await services.revoke(world.session, WHO, world.tenant, world.case_id, party_id)
    with pytest.raises(PortalClosed):
        await services.enter(world.session, world.limiter, world.tenant, second.token, key)
    third = await services.invite(world.session, WHO, world.tenant, world.case_id, party_id)
    _, key = await services.activate(world.session, world.limiter, world.tenant, third.token, third.code)
    case = await world.session.get(Case, (world.tenant.id, world.case_id))
    assert case is not None
    case.status = "closed"
    await world.session.flush()
    with pytest.raises(PortalClosed):
        await services.enter(world.session, world.limiter, world.tenant, third.token, key)
    with pytest.raises(PartyRefused, match="afgesloten"):
        await services.invite(world.session, WHO, world.tenant, world.case_id, party_id)


async def test_guessing_is_limited_per_link_without_addresses(world: World) -> None:
    party_id = await _accused(world)
    invitation = await services.invite(world.session, WHO, world.tenant, world.case_id, party_id)
    for _ in range(services.ATTEMPTS_PER_LINK):
        with pytest.raises(PortalClosed):
            await services.activate(world.session, world.limiter, world.tenant, invitation.token, "WRONGWRONG")
    with pytest.raises(TooManyAttempts):
        await services.activate(world.session, world.limiter, world.tenant, invitation.token, invitation.code)


async def test_a_party_with_its_key_is_never_throttled_but_a_link_guessed_at_shuts(world: World) -> None:
    party_id = await _accused(world)
    invitation = await services.invite(world.session, WHO, world.tenant, world.case_id, party_id)
    _, key = await services.activate(world.session, world.limiter, world.tenant, invitation.token, invitation.code)
    for _ in range(3 * services.ATTEMPTS_PER_LINK):  # a party reading many documents in one minute
        await services.enter(world.session, world.limiter, world.tenant, invitation.token, key)
    for _ in range(services.ATTEMPTS_PER_LINK - 2):  # the activation was one attempt at the link
        with pytest.raises(PortalClosed):
            await services.enter(world.session, world.limiter, world.tenant, invitation.token, "WRONG-KEY")
    await services.enter(world.session, world.limiter, world.tenant, invitation.token, key)  # still under the limit
    with pytest.raises(PortalClosed):
        await services.enter(world.session, world.limiter, world.tenant, invitation.token, "WRONG-KEY")
    with pytest.raises(TooManyAttempts):  # guessed at: shut for the window, even for the right key
        await services.enter(world.session, world.limiter, world.tenant, invitation.token, key)


async def _document(world: World, case_id: uuid.UUID | None = None) -> uuid.UUID:
    document_id = uuid.uuid4()
    await world.session.execute(
        text(
            "INSERT INTO documents (tenant_id, id, case_id, record_class, object_key, size_bytes, sealed_meta) "
            "VALUES (:t, :d, :c, 'decision', :k, 1, '\\x00')"
        ),
        {"t": world.tenant.id, "d": document_id, "c": case_id or world.case_id, "k": f"tenant/{document_id}"},
    )
    return document_id


async def test_a_party_sees_exactly_what_is_shared_with_them_or_their_role(world: World) -> None:
    accused = await _accused(world)
    witness = (
        await services.add_party(
            world.session, world.keyring, WHO, world.tenant, world.case_id, PartyIn(role=PartyRole.WITNESS, name="W")
        )
    ).id
    to_accused, to_witnesses, to_nobody = await _document(world), await _document(world), await _document(world)
    await services.share(
        world.session, WHO, world.tenant, world.case_id, ShareIn(document_id=to_accused, party_id=accused)
    )
    await services.share(
        world.session, WHO, world.tenant, world.case_id, ShareIn(document_id=to_witnesses, party_role=PartyRole.WITNESS)
    )
    accesses = {}
    for party_id in (accused, witness):
        invitation = await services.invite(world.session, WHO, world.tenant, world.case_id, party_id)
        accesses[party_id], _ = await services.activate(
            world.session, world.limiter, world.tenant, invitation.token, invitation.code
        )
    assert [s.document_id for s in await services.shares_for(world.session, accesses[accused])] == [to_accused]
    assert [s.document_id for s in await services.shares_for(world.session, accesses[witness])] == [to_witnesses]
    for document_id in (to_witnesses, to_nobody):
        with pytest.raises(PartyNotFound):
            await services.share_for(world.session, accesses[accused], document_id)


async def test_sharing_refuses_a_foreign_document_and_the_reporter_without_agreement(world: World) -> None:
    accused = await _accused(world)
    elsewhere = await _document(world, (await _case_ids_of(world))[1])
    with pytest.raises(ShareRefused, match="hoort niet bij deze zaak"):
        await services.share(
            world.session, WHO, world.tenant, world.case_id, ShareIn(document_id=elsewhere, party_id=accused)
        )
    mine = await _document(world)
    showing = ShareIn(document_id=mine, party_id=accused, shows_reporter=True)
    with pytest.raises(ShareRefused, match="niet ingestemd"):
        await services.share(world.session, WHO, world.tenant, world.case_id, showing)
    case = await world.session.get(Case, (world.tenant.id, world.case_id))
    assert case is not None
    await services.set_reporter_agreement(world.session, case, True)
    assert (await services.share(world.session, WHO, world.tenant, world.case_id, showing)).shows_reporter


async def _case_ids_of(world: World) -> list[uuid.UUID]:
    return list(
        (
            await world.session.execute(
                select(Case.id).where(Case.tenant_id == world.tenant.id).order_by(Case.created_at)
            )
        ).scalars()
    )


async def test_a_record_for_approval_is_approved_or_commented_by_its_party_only(world: World) -> None:
    accused = await _accused(world)
    record = await _document(world)
    shared = await services.share(
        world.session,
        WHO,
        world.tenant,
        world.case_id,
        ShareIn(document_id=record, party_id=accused, for_approval=True),
    )
    invitation = await services.invite(world.session, WHO, world.tenant, world.case_id, accused)
    access, _ = await services.activate(world.session, world.limiter, world.tenant, invitation.token, invitation.code)
    with pytest.raises(ResponseRefused, match="opmerkingen"):
        await services.respond(world.session, world.keyring, access, shared.id, ResponseIn(verdict="commented"))
    await services.respond(
        world.session, world.keyring, access, shared.id, ResponseIn(verdict="commented", comment="Regel 3 klopt niet.")
    )
    [(response, comment)] = await services.responses_to(
        world.session, world.keyring, world.tenant, world.case_id, shared.id
    )
    assert (response.verdict, comment) == ("commented", "Regel 3 klopt niet.")
    with pytest.raises(ResponseRefused):
        await services.respond(world.session, world.keyring, access, uuid.uuid4(), ResponseIn(verdict="approved"))


async def test_the_thread_between_a_party_and_the_handlers_is_sealed_and_per_party(
    world: World, settings: Settings
) -> None:
    store = create_object_store(settings)
    accused = await _accused(world)
    invitation = await services.invite(world.session, WHO, world.tenant, world.case_id, accused)
    access, _ = await services.activate(world.session, world.limiter, world.tenant, invitation.token, invitation.code)
    await services.write_to_party(
        world.session, world.keyring, WHO, world.tenant, world.case_id, accused, "Uw reactie?"
    )
    await services.reply(world.session, world.keyring, store, access, "Ik was er niet.")
    with pytest.raises(ResponseRefused, match="bericht"):
        await services.reply(world.session, world.keyring, store, access, "  ")
    raw = (await world.session.execute(text("SELECT sealed_body FROM party_messages"))).scalars().all()
    assert all(b"niet" not in body for body in raw)
    thread = await services.messages_of(world.session, world.keyring, world.tenant, world.case_id, accused)
    assert [(m.from_party, body) for m, body in thread] == [(False, "Uw reactie?"), (True, "Ik was er niet.")]


async def test_a_partys_files_are_cleaned_stored_as_attachments_and_shared_back_with_them(
    world: World, settings: Settings
) -> None:
    store = create_object_store(settings)
    accused = await _accused(world)
    invitation = await services.invite(world.session, WHO, world.tenant, world.case_id, accused)
    access, _ = await services.activate(world.session, world.limiter, world.tenant, invitation.token, invitation.code)
    files = await check_uploads([Upload("mijn-verweer.pdf", pdf_with_metadata())])
    await services.reply(world.session, world.keyring, store, access, "", files)
    view = await services.portal_view(world.session, world.keyring, access)
    assert [(i.meta.filename, i.meta.source) for i in view.items] == [("bijlage-1.pdf", f"party:{accused}")]
    assert view.messages == []


async def test_cases_about_the_same_named_accused_are_found_and_linked(world: World) -> None:
    first, second = await _case_ids_of(world)
    await _accused(world, "Jan de Vries", first)
    await _accused(world, "  JAN  DE VRIES ", second)
    raw = (await world.session.execute(text("SELECT name_index FROM case_parties"))).scalars().all()
    assert raw[0] == raw[1] and b"Jan" not in raw[0]
    assert await services.same_accused(world.session, world.tenant, first) == [second]
    await services.link_cases(world.session, WHO, world.tenant, first, second)
    await services.link_cases(world.session, WHO, world.tenant, second, first)  # once is enough
    assert await services.linked_cases(world.session, world.tenant, second) == [first]
    assert await services.same_accused(world.session, world.tenant, first) == []
    with pytest.raises(CaseNotFound):  # a case of another tenant is not found
        await services.link_cases(world.session, WHO, world.tenant, first, world.other_case_id)


async def _chunks(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def test_the_portal_shows_and_opens_what_is_shared_and_audits_the_party_as_actor(
    world: World, settings: Settings
) -> None:
    store = create_object_store(settings)
    accused = await _accused(world)
    notice = await store_document(
        world.session,
        world.keyring,
        store,
        AuditActor.system("test"),
        world.tenant.id,
        world.case_id,
        RecordClass.DECISION,
        _chunks(b"%PDF- de brief"),
        DocumentMeta(filename="brief.pdf", content_type="application/pdf", title="Kennisgeving"),
    )
    await services.share(
        world.session,
        WHO,
        world.tenant,
        world.case_id,
        ShareIn(
            document_id=notice.id, party_id=accused, for_approval=True, respond_by=date.today() + timedelta(days=14)
        ),
    )
    invitation = await services.invite(world.session, WHO, world.tenant, world.case_id, accused)
    access, _ = await services.activate(world.session, world.limiter, world.tenant, invitation.token, invitation.code)
    view = await services.portal_view(world.session, world.keyring, access)
    assert [(i.meta.title, i.answer) for i in view.items] == [("Kennisgeving", None)]
    assert [(d.title, d.answered) for d in view.deadlines] == [("Kennisgeving", False)]
    opened = await services.open_shared(world.session, world.keyring, store, access, notice.id)
    assert b"".join([chunk async for chunk in opened.content]) == b"%PDF- de brief"
    with pytest.raises(PartyNotFound):
        await services.open_shared(world.session, world.keyring, store, access, uuid.uuid4())
    actors = (
        await world.session.execute(
            text("SELECT actor, action FROM audit_entries WHERE actor LIKE 'party:%' ORDER BY seq")
        )
    ).all()
    assert [(a.actor, a.action) for a in actors] == [
        (f"party:{accused}", "party.activated"),
        (f"party:{accused}", "party.viewed"),
        (f"party:{accused}", "document.read"),
    ]

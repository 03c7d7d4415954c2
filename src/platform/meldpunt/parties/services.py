"""The party portal's rules (DESIGN §6): who is a party on a case, how an invitation opens the portal, what a
party sees and does. HTTP-free; every refusal says, in Dutch, what is missing.

An invitation is a link (a random token) plus a one-time code delivered another way. The link alone opens
nothing; the code is spent on first use, and the party then gets a portal key (shown once, like a receipt)
that opens the portal with the link from then on. Token, code and key are stored only as hashes (SHA-256
for the 256-bit token, Argon2id for code and key). Attempts are limited per tenant and per link, never per
address. Access ends on revocation, on a re-invitation, when the party is removed and when the case closes."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVar

import anyio
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import ColumnElement, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from meldpunt.audit import services as audit
from meldpunt.audit.services import AuditActor
from meldpunt.db.context import tenant_context
from meldpunt.dossiers.cipher import CaseCipher, case_cipher
from meldpunt.dossiers.documents import Document, DocumentMeta, OpenedDocument, document_meta, open_document
from meldpunt.dossiers.keys import Keyring
from meldpunt.dossiers.storage import ObjectStore
from meldpunt.identity import services as identity
from meldpunt.identity.models import AccountRef
from meldpunt.intake import services as intake
from meldpunt.intake.attachments import Checked, attach
from meldpunt.intake.errors import TooManyAttempts
from meldpunt.intake.models import Case, Deadline, DeadlineKind
from meldpunt.intake.ratelimit import Limiter
from meldpunt.parties.errors import PartyNotFound, PartyRefused, PortalClosed, ResponseRefused, ShareRefused
from meldpunt.parties.models import (
    CaseLink,
    CaseParty,
    PartyInvitation,
    PartyMessage,
    PartyResponse,
    PartyRole,
    PartyShare,
    PartyTerm,
    ReporterAgreement,
    Verdict,
)
from meldpunt.parties.schemas import CompanionIn, PartyIn, ResponseIn, ShareIn, TermIn
from meldpunt.tenancy.models import Tenant
from meldpunt.tenancy.terms import terms_of

# A case in one of these states has ended for its parties: their portal closes (DESIGN §6).
ENDED = frozenset({"closed", "withdrawn"})
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud or from a letter
CODE_LENGTH = 10  # 50 bits; spent on first use and limited per link
ATTEMPTS_PER_TENANT = 120  # a minute, like receipts
ATTEMPTS_PER_LINK = 10
# OWASP's Argon2id baseline, as for receipts (19 MiB, 2 passes).
_HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
_NAME_INDEX = "accused-name-index"  # the purpose of the tenant's key for the accused's name index


def _now() -> datetime:
    return datetime.now(UTC)


def party_actor(party_id: uuid.UUID) -> AuditActor:
    """The party as actor in the audit log: an id on the case, never a name or an address."""
    return AuditActor(f"party:{party_id}")


async def _audited(
    session: AsyncSession,
    tenant: Tenant,
    who: AccountRef,
    action: str,
    kind: str,
    subject: uuid.UUID,
    **details: Any,
) -> None:
    """An audit entry for what the account ``who`` did in ``tenant``."""
    await audit.record(session, tenant.id, AuditActor.account(who.id), action, kind, subject, **details)


# ---------------------------------------------------------------- secrets


def token_hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(typed: str) -> str:
    """What a person types from a letter: case, spaces and dashes do not matter."""
    return "".join(ch for ch in typed.upper() if ch.isalnum())


def new_key() -> str:
    """The portal key: 16 digits in groups of four, like a receipt."""
    digits = "".join(secrets.choice("0123456789") for _ in range(16))
    return " ".join(digits[i : i + 4] for i in range(0, 16, 4))


def normalise_key(typed: str) -> str:
    return "".join(ch for ch in typed if ch.isdigit())


def is_key(typed: str) -> bool:
    """Whether what a person typed is a portal key (16 digits) rather than the one-time code (10 signs)."""
    return len(normalise_key(typed)) == 16 and len(normalise_code(typed)) == 16


async def _hash(secret: str) -> str:
    return await anyio.to_thread.run_sync(_HASHER.hash, secret)


async def _verifies(encoded: str | None, secret: str) -> bool:
    if not encoded or not secret:
        return False
    try:
        return await anyio.to_thread.run_sync(_HASHER.verify, encoded, secret)
    except (VerificationError, InvalidHashError):
        return False


# ---------------------------------------------------------------- parties on a case


def normalise_name(name: str) -> str:
    """A name as the index compares it: accents, case and spacing do not make another person."""
    folded = unicodedata.normalize("NFKD", name.casefold())
    return " ".join("".join(ch for ch in folded if not unicodedata.combining(ch)).split())


async def name_index(session: AsyncSession, keyring: Keyring, tenant_id: uuid.UUID, name: str) -> bytes:
    """A keyed hash of an accused's name, so that the panel finds the tenant's other cases about the same
    person without the database holding the name. The key is the tenant's own (a key of the keyring that
    survives rotation), so the index says nothing outside this tenant."""
    key_id = uuid.uuid5(tenant_id, _NAME_INDEX)
    material = await keyring.case_key(session, tenant_id, key_id, create=True)
    return hmac.new(material.text_key, normalise_name(name).encode(), hashlib.sha256).digest()


@dataclass(frozen=True)
class PartyView:
    party: CaseParty
    name: str
    contact: str
    companion: str
    invited: bool  # an invitation that still opens (or can still be activated)
    activated: bool


async def _case_of(session: AsyncSession, tenant: Tenant, case_id: uuid.UUID) -> Case:
    case = await intake.find_case(session, tenant, case_id)
    return case


async def _party(session: AsyncSession, tenant: Tenant, case_id: uuid.UUID, party_id: uuid.UUID) -> CaseParty:
    party = (
        await session.execute(
            select(CaseParty).where(
                CaseParty.tenant_id == tenant.id,
                CaseParty.case_id == case_id,
                CaseParty.id == party_id,
                CaseParty.removed_at.is_(None),
            )
        )
    ).scalar()
    if party is None:
        raise PartyNotFound()
    return party


async def add_party(
    session: AsyncSession, keyring: Keyring, who: AccountRef, tenant: Tenant, case_id: uuid.UUID, data: PartyIn
) -> CaseParty:
    """A party on the case. An accused recorded by name makes the one-month notice deadline exist (AVG art.
    14, seed-000 H6 Stap 2: also for an anonymous report that names someone)."""
    case = await _case_of(session, tenant, case_id)
    if case.status in ENDED:
        raise PartyRefused("case-ended")
    if (data.role == PartyRole.COMPANION) != (data.accompanies is not None):
        raise PartyRefused("companion-needs-party")
    if data.accompanies is not None:
        accompanied = await _party(session, tenant, case_id, data.accompanies)
        if accompanied.role == PartyRole.COMPANION:
            raise PartyRefused("companion-of-companion")
    party_id = uuid.uuid4()
    cipher = await case_cipher(session, keyring, tenant.id, case_id)
    name = data.name.strip()
    if not name:
        raise PartyRefused("name-missing")
    party = CaseParty(
        tenant_id=tenant.id,
        id=party_id,
        case_id=case_id,
        role=data.role,
        accompanies_id=data.accompanies,
        sealed_name=cipher.seal(name, "party-name", party_id),
        sealed_contact=cipher.seal(data.contact.strip(), "party-contact", party_id) if data.contact.strip() else None,
        name_index=await name_index(session, keyring, tenant.id, name) if data.role == PartyRole.ACCUSED else None,
        added_by_tenant_id=who.tenant_id,
        added_by_id=who.id,
        added_at=_now(),
    )
    session.add(party)
    await session.flush()
    if data.role == PartyRole.ACCUSED:
        await _ensure_notice_deadline(session, tenant, case)
    await _audited(session, tenant, who, "party.added", "case", case_id, party=party_id, role=data.role)
    return party


async def _ensure_notice_deadline(session: AsyncSession, tenant: Tenant, case: Case) -> None:
    exists = (
        await session.execute(
            select(Deadline.id).where(
                Deadline.tenant_id == case.tenant_id, Deadline.case_id == case.id, Deadline.kind == "inform_accused"
            )
        )
    ).first()
    if exists is None:
        due = _now() + timedelta(days=terms_of(tenant.procedure).inform_accused_days)
        intake.add_deadline(session, case, "inform_accused", due, "decision_maker")


async def parties_of(session: AsyncSession, keyring: Keyring, tenant: Tenant, case_id: uuid.UUID) -> list[PartyView]:
    """The case's parties with their names opened, for the panel."""
    await _case_of(session, tenant, case_id)
    parties = (
        (
            await session.execute(
                select(CaseParty)
                .where(CaseParty.tenant_id == tenant.id, CaseParty.case_id == case_id, CaseParty.removed_at.is_(None))
                .order_by(CaseParty.added_at)
            )
        )
        .scalars()
        .all()
    )
    invitations = await _live_invitations(session, tenant, case_id)
    cipher = await case_cipher(session, keyring, tenant.id, case_id)
    return [_view(cipher, party, invitations.get(party.id)) for party in parties]


def _view(cipher: CaseCipher, party: CaseParty, invitation: PartyInvitation | None) -> PartyView:
    return PartyView(
        party=party,
        name=cipher.open(party.sealed_name, "party-name", party.id) or "",
        contact=cipher.open(party.sealed_contact, "party-contact", party.id) or "",
        companion=cipher.open(party.sealed_companion, "party-companion", party.id) or "",
        invited=invitation is not None,
        activated=invitation is not None and invitation.activated_at is not None,
    )


async def _live_invitations(
    session: AsyncSession, tenant: Tenant, case_id: uuid.UUID
) -> dict[uuid.UUID, PartyInvitation]:
    rows = (
        await session.execute(
            select(PartyInvitation).where(
                PartyInvitation.tenant_id == tenant.id,
                PartyInvitation.case_id == case_id,
                PartyInvitation.revoked_at.is_(None),
            )
        )
    ).scalars()
    return {row.party_id: row for row in rows}


async def remove_party(
    session: AsyncSession, who: AccountRef, tenant: Tenant, case_id: uuid.UUID, party_id: uuid.UUID
) -> None:
    """The party is no longer on the case; an invitation it had stops opening."""
    party = await _party(session, tenant, case_id, party_id)
    party.removed_at = _now()
    await _revoke_all(session, tenant, case_id, party_id)
    await _audited(session, tenant, who, "party.removed", "case", case_id, party=party_id)


# ---------------------------------------------------------------- invitations


@dataclass(frozen=True)
class Invitation:
    """What the inviting professional delivers, each part its own way; shown once, stored only as hashes."""

    party_id: uuid.UUID
    token: str
    code: str


async def _revoke_all(session: AsyncSession, tenant: Tenant, case_id: uuid.UUID, party_id: uuid.UUID) -> int:
    result = await session.execute(
        update(PartyInvitation)
        .where(
            PartyInvitation.tenant_id == tenant.id,
            PartyInvitation.case_id == case_id,
            PartyInvitation.party_id == party_id,
            PartyInvitation.revoked_at.is_(None),
        )
        .values(revoked_at=_now())
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def invite(
    session: AsyncSession, who: AccountRef, tenant: Tenant, case_id: uuid.UUID, party_id: uuid.UUID
) -> Invitation:
    """A new invitation for the party; an earlier one stops opening (a re-invitation)."""
    case = await _case_of(session, tenant, case_id)
    if case.status in ENDED:
        raise PartyRefused("case-ended")
    party = await _party(session, tenant, case_id, party_id)
    revoked = await _revoke_all(session, tenant, case_id, party.id)
    token, code = secrets.token_urlsafe(32), new_code()
    session.add(
        PartyInvitation(
            tenant_id=tenant.id,
            id=uuid.uuid4(),
            case_id=case_id,
            party_id=party.id,
            token_hash=token_hash(token),
            code_hash=await _hash(code),
            created_by_tenant_id=who.tenant_id,
            created_by_id=who.id,
        )
    )
    await session.flush()
    await _audited(
        session,
        tenant,
        who,
        "party.invited",
        "case",
        case_id,
        party=party.id,
        again=revoked > 0,
    )
    return Invitation(party.id, token, code)


async def revoke(
    session: AsyncSession, who: AccountRef, tenant: Tenant, case_id: uuid.UUID, party_id: uuid.UUID
) -> None:
    party = await _party(session, tenant, case_id, party_id)
    await _revoke_all(session, tenant, case_id, party.id)
    await _audited(session, tenant, who, "party.revoked", "case", case_id, party=party.id)


@dataclass(frozen=True)
class PartyAccess:
    """A party inside the portal, for this request: the portal opened with the link and a code or key."""

    tenant: Tenant
    case: Case
    party: CaseParty
    invitation: PartyInvitation

    @property
    def actor(self) -> AuditActor:
        return party_actor(self.party.id)


def _link_key(tenant: Tenant, token: str) -> str:
    """The per-link counter's key: a digest prefix of the token's hash, never the token; no addresses."""
    return f"meldpunt:rl:party:{tenant.id}:{token_hash(token).hex()[:12]}"


async def _spend_attempt(limiter: Limiter, tenant: Tenant, token: str, verified: bool) -> None:
    """Per tenant, then per link. An attempt with a solved challenge skips the per-tenant count, as for
    receipts: a flood of guesses does not lock real parties (whose page solves it) out."""
    if not verified and await limiter.spend(f"meldpunt:rl:party:{tenant.id}") > ATTEMPTS_PER_TENANT:
        raise TooManyAttempts()
    if await limiter.spend(_link_key(tenant, token)) > ATTEMPTS_PER_LINK:
        raise TooManyAttempts()


async def _invitation(
    session: AsyncSession, tenant: Tenant, token: str, *, lock: bool = False
) -> tuple[PartyInvitation, CaseParty, Case]:
    """The invitation of the link; ``lock``: held until the transaction ends, so that two activations at once
    cannot both spend the one-time code."""
    await tenant_context(session, [tenant.id])
    query = (
        select(PartyInvitation, CaseParty, Case)
        .join(
            CaseParty,
            (CaseParty.tenant_id == PartyInvitation.tenant_id) & (CaseParty.id == PartyInvitation.party_id),
        )
        .join(Case, (Case.tenant_id == PartyInvitation.tenant_id) & (Case.id == PartyInvitation.case_id))
        .where(PartyInvitation.tenant_id == tenant.id, PartyInvitation.token_hash == token_hash(token))
    )
    if lock:
        query = query.with_for_update(of=PartyInvitation)
    row = (await session.execute(query)).first()
    if row is None:
        raise PortalClosed()
    invitation, party, case = row
    if invitation.revoked_at is not None or party.removed_at is not None or case.status in ENDED:
        raise PortalClosed()
    return invitation, party, case


async def activate(
    session: AsyncSession,
    limiter: Limiter,
    tenant: Tenant,
    token: str,
    code: str,
    *,
    verified: bool = False,
    bind_to: AccountRef | None = None,
) -> tuple[PartyAccess, str]:
    """Spend the one-time code: the portal opens and the party gets its portal key (shown once). ``bind_to``:
    the account the party is signed in with (OIDC), which opens this invitation's portal from then on; only
    an account of this organisation (or its branch), and only with the code, so that a stolen session cannot
    bind someone else's invitation."""
    await _spend_attempt(limiter, tenant, token, verified)
    if bind_to is not None and bind_to.tenant_id not in {t.id for t in await identity.tenant_tree(session, tenant.id)}:
        raise PartyRefused("account-elsewhere")
    invitation, party, case = await _invitation(session, tenant, token, lock=True)
    if invitation.activated_at is not None or not await _verifies(invitation.code_hash, normalise_code(code)):
        raise PortalClosed()
    key = new_key()
    invitation.activated_at = _now()
    invitation.key_hash = await _hash(normalise_key(key))
    await audit.record(session, tenant.id, party_actor(party.id), "party.activated", "case", case.id)
    if bind_to is not None:
        invitation.bound_account_tenant_id, invitation.bound_account_id = bind_to
        invitation.bound_at = _now()
        await audit.record(session, tenant.id, party_actor(party.id), "party.bound", "case", case.id)
    return PartyAccess(tenant, case, party, invitation), key


def _bound_to(invitation: PartyInvitation, account: AccountRef | None) -> bool:
    return account is not None and (invitation.bound_account_tenant_id, invitation.bound_account_id) == account


async def enter(
    session: AsyncSession,
    limiter: Limiter,
    tenant: Tenant,
    token: str,
    key: str,
    *,
    verified: bool = False,
    account: AccountRef | None = None,
) -> PartyAccess:
    """The portal for the link and the party's key, or for the link and the signed-in ``account`` the
    invitation is bound to (a professional's roles open no portal); the same refusal for every reason it does
    not open."""
    if await limiter.peek(_link_key(tenant, token)) >= ATTEMPTS_PER_LINK:
        raise TooManyAttempts()  # a link being guessed at stays shut for the window, even for the right key
    if not verified and await limiter.spend(f"meldpunt:rl:party:{tenant.id}") > ATTEMPTS_PER_TENANT:
        raise TooManyAttempts()
    try:
        invitation, party, case = await _invitation(session, tenant, token)
        if invitation.activated_at is None:
            raise PortalClosed()
        if not (await _verifies(invitation.key_hash, normalise_key(key)) if key else _bound_to(invitation, account)):
            raise PortalClosed()
    except PortalClosed:
        await limiter.spend(_link_key(tenant, token))  # only a failed entry counts against the link: a party
        raise  # reading ten documents in a minute is not guessing
    return PartyAccess(tenant, case, party, invitation)


async def end_access_for_case(session: AsyncSession, tenant: Tenant, case_id: uuid.UUID) -> int:
    """Every invitation of the case stops opening (closure calls this; the portal also refuses an ended case)."""
    result = await session.execute(
        update(PartyInvitation)
        .where(
            PartyInvitation.tenant_id == tenant.id,
            PartyInvitation.case_id == case_id,
            PartyInvitation.revoked_at.is_(None),
        )
        .values(revoked_at=_now())
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


# ---------------------------------------------------------------- what is shared


async def reporter_agreed(session: AsyncSession, case: Case) -> bool:
    """Whether the reporter agreed (and did not withdraw) that the parties may learn who reported."""
    row = (
        await session.execute(
            select(ReporterAgreement.id).where(
                ReporterAgreement.tenant_id == case.tenant_id,
                ReporterAgreement.case_id == case.id,
                ReporterAgreement.withdrawn_at.is_(None),
            )
        )
    ).first()
    return row is not None


async def set_reporter_agreement(session: AsyncSession, case: Case, agreed: bool) -> None:
    """The reporter, in the inbox, agrees that the parties may learn who reported, or withdraws that."""
    current = (
        await session.execute(
            select(ReporterAgreement).where(
                ReporterAgreement.tenant_id == case.tenant_id,
                ReporterAgreement.case_id == case.id,
                ReporterAgreement.withdrawn_at.is_(None),
            )
        )
    ).scalar()
    if agreed and current is None:
        session.add(ReporterAgreement(tenant_id=case.tenant_id, id=uuid.uuid4(), case_id=case.id))
    elif not agreed and current is not None:
        current.withdrawn_at = _now()
    await audit.record(
        session, case.tenant_id, audit.ANONYMOUS, "party.reporter_agreement", "case", case.id, agreed=agreed
    )


async def share(
    session: AsyncSession, who: AccountRef, tenant: Tenant, case_id: uuid.UUID, data: ShareIn
) -> PartyShare:
    """Make a document of the case visible to a role's parties or one party (perhaps for approval)."""
    case = await _case_of(session, tenant, case_id)
    if (data.party_role is None) == (data.party_id is None):
        raise ShareRefused("one-audience")
    document = (
        await session.execute(select(Document).where(Document.tenant_id == tenant.id, Document.id == data.document_id))
    ).scalar()
    if document is None or document.case_id != case_id:
        raise ShareRefused("other-case")
    if data.party_id is not None:
        await _party(session, tenant, case_id, data.party_id)
    if data.shows_reporter and not await reporter_agreed(session, case):
        raise ShareRefused("reporter-not-agreed")
    if data.for_approval and data.party_id is None:
        raise ShareRefused("approval-by-one")
    if data.respond_by is not None and data.respond_by < date.today():
        raise ShareRefused("term-past")
    row = PartyShare(
        tenant_id=tenant.id,
        id=uuid.uuid4(),
        case_id=case_id,
        document_id=document.id,
        party_role=data.party_role,
        party_id=data.party_id,
        for_approval=data.for_approval,
        respond_by=data.respond_by,
        shows_reporter=data.shows_reporter,
        shared_by_tenant_id=who.tenant_id,
        shared_by_id=who.id,
        shared_at=_now(),
    )
    session.add(row)
    await session.flush()
    await _audited(
        session,
        tenant,
        who,
        "party.shared",
        "document",
        document.id,
        case=case_id,
        for_approval=data.for_approval,
    )
    return row


async def _live_share(session: AsyncSession, tenant: Tenant, case_id: uuid.UUID, share_id: uuid.UUID) -> PartyShare:
    """A share of this case that was not withdrawn; else refused as not shared."""
    row = (
        await session.execute(
            select(PartyShare).where(
                PartyShare.tenant_id == tenant.id, PartyShare.case_id == case_id, PartyShare.id == share_id
            )
        )
    ).scalar()
    if row is None or row.withdrawn_at is not None:
        raise ShareRefused("not-shared")
    return row


async def withdraw_share(
    session: AsyncSession, who: AccountRef, tenant: Tenant, case_id: uuid.UUID, share_id: uuid.UUID
) -> None:
    row = await _live_share(session, tenant, case_id, share_id)
    row.withdrawn_at = _now()
    await _audited(session, tenant, who, "party.unshared", "document", row.document_id)


async def extend_respond_by(
    session: AsyncSession, who: AccountRef, tenant: Tenant, case_id: uuid.UUID, share_id: uuid.UUID, respond_by: date
) -> PartyShare:
    """A later date to answer a shared record by (a party asked for more time): the portal shows it."""
    row = await _live_share(session, tenant, case_id, share_id)
    if respond_by < date.today() or (row.respond_by is not None and respond_by <= row.respond_by):
        raise ShareRefused("term-past")
    row.respond_by = respond_by
    await _audited(session, tenant, who, "party.share_extended", "document", row.document_id, case=case_id)
    return row


@dataclass(frozen=True)
class CaseShare:
    """A share as the panel sees it: the document's name and the answers to it, opened."""

    share: PartyShare
    meta: DocumentMeta
    answers: list[tuple[PartyResponse, str]]


async def documents_of(
    session: AsyncSession, keyring: Keyring, tenant: Tenant, case_id: uuid.UUID
) -> list[tuple[Document, DocumentMeta]]:
    """The case's documents with their names (not their content), for the panel to choose what to share."""
    rows = await session.execute(
        select(Document)
        .where(Document.tenant_id == tenant.id, Document.case_id == case_id)
        .order_by(Document.created_at)
    )
    return [(document, await document_meta(session, keyring, document)) for document in rows.scalars()]


async def shares_of(session: AsyncSession, keyring: Keyring, tenant: Tenant, case_id: uuid.UUID) -> list[CaseShare]:
    """What the panel shared with the case's parties (not the parties' own files), with the answers to each."""
    await _case_of(session, tenant, case_id)
    shares = (
        await session.execute(
            select(PartyShare)
            .where(
                PartyShare.tenant_id == tenant.id,
                PartyShare.case_id == case_id,
                PartyShare.withdrawn_at.is_(None),
                PartyShare.shared_by_id.is_not(None),
            )
            .order_by(PartyShare.shared_at)
        )
    ).scalars()
    names = {document.id: meta for document, meta in await documents_of(session, keyring, tenant, case_id)}
    return [
        CaseShare(share, names[share.document_id], await responses_to(session, keyring, tenant, case_id, share.id))
        for share in shares
        if share.document_id in names
    ]


def _from_party(tenant: Tenant, case_id: uuid.UUID, party_id: uuid.UUID) -> ColumnElement[bool]:
    """The shares of a party's own files (what they sent, shared back with them; no professional shared it)."""
    return (
        (PartyShare.tenant_id == tenant.id)
        & (PartyShare.case_id == case_id)
        & (PartyShare.party_id == party_id)
        & PartyShare.shared_by_id.is_(None)
    )


async def files_from(
    session: AsyncSession, keyring: Keyring, tenant: Tenant, case_id: uuid.UUID, party_id: uuid.UUID
) -> list[tuple[Document, DocumentMeta]]:
    """The files a party sent with their replies, by name (their content stays closed), for the panel."""
    rows = await session.execute(
        select(Document)
        .join(PartyShare, (PartyShare.tenant_id == Document.tenant_id) & (PartyShare.document_id == Document.id))
        .where(_from_party(tenant, case_id, party_id))
        .order_by(Document.created_at)
    )
    return [(document, await document_meta(session, keyring, document)) for document in rows.scalars()]


async def open_file_from(
    session: AsyncSession,
    keyring: Keyring,
    store: ObjectStore,
    who: AccountRef,
    tenant: Tenant,
    case_id: uuid.UUID,
    party_id: uuid.UUID,
    document_id: uuid.UUID,
) -> OpenedDocument:
    """One file a party sent, for the case's handlers to read (the read audited); any other document of this
    or another case is not found here."""
    found = await session.execute(
        select(PartyShare.id).where(_from_party(tenant, case_id, party_id), PartyShare.document_id == document_id)
    )
    if found.first() is None:
        raise PartyNotFound()
    return await open_document(session, keyring, store, AuditActor.account(who.id), tenant.id, document_id)


def _visible_to(access: PartyAccess) -> object:
    return (
        (PartyShare.tenant_id == access.tenant.id)
        & (PartyShare.case_id == access.case.id)
        & PartyShare.withdrawn_at.is_(None)
        & or_(PartyShare.party_id == access.party.id, PartyShare.party_role == access.party.role)
    )


async def shares_for(session: AsyncSession, access: PartyAccess) -> Sequence[PartyShare]:
    """Exactly what is shared with this party: with them by name or with their role, not withdrawn."""
    return (
        (await session.execute(select(PartyShare).where(_visible_to(access)).order_by(PartyShare.shared_at)))  # type: ignore[arg-type]
        .scalars()
        .all()
    )


async def share_for(session: AsyncSession, access: PartyAccess, document_id: uuid.UUID) -> PartyShare:
    """The share that lets this party read this document; not found otherwise (existence is not leaked)."""
    row = (
        await session.execute(
            select(PartyShare).where(_visible_to(access), PartyShare.document_id == document_id).limit(1)  # type: ignore[arg-type]
        )
    ).scalar()
    if row is None:
        raise PartyNotFound()
    return row


# ---------------------------------------------------------------- what a party does


Opened = TypeVar("Opened", PartyMessage, PartyResponse, PartyTerm)


async def _opened(
    session: AsyncSession,
    keyring: Keyring,
    tenant: Tenant,
    case_id: uuid.UUID,
    model: type[Opened],
    of: ColumnElement[bool],
    order: InstrumentedAttribute[datetime] | InstrumentedAttribute[date],
    sealed: Callable[[Opened], bytes | None],
    purpose: str,
) -> list[tuple[Opened, str]]:
    """The case's rows of ``model`` that ``of`` picks in ``order``, each with its ``sealed`` text opened."""
    query = select(model).where(model.tenant_id == tenant.id, model.case_id == case_id, of).order_by(order)
    rows = (await session.execute(query)).scalars().all()
    cipher = await case_cipher(session, keyring, tenant.id, case_id)
    return [(row, cipher.open(sealed(row), purpose, row.id) or "") for row in rows]


async def messages_of(
    session: AsyncSession, keyring: Keyring, tenant: Tenant, case_id: uuid.UUID, party_id: uuid.UUID
) -> list[tuple[PartyMessage, str]]:
    """The thread between one party and the case's handlers, opened."""
    of, order = PartyMessage.party_id == party_id, PartyMessage.created_at
    return await _opened(
        session, keyring, tenant, case_id, PartyMessage, of, order, lambda row: row.sealed_body, "party-message"
    )


async def _message(
    session: AsyncSession,
    keyring: Keyring,
    tenant: Tenant,
    case_id: uuid.UUID,
    party_id: uuid.UUID,
    text: str,
    author: AccountRef | None,
) -> PartyMessage:
    message_id = uuid.uuid4()
    cipher = await case_cipher(session, keyring, tenant.id, case_id)
    row = PartyMessage(
        tenant_id=tenant.id,
        id=message_id,
        case_id=case_id,
        party_id=party_id,
        from_party=author is None,
        author_tenant_id=author.tenant_id if author else None,
        author_id=author.id if author else None,
        sealed_body=cipher.seal(text, "party-message", message_id),
        created_at=_now(),  # not the transaction's start: a thread keeps the order its messages were written in
    )
    session.add(row)
    await session.flush()
    return row


async def write_to_party(
    session: AsyncSession,
    keyring: Keyring,
    who: AccountRef,
    tenant: Tenant,
    case_id: uuid.UUID,
    party_id: uuid.UUID,
    text: str,
) -> PartyMessage:
    """A message from the case's handlers to one party, in that party's thread."""
    await _party(session, tenant, case_id, party_id)
    if not text.strip():
        raise PartyRefused("message-empty")
    row = await _message(session, keyring, tenant, case_id, party_id, text.strip(), who)
    await _audited(session, tenant, who, "party.message_sent", "case", case_id, party=party_id)
    return row


async def reply(
    session: AsyncSession,
    keyring: Keyring,
    store: ObjectStore,
    access: PartyAccess,
    text: str,
    files: Sequence[Checked] = (),
) -> PartyMessage | None:
    """A message, files, or both, from the party to the case's handlers. Files went through the same
    cleaning as the reporter's (``intake.attachments.check_uploads``) and are stored encrypted as the case's
    attachments; each is shared with this party, so that they see what they sent."""
    if not text.strip() and not files:
        raise ResponseRefused("message-empty")
    for document in await attach(session, keyring, store, access.tenant.id, access.case, files, access.actor):
        session.add(
            PartyShare(
                tenant_id=access.tenant.id,
                id=uuid.uuid4(),
                case_id=access.case.id,
                document_id=document.id,
                party_id=access.party.id,
                for_approval=False,
                shows_reporter=False,
                shared_by_tenant_id=None,  # the party's own file, not a professional's share
                shared_by_id=None,
                shared_at=_now(),
            )
        )
    row = None
    if text.strip():
        row = await _message(session, keyring, access.tenant, access.case.id, access.party.id, text.strip(), None)
    await audit.record(
        session, access.tenant.id, access.actor, "party.replied", "case", access.case.id, files=len(files)
    )
    return row


async def respond(
    session: AsyncSession, keyring: Keyring, access: PartyAccess, share_id: uuid.UUID, data: ResponseIn
) -> PartyResponse:
    """Approve or comment on a record shared with this party for approval; a comment needs words."""
    row = (
        await session.execute(
            select(PartyShare).where(_visible_to(access), PartyShare.id == share_id)  # type: ignore[arg-type]
        )
    ).scalar()
    if row is None or not row.for_approval:
        raise ResponseRefused("not-for-approval")
    comment = data.comment.strip()
    if data.verdict == "commented" and not comment:
        raise ResponseRefused("comment-missing")
    response_id = uuid.uuid4()
    cipher = await case_cipher(session, keyring, access.tenant.id, access.case.id)
    response = PartyResponse(
        tenant_id=access.tenant.id,
        id=response_id,
        case_id=access.case.id,
        party_id=access.party.id,
        share_id=row.id,
        verdict=Verdict(data.verdict),
        sealed_comment=cipher.seal(comment, "party-response", response_id) if comment else None,
        responded_at=_now(),
    )
    session.add(response)
    await session.flush()
    await audit.record(
        session, access.tenant.id, access.actor, "party.responded", "document", row.document_id, verdict=data.verdict
    )
    return response


async def responses_to(
    session: AsyncSession, keyring: Keyring, tenant: Tenant, case_id: uuid.UUID, share_id: uuid.UUID
) -> list[tuple[PartyResponse, str]]:
    """The answers to a shared record, opened, for the case's handlers (only an answered record counts)."""
    of, order = PartyResponse.share_id == share_id, PartyResponse.responded_at
    return await _opened(
        session, keyring, tenant, case_id, PartyResponse, of, order, lambda row: row.sealed_comment, "party-response"
    )


async def set_companion(session: AsyncSession, keyring: Keyring, access: PartyAccess, data: CompanionIn) -> None:
    """The party says who accompanies them (sealed); empty: nobody."""
    cipher = await case_cipher(session, keyring, access.tenant.id, access.case.id)
    text = data.companion.strip()
    access.party.sealed_companion = cipher.seal(text, "party-companion", access.party.id) if text else None
    await audit.record(
        session, access.tenant.id, access.actor, "party.companion", "case", access.case.id, named=bool(text)
    )


# ---------------------------------------------------------------- a party's terms


def _end_of(day: date) -> datetime:
    """A term "by <day>" holds through that day."""
    return datetime.combine(day, time.max, tzinfo=UTC)


async def set_term(
    session: AsyncSession,
    keyring: Keyring,
    who: AccountRef,
    tenant: Tenant,
    case_id: uuid.UUID,
    party_id: uuid.UUID,
    data: TermIn,
) -> PartyTerm:
    """The panel asks one party for something by a date (a written reaction, a defence): shown in that party's
    portal and a deadline of the case (``party_term``, the party as subject, the decision maker responsible)."""
    case = await _case_of(session, tenant, case_id)
    if case.status in ENDED:
        raise PartyRefused("case-ended")
    await _party(session, tenant, case_id, party_id)
    ask = data.ask.strip()
    if not ask:
        raise PartyRefused("term-ask-missing")
    if data.due_on < date.today():
        raise PartyRefused("term-past")
    deadline = intake.add_deadline(
        session, case, DeadlineKind.PARTY_TERM, _end_of(data.due_on), "decision_maker", party_id
    )
    term_id = uuid.uuid4()
    cipher = await case_cipher(session, keyring, tenant.id, case_id)
    term = PartyTerm(
        tenant_id=tenant.id,
        id=term_id,
        case_id=case_id,
        party_id=party_id,
        deadline_id=deadline.id,
        sealed_ask=cipher.seal(ask, "party-term", term_id),
        due_on=data.due_on,
        set_by_tenant_id=who.tenant_id,
        set_by_id=who.id,
        set_at=_now(),
    )
    session.add(term)
    await session.flush()
    await _audited(session, tenant, who, "party.term_set", "case", case_id, party=party_id, due_on=str(data.due_on))
    return term


async def _open_term(session: AsyncSession, tenant: Tenant, case_id: uuid.UUID, term_id: uuid.UUID) -> PartyTerm:
    term = (
        await session.execute(
            select(PartyTerm)
            .where(PartyTerm.tenant_id == tenant.id, PartyTerm.case_id == case_id, PartyTerm.id == term_id)
            .with_for_update()
        )
    ).scalar()
    if term is None:
        raise PartyNotFound()
    if term.met_at is not None:
        raise PartyRefused("term-met")
    return term


async def _meet(session: AsyncSession, term: PartyTerm, by_party: bool) -> None:
    term.met_at, term.met_by_party = _now(), by_party
    deadline = await session.get(Deadline, (term.tenant_id, term.deadline_id))
    if deadline is not None and deadline.met_at is None:
        deadline.met_at = term.met_at


async def meet_term(
    session: AsyncSession, who: AccountRef, tenant: Tenant, case_id: uuid.UUID, term_id: uuid.UUID
) -> PartyTerm:
    """The panel marks a party's term met (the party answered another way, or it is no longer needed)."""
    term = await _open_term(session, tenant, case_id, term_id)
    await _meet(session, term, by_party=False)
    await _audited(session, tenant, who, "party.term_met", "case", case_id, party=term.party_id)
    return term


async def answer_term(
    session: AsyncSession,
    keyring: Keyring,
    store: ObjectStore,
    access: PartyAccess,
    term_id: uuid.UUID,
    text: str,
    files: Sequence[Checked] = (),
) -> PartyMessage | None:
    """The party answers one of their own terms: the answer is a reply in their thread (text, files or both),
    and the term and its deadline are met."""
    term = await _open_term(session, access.tenant, access.case.id, term_id)
    if term.party_id != access.party.id:
        raise PartyNotFound()  # another party's term does not exist for this one
    message = await reply(session, keyring, store, access, text, files)
    await _meet(session, term, by_party=True)
    await audit.record(session, access.tenant.id, access.actor, "party.term_answered", "case", access.case.id)
    return message


async def party_terms(
    session: AsyncSession, keyring: Keyring, tenant: Tenant, case_id: uuid.UUID, party_id: uuid.UUID
) -> list[tuple[PartyTerm, str]]:
    """One party's terms, what is asked opened, by date."""
    of, order = PartyTerm.party_id == party_id, PartyTerm.due_on
    return await _opened(
        session, keyring, tenant, case_id, PartyTerm, of, order, lambda row: row.sealed_ask, "party-term"
    )


# ---------------------------------------------------------------- the pattern: cases about the same accused


async def same_accused(session: AsyncSession, tenant: Tenant, case_id: uuid.UUID) -> list[uuid.UUID]:
    """The tenant's other cases with an accused of the same name (by the keyed index), not yet linked."""
    await _case_of(session, tenant, case_id)
    mine = select(CaseParty.name_index).where(
        CaseParty.tenant_id == tenant.id,
        CaseParty.case_id == case_id,
        CaseParty.role == PartyRole.ACCUSED,
        CaseParty.removed_at.is_(None),
        CaseParty.name_index.is_not(None),
    )
    linked = select(CaseLink.linked_case_id).where(CaseLink.tenant_id == tenant.id, CaseLink.case_id == case_id)
    rows = await session.execute(
        select(CaseParty.case_id)
        .where(
            CaseParty.tenant_id == tenant.id,
            CaseParty.case_id != case_id,
            CaseParty.removed_at.is_(None),
            CaseParty.name_index.in_(mine),
            CaseParty.case_id.not_in(linked),
        )
        .distinct()
    )
    return sorted(rows.scalars().all())


async def link_cases(
    session: AsyncSession, who: AccountRef, tenant: Tenant, case_id: uuid.UUID, other_id: uuid.UUID
) -> None:
    """Link two cases of the tenant (both directions), so that each shows the other."""
    if case_id == other_id:
        raise PartyRefused("link-itself")
    await _case_of(session, tenant, case_id)
    await _case_of(session, tenant, other_id)
    if other_id in await linked_cases(session, tenant, case_id):
        return
    for one, other in ((case_id, other_id), (other_id, case_id)):
        session.add(
            CaseLink(
                tenant_id=tenant.id,
                id=uuid.uuid4(),
                case_id=one,
                linked_case_id=other,
                linked_by_tenant_id=who.tenant_id,
                linked_by_id=who.id,
            )
        )
    await session.flush()
    await _audited(session, tenant, who, "case.linked", "case", case_id, other=other_id)


async def linked_cases(session: AsyncSession, tenant: Tenant, case_id: uuid.UUID) -> list[uuid.UUID]:
    rows = await session.execute(
        select(CaseLink.linked_case_id).where(CaseLink.tenant_id == tenant.id, CaseLink.case_id == case_id)
    )
    return sorted(rows.scalars().all())


# ---------------------------------------------------------------- the portal as the party sees it


@dataclass(frozen=True)
class SharedItem:
    share: PartyShare
    meta: DocumentMeta
    answer: Verdict | None  # the party's answer to a record shared for approval


@dataclass(frozen=True)
class PartyDeadline:
    """A term that concerns the party: answering a record shared with a term (``share_id``), or what the panel
    asked of them by a date (``term_id``)."""

    share_id: uuid.UUID | None
    title: str
    respond_by: date
    answered: bool
    term_id: uuid.UUID | None = None


@dataclass(frozen=True)
class PortalView:
    role: PartyRole
    items: list[SharedItem]
    messages: list[tuple[PartyMessage, str]]
    deadlines: list[PartyDeadline]
    companion: str

    @property
    def thread(self) -> list[tuple[bool, str, datetime]]:
        """The messages as the portal shows them: whether the party wrote it, what, and when."""
        return [(message.from_party, text, message.created_at) for message, text in self.messages]


async def _answers(session: AsyncSession, access: PartyAccess) -> dict[uuid.UUID, Verdict]:
    rows = await session.execute(
        select(PartyResponse.share_id, PartyResponse.verdict)
        .where(
            PartyResponse.tenant_id == access.tenant.id,
            PartyResponse.case_id == access.case.id,
            PartyResponse.party_id == access.party.id,
        )
        .order_by(PartyResponse.responded_at)
    )
    return {share_id: Verdict(verdict) for share_id, verdict in rows.all()}


async def portal_view(session: AsyncSession, keyring: Keyring, access: PartyAccess) -> PortalView:
    """Exactly what is shared with this party, their thread and their terms; the view is audited with the
    party as actor (no address, no user agent)."""
    shares = await shares_for(session, access)
    documents = {
        d.id: d
        for d in (
            await session.execute(
                select(Document).where(
                    Document.tenant_id == access.tenant.id, Document.id.in_([s.document_id for s in shares])
                )
            )
        ).scalars()
    }
    answers = await _answers(session, access)
    items = [
        SharedItem(s, await document_meta(session, keyring, documents[s.document_id]), answers.get(s.id))
        for s in shares
        if s.document_id in documents
    ]
    deadlines = [
        PartyDeadline(i.share.id, i.meta.title or i.meta.filename, i.share.respond_by, i.answer is not None)
        for i in items
        if i.share.respond_by is not None
    ] + [
        PartyDeadline(None, ask, term.due_on, term.met_at is not None, term.id)
        for term, ask in await party_terms(session, keyring, access.tenant, access.case.id, access.party.id)
    ]
    cipher = await case_cipher(session, keyring, access.tenant.id, access.case.id)
    await audit.record(session, access.tenant.id, access.actor, "party.viewed", "case", access.case.id)
    return PortalView(
        role=PartyRole(access.party.role),
        items=items,
        messages=await messages_of(session, keyring, access.tenant, access.case.id, access.party.id),
        deadlines=sorted(deadlines, key=lambda d: d.respond_by),
        companion=cipher.open(access.party.sealed_companion, "party-companion", access.party.id) or "",
    )


async def open_shared(
    session: AsyncSession, keyring: Keyring, store: ObjectStore, access: PartyAccess, document_id: uuid.UUID
) -> OpenedDocument:
    """A document shared with this party, to read or download (audited as the party's read)."""
    await share_for(session, access, document_id)
    return await open_document(session, keyring, store, access.actor, access.tenant.id, document_id)

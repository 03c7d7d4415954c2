"""Tables of the party portal. Who a party is (name, how to reach them, who accompanies them) is sealed with
the case key; what the portal needs to decide access (role, dates, hashes) is plain. No table holds an
address, a user agent or any other request metadata."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKeyConstraint, LargeBinary, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from meldpunt.db.base import Base, TenantScoped


class PartyRole(enum.StrEnum):
    """A party's role on a case (seed-000 H6; the glossary of DESIGN §2)."""

    ACCUSED = "accused"
    WITNESS = "witness"
    AFFECTED = "affected"
    EXTERNAL_COMPLAINANT = "external_complainant"
    COMPANION = "companion"  # accompanies another party (a confidant, an adviser, a lawyer)


class Verdict(enum.StrEnum):
    """A party's answer to a record shared for approval."""

    APPROVED = "approved"
    COMMENTED = "commented"


def _of_case() -> ForeignKeyConstraint:
    return ForeignKeyConstraint(["tenant_id", "case_id"], ["cases.tenant_id", "cases.id"])


def _of_party() -> ForeignKeyConstraint:
    return ForeignKeyConstraint(["tenant_id", "party_id"], ["case_parties.tenant_id", "case_parties.id"])


class CaseParty(TenantScoped, Base):
    """Someone the case is about or who takes part in it, added by the panel (or later the committee)."""

    __tablename__ = "case_parties"
    __table_args__ = (
        _of_case(),
        ForeignKeyConstraint(["tenant_id", "accompanies_id"], ["case_parties.tenant_id", "case_parties.id"]),
    )

    case_id: Mapped[uuid.UUID]
    role: Mapped[PartyRole] = mapped_column(String(24))
    accompanies_id: Mapped[uuid.UUID | None]  # the party a companion accompanies
    sealed_name: Mapped[bytes] = mapped_column(LargeBinary)
    sealed_contact: Mapped[bytes | None] = mapped_column(LargeBinary)
    sealed_companion: Mapped[bytes | None] = mapped_column(LargeBinary)  # who accompanies them, as they say
    name_index: Mapped[bytes | None] = mapped_column(LargeBinary(32))  # keyed hash of an accused's name
    added_by_tenant_id: Mapped[uuid.UUID]
    added_by_id: Mapped[uuid.UUID]
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    removed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class PartyInvitation(TenantScoped, Base):
    """A way in for one party: the link's token and the one-time code, both only as hashes. The code is
    spent on first use and a portal key (shown once) opens the portal from then on; a re-invitation revokes
    the earlier one. Access ends on revocation and when the case is closed."""

    __tablename__ = "party_invitations"
    __table_args__ = (
        _of_case(),
        _of_party(),
        UniqueConstraint("tenant_id", "token_hash"),
        ForeignKeyConstraint(["bound_account_tenant_id", "bound_account_id"], ["accounts.tenant_id", "accounts.id"]),
    )

    case_id: Mapped[uuid.UUID]
    party_id: Mapped[uuid.UUID]
    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    code_hash: Mapped[str] = mapped_column(String(128))
    key_hash: Mapped[str | None] = mapped_column(String(128))
    created_by_tenant_id: Mapped[uuid.UUID]
    created_by_id: Mapped[uuid.UUID]
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    activated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # A staff party who signed in (OIDC) and spent the one-time code while signed in: that account opens
    # this invitation's portal from then on, with the link and without the key (docs/party-portal.md).
    bound_account_tenant_id: Mapped[uuid.UUID | None]
    bound_account_id: Mapped[uuid.UUID | None]
    bound_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class PartyShare(TenantScoped, Base):
    """The visibility of a document: shared with every party of a role on the case, or with one party, and
    perhaps for that party's approval. A document without a share is seen by no party."""

    __tablename__ = "party_shares"
    __table_args__ = (
        _of_case(),
        ForeignKeyConstraint(["tenant_id", "document_id"], ["documents.tenant_id", "documents.id"]),
        _of_party(),
    )

    case_id: Mapped[uuid.UUID]
    document_id: Mapped[uuid.UUID]
    party_role: Mapped[PartyRole | None] = mapped_column(String(24))
    party_id: Mapped[uuid.UUID | None]
    for_approval: Mapped[bool] = mapped_column(Boolean, default=False)
    respond_by: Mapped[date | None] = mapped_column(Date)  # the party's term to approve, comment or react
    shows_reporter: Mapped[bool] = mapped_column(Boolean, default=False)  # only with the reporter's agreement
    shared_by_tenant_id: Mapped[uuid.UUID | None]  # none for the party's own files
    shared_by_id: Mapped[uuid.UUID | None]
    shared_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class PartyMessage(TenantScoped, Base):
    """One message in the thread between one party and the case's handlers; files are documents of the case
    shared with that party."""

    __tablename__ = "party_messages"
    __table_args__ = (_of_case(), _of_party())

    case_id: Mapped[uuid.UUID]
    party_id: Mapped[uuid.UUID]
    from_party: Mapped[bool] = mapped_column(Boolean)
    author_tenant_id: Mapped[uuid.UUID | None]  # the professional who wrote it, when not the party
    author_id: Mapped[uuid.UUID | None]
    sealed_body: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class PartyResponse(TenantScoped, Base):
    """A party's answer to a record shared for approval: approved, or a comment (sealed). Only an answered
    record counts (seed-000 H6 Stap 3)."""

    __tablename__ = "party_responses"
    __table_args__ = (
        _of_case(),
        _of_party(),
        ForeignKeyConstraint(["tenant_id", "share_id"], ["party_shares.tenant_id", "party_shares.id"]),
    )

    case_id: Mapped[uuid.UUID]
    party_id: Mapped[uuid.UUID]
    share_id: Mapped[uuid.UUID]
    verdict: Mapped[Verdict] = mapped_column(String(16))
    sealed_comment: Mapped[bytes | None] = mapped_column(LargeBinary)
    responded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class CaseLink(TenantScoped, Base):
    """Two cases the panel linked because they are about the same named accused (seed-000 H6 Stap 1: "andere
    meldingen of signalen over de beschuldigde"). Stored once per direction so each case finds its links."""

    __tablename__ = "case_links"
    __table_args__ = (
        _of_case(),
        ForeignKeyConstraint(["tenant_id", "linked_case_id"], ["cases.tenant_id", "cases.id"]),
    )

    case_id: Mapped[uuid.UUID]
    linked_case_id: Mapped[uuid.UUID]
    linked_by_tenant_id: Mapped[uuid.UUID]
    linked_by_id: Mapped[uuid.UUID]
    linked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ReporterAgreement(TenantScoped, Base):
    """The reporter's agreement that the parties of the case may learn who reported (DESIGN §6: never the
    reporter's identity unless the reporter agreed). Given and withdrawn by the reporter in the inbox."""

    __tablename__ = "reporter_agreements"
    __table_args__ = (_of_case(),)

    case_id: Mapped[uuid.UUID]
    agreed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class PartyTerm(TenantScoped, Base):
    """A term the panel sets for one party: what is asked (sealed, e.g. a written reaction) and by when. It is
    a deadline of the case (``party_term``, the party as subject), met when the party answers it in the
    portal or when the panel marks it met."""

    __tablename__ = "party_terms"
    __table_args__ = (
        _of_case(),
        _of_party(),
        ForeignKeyConstraint(["tenant_id", "deadline_id"], ["deadlines.tenant_id", "deadlines.id"]),
    )

    case_id: Mapped[uuid.UUID]
    party_id: Mapped[uuid.UUID]
    deadline_id: Mapped[uuid.UUID]
    sealed_ask: Mapped[bytes] = mapped_column(LargeBinary)
    due_on: Mapped[date] = mapped_column(Date)
    set_by_tenant_id: Mapped[uuid.UUID]
    set_by_id: Mapped[uuid.UUID]
    set_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    met_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    met_by_party: Mapped[bool | None] = mapped_column(Boolean)  # answered by the party, or marked by the panel

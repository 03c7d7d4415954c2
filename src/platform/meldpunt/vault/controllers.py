"""The adviser's vault as JSON (``/api/v1/vault`` and ``/api/v1/t/{tenant}/vault/…``), and the signals the
organisation receives (``/api/v1/t/{tenant}/signals``). Only an adviser works in a vault, and only in
their own; everything is audited."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from litestar import get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from meldpunt.dossiers.keys import Keyring
from meldpunt.identity import services as identity
from meldpunt.identity.policy import Actor
from meldpunt.identity.roles import Action
from meldpunt.intake.schemas import SubmissionIn
from meldpunt.intake.services import format_receipt
from meldpunt.vault import services
from meldpunt.vault.models import ConsentRecord, ConsultationContact, Disclosure
from meldpunt.vault.schemas import (
    ConsentIn,
    ConsentOut,
    ConsultationDetailOut,
    ConsultationIn,
    ConsultationOut,
    ContactCountsOut,
    ContactIn,
    ContactOut,
    DisclosureIn,
    DisclosureOut,
    DraftOut,
    SignalIn,
    SignalOut,
    VaultTenantOut,
)
from meldpunt.vault.services import ReceivedSignal

# The year of an annual report: no contact predates the platform, and a calendar date ends at 9999.
FIRST_YEAR, LAST_YEAR = 2000, 9999


async def adviser_in(db: AsyncSession, actor: Actor, slug: str) -> services.Adviser:
    """The actor as adviser of ``slug`` (Forbidden otherwise), with the session in their own vault."""
    tenant = await identity.tenant_acting_in(db, actor, Action.VAULT_USE, slug)
    adviser = services.Adviser(actor.account_tenant_id, actor.account_id, tenant)
    await services.enter_vault(db, adviser)
    return adviser


def consultation_out(view: services.ConsultationView) -> ConsultationOut:
    c = view.consultation
    return ConsultationOut(
        c.id, view.label, c.category, c.reporter_role, c.status, c.opened_on, c.closed_on, view.contacts
    )


def contact_out(c: ConsultationContact, note: str | None) -> ContactOut:
    return ContactOut(c.id, c.held_on, c.channel, c.minutes, note)


def consent_out(c: ConsentRecord, note: str | None) -> ConsentOut:
    return ConsentOut(c.id, c.basis, c.recipient, list(c.scopes), c.given_on, c.valid_until, c.withdrawn_on, note)


def disclosure_out(d: Disclosure, content: str) -> DisclosureOut:
    return DisclosureOut(d.id, d.consent_id, d.recipient, d.scope, d.disclosed_on, content)


def signal_out(received: ReceivedSignal) -> SignalOut:
    s = received.signal
    return SignalOut(s.id, s.month, s.category, s.setting, s.accused_role, received.attributes, list(s.suggestions))


@get("/api/v1/vault", operation_id="ListVaults", tags=["adviser"])
async def list_vaults(db: NamedDependency[AsyncSession], actor: NamedDependency[Actor]) -> list[VaultTenantOut]:
    """One inbox across the employers that hired this adviser: per organisation, the open consultations."""
    tenants = await identity.tenants_where(db, actor, Action.VAULT_USE)
    counts = await services.open_consultation_counts(db, actor.account_id, tenants)
    return [VaultTenantOut(t.slug, t.display_name, counts[t.id]) for t in tenants]


@get("/api/v1/t/{tenant:str}/vault/consultations", operation_id="ListConsultations", tags=["adviser"])
async def list_consultations(
    db: NamedDependency[AsyncSession],
    keyring: NamedDependency[Keyring],
    actor: NamedDependency[Actor],
    tenant: FromPath[str],
) -> list[ConsultationOut]:
    adviser = await adviser_in(db, actor, tenant)
    return [consultation_out(view) for view in await services.list_consultations(db, keyring, adviser)]


@post("/api/v1/t/{tenant:str}/vault/consultations", operation_id="OpenConsultation", tags=["adviser"], status_code=201)
async def open_consultation(
    db: NamedDependency[AsyncSession],
    keyring: NamedDependency[Keyring],
    actor: NamedDependency[Actor],
    tenant: FromPath[str],
    data: JSONBody[ConsultationIn],
) -> ConsultationOut:
    """Start a consultation in the adviser's vault. It never becomes a report by itself."""
    adviser = await adviser_in(db, actor, tenant)
    consultation = await services.open_consultation(db, keyring, adviser, data)
    return consultation_out(services.ConsultationView(consultation, data.label, 0))


@get(
    "/api/v1/t/{tenant:str}/vault/consultations/{consultation_id:uuid}",
    operation_id="ReadConsultation",
    tags=["adviser"],
)
async def read_consultation(
    db: NamedDependency[AsyncSession],
    keyring: NamedDependency[Keyring],
    actor: NamedDependency[Actor],
    tenant: FromPath[str],
    consultation_id: FromPath[uuid.UUID],
) -> ConsultationDetailOut:
    """The consultation with its contacts, the consent ledger and what left the vault (audited)."""
    adviser = await adviser_in(db, actor, tenant)
    detail = await services.read_consultation(db, keyring, adviser, consultation_id)
    return ConsultationDetailOut(
        consultation_out(detail.view),
        [contact_out(c, note) for c, note in detail.contacts],
        [consent_out(c, note) for c, note in detail.consents],
        [disclosure_out(d, text) for d, text in detail.disclosures],
    )


@post(
    "/api/v1/t/{tenant:str}/vault/consultations/{consultation_id:uuid}/contacts",
    operation_id="RecordContact",
    tags=["adviser"],
    status_code=201,
)
async def record_contact(
    db: NamedDependency[AsyncSession],
    keyring: NamedDependency[Keyring],
    actor: NamedDependency[Actor],
    tenant: FromPath[str],
    consultation_id: FromPath[uuid.UUID],
    data: JSONBody[ContactIn],
) -> ContactOut:
    """A conversation with the person, with the adviser's note (encrypted); counted for the annual report."""
    adviser = await adviser_in(db, actor, tenant)
    contact = await services.record_contact(db, keyring, adviser, consultation_id, data)
    return contact_out(contact, data.note)


@post(
    "/api/v1/t/{tenant:str}/vault/consultations/{consultation_id:uuid}/consents",
    operation_id="RecordConsent",
    tags=["adviser"],
    status_code=201,
)
async def record_consent(
    db: NamedDependency[AsyncSession],
    keyring: NamedDependency[Keyring],
    actor: NamedDependency[Actor],
    tenant: FromPath[str],
    consultation_id: FromPath[uuid.UUID],
    data: JSONBody[ConsentIn],
) -> ConsentOut:
    """An entry in the consent ledger: what may leave the vault, to whom, from when (or the legal duty)."""
    adviser = await adviser_in(db, actor, tenant)
    c = await services.record_consent(db, keyring, adviser, consultation_id, data)
    return consent_out(c, data.note)


@post(
    "/api/v1/t/{tenant:str}/vault/consultations/{consultation_id:uuid}/consents/{consent_id:uuid}/withdrawal",
    operation_id="WithdrawConsent",
    tags=["adviser"],
    status_code=204,
)
async def withdraw_consent(
    db: NamedDependency[AsyncSession],
    actor: NamedDependency[Actor],
    tenant: FromPath[str],
    consultation_id: FromPath[uuid.UUID],
    consent_id: FromPath[uuid.UUID],
) -> None:
    """The reporter takes a consent back; nothing more leaves under it."""
    adviser = await adviser_in(db, actor, tenant)
    await services.withdraw_consent(db, adviser, consultation_id, consent_id)


@post(
    "/api/v1/t/{tenant:str}/vault/consultations/{consultation_id:uuid}/disclosures",
    operation_id="Disclose",
    tags=["adviser"],
    status_code=201,
)
async def disclose(
    db: NamedDependency[AsyncSession],
    keyring: NamedDependency[Keyring],
    actor: NamedDependency[Actor],
    tenant: FromPath[str],
    consultation_id: FromPath[uuid.UUID],
    data: JSONBody[DisclosureIn],
) -> DisclosureOut:
    """Record what leaves the vault; refused (403) unless a consent entry or legal basis covers it."""
    adviser = await adviser_in(db, actor, tenant)
    d = await services.disclose(db, keyring, adviser, consultation_id, data)
    return disclosure_out(d, data.content)


@post(
    "/api/v1/t/{tenant:str}/vault/consultations/{consultation_id:uuid}/closure",
    operation_id="CloseConsultation",
    tags=["adviser"],
    status_code=204,
)
async def close_consultation(
    db: NamedDependency[AsyncSession],
    actor: NamedDependency[Actor],
    tenant: FromPath[str],
    consultation_id: FromPath[uuid.UUID],
) -> None:
    adviser = await adviser_in(db, actor, tenant)
    await services.close_consultation(db, adviser, consultation_id)


@post("/api/v1/t/{tenant:str}/vault/signals", operation_id="SendAdviserSignal", tags=["adviser"], status_code=201)
async def send_signal(
    db: NamedDependency[AsyncSession],
    keyring: NamedDependency[Keyring],
    actor: NamedDependency[Actor],
    tenant: FromPath[str],
    data: JSONBody[SignalIn],
) -> SignalOut:
    """An anonymised signal to the organisation: closed lists only, no names, no link to a consultation."""
    adviser = await adviser_in(db, actor, tenant)
    return signal_out(await services.send_signal(db, keyring, adviser, data))


@post("/api/v1/t/{tenant:str}/vault/drafts", operation_id="PrepareReport", tags=["adviser"], status_code=201)
async def prepare_draft(
    db: NamedDependency[AsyncSession],
    keyring: NamedDependency[Keyring],
    actor: NamedDependency[Actor],
    tenant: FromPath[str],
    data: JSONBody[SubmissionIn],
) -> DraftOut:
    """Prepare a report with the reporter. The answer's code (shown once) is for the reporter, who opens the
    draft at the reporting point, changes what they like and sends it themselves."""
    adviser = await adviser_in(db, actor, tenant)
    code, expires_at = await services.prepare_draft(db, keyring, adviser, data)
    return DraftOut(format_receipt(code), expires_at.date())


@get("/api/v1/t/{tenant:str}/vault/counts", operation_id="AdviserContactCounts", tags=["adviser"])
async def contact_counts(
    db: NamedDependency[AsyncSession],
    actor: NamedDependency[Actor],
    tenant: FromPath[str],
    year: Annotated[int | None, QueryParameter(ge=FIRST_YEAR, le=LAST_YEAR)] = None,
) -> ContactCountsOut:
    """The adviser's contacts in this organisation in a year, for the annual report (numbers only)."""
    adviser = await adviser_in(db, actor, tenant)
    chosen = date.today().year if year is None else year
    counts = await services.contact_counts(db, adviser, chosen)
    return ContactCountsOut(chosen, **counts)  # type: ignore[arg-type]


@get("/api/v1/t/{tenant:str}/signals", operation_id="ListAdviserSignals", tags=["reporting point"])
async def list_signals(
    db: NamedDependency[AsyncSession],
    keyring: NamedDependency[Keyring],
    actor: NamedDependency[Actor],
    tenant: FromPath[str],
) -> list[SignalOut]:
    """The anonymised signals that advisers sent to this organisation."""
    found = await identity.tenant_acting_in(db, actor, Action.SIGNALS_READ, tenant)
    return [signal_out(s) for s in await services.list_signals(db, keyring, found)]


ROUTES = (
    list_vaults,
    list_consultations,
    open_consultation,
    read_consultation,
    record_contact,
    record_consent,
    withdraw_consent,
    disclose,
    close_consultation,
    send_signal,
    prepare_draft,
    contact_counts,
    list_signals,
)

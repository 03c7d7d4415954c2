"""The adviser's vault as JSON (``/api/v1/vault`` and ``/api/v1/t/{tenant}/vault/…``), and the signals the
organisation receives (``/api/v1/t/{tenant}/signals``). Only an adviser works in a vault, and only in
their own; everything is audited."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, NamedTuple

from litestar import Controller, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from meldpunt.db.rows import from_row
from meldpunt.dossiers.keys import Keyring
from meldpunt.identity.policy import Actor
from meldpunt.identity.roles import Action
from meldpunt.intake.schemas import SubmissionIn
from meldpunt.intake.services import format_receipt
from meldpunt.tenancy.models import Tenant
from meldpunt.vault import services
from meldpunt.vault.dependencies import provide_adviser, provide_employers
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
from meldpunt.vault.services import Adviser, ReceivedSignal

CONSULTATION = "/consultations/{consultation_id:uuid}"
# The year of an annual report: no contact predates the platform, and a calendar date ends at 9999.
FIRST_YEAR, LAST_YEAR = 2000, 9999


def consultation_out(view: services.ConsultationView) -> ConsultationOut:
    return from_row(ConsultationOut, view.consultation, label=view.label, contacts=view.contacts)


def contact_out(c: ConsultationContact, note: str | None) -> ContactOut:
    return ContactOut(id=c.id, held_on=c.held_on, channel=c.channel, minutes=c.minutes, note=note)


def consent_out(c: ConsentRecord, note: str | None) -> ConsentOut:
    return from_row(ConsentOut, c, scopes=list(c.scopes), note=note)


def disclosure_out(d: Disclosure, content: str) -> DisclosureOut:
    return from_row(DisclosureOut, d, content=content)


def signal_out(received: ReceivedSignal) -> SignalOut:
    s = received.signal
    return from_row(SignalOut, s, attributes=received.attributes, suggestions=list(s.suggestions))


def detail_out(detail: services.ConsultationDetail) -> ConsultationDetailOut:
    return ConsultationDetailOut(
        consultation=consultation_out(detail.view),
        contacts=[contact_out(c, note) for c, note in detail.contacts],
        consents=[consent_out(c, note) for c, note in detail.consents],
        disclosures=[disclosure_out(d, text) for d, text in detail.disclosures],
    )


class AdviserInboxController(Controller):
    """Across tenants: the employers that hired this adviser."""

    path = "/api/v1/vault"
    tags = ("adviser",)
    dependencies = {"employers": Provide(provide_employers)}  # noqa: RUF012 (Litestar reads it off the class)

    @get(operation_id="ListVaults", action=Action.VAULT_USE)
    async def list_vaults(
        self, db: NamedDependency[AsyncSession], actor: NamedDependency[Actor], employers: NamedDependency[list[Tenant]]
    ) -> list[VaultTenantOut]:
        """One inbox across the employers that hired this adviser: per organisation, the open consultations."""
        return [
            VaultTenantOut(
                tenant=v.tenant.slug, display_name=v.tenant.display_name, open_consultations=v.open_consultations
            )
            for v in await services.vaults_of(db, actor.account_id, employers)
        ]


class InVault(NamedTuple):
    """An adviser in their own vault, with the session and the keys: what the vault's services take first."""

    db: AsyncSession
    keyring: Keyring
    adviser: Adviser


def provide_in_vault(
    db: NamedDependency[AsyncSession], keyring: NamedDependency[Keyring], adviser: NamedDependency[Adviser]
) -> InVault:
    return InVault(db, keyring, adviser)


class VaultController(Controller):
    """One adviser's vault in one organisation; every route resolves the adviser in their own vault."""

    path = "/api/v1/t/{tenant:str}/vault"
    tags = ("adviser",)
    dependencies = {"adviser": Provide(provide_adviser), "vault": Provide(provide_in_vault, sync_to_thread=False)}  # noqa: RUF012 (Litestar reads it off the class)

    @get("/consultations", operation_id="ListConsultations", action=Action.VAULT_USE)
    async def list_consultations(self, vault: NamedDependency[InVault]) -> list[ConsultationOut]:
        return [consultation_out(view) for view in await services.list_consultations(*vault)]

    @post("/consultations", operation_id="OpenConsultation", status_code=201, action=Action.VAULT_USE)
    async def open_consultation(
        self,
        vault: NamedDependency[InVault],
        data: JSONBody[ConsultationIn],
    ) -> ConsultationOut:
        """Start a consultation in the adviser's vault. It never becomes a report by itself."""
        consultation = await services.open_consultation(*vault, data)
        return consultation_out(services.ConsultationView(consultation, data.label, 0))

    @get(CONSULTATION, operation_id="ReadConsultation", action=Action.VAULT_USE)
    async def read_consultation(
        self,
        vault: NamedDependency[InVault],
        consultation_id: FromPath[uuid.UUID],
    ) -> ConsultationDetailOut:
        """The consultation with its contacts, the consent ledger and what left the vault (audited)."""
        return detail_out(await services.read_consultation(*vault, consultation_id))

    @post(f"{CONSULTATION}/contacts", operation_id="RecordContact", status_code=201, action=Action.VAULT_USE)
    async def record_contact(
        self, vault: NamedDependency[InVault], consultation_id: FromPath[uuid.UUID], data: JSONBody[ContactIn]
    ) -> ContactOut:
        """A conversation with the person, with the adviser's note (encrypted); counted for the annual report."""
        return contact_out(await services.record_contact(*vault, consultation_id, data), data.note)

    @post(f"{CONSULTATION}/consents", operation_id="RecordConsent", status_code=201, action=Action.VAULT_USE)
    async def record_consent(
        self, vault: NamedDependency[InVault], consultation_id: FromPath[uuid.UUID], data: JSONBody[ConsentIn]
    ) -> ConsentOut:
        """An entry in the consent ledger: what may leave the vault, to whom, from when (or the legal duty)."""
        return consent_out(await services.record_consent(*vault, consultation_id, data), data.note)

    @post(
        f"{CONSULTATION}/consents/{{consent_id:uuid}}/withdrawal",
        operation_id="WithdrawConsent",
        status_code=204,
        action=Action.VAULT_USE,
    )
    async def withdraw_consent(
        self,
        vault: NamedDependency[InVault],
        consultation_id: FromPath[uuid.UUID],
        consent_id: FromPath[uuid.UUID],
    ) -> None:
        """The reporter takes a consent back; nothing more leaves under it."""
        await services.withdraw_consent(vault.db, vault.adviser, consultation_id, consent_id)

    @post(f"{CONSULTATION}/disclosures", operation_id="Disclose", status_code=201, action=Action.VAULT_USE)
    async def disclose(
        self, vault: NamedDependency[InVault], consultation_id: FromPath[uuid.UUID], data: JSONBody[DisclosureIn]
    ) -> DisclosureOut:
        """Record what leaves the vault; refused (403) unless a consent entry or legal basis covers it."""
        return disclosure_out(await services.disclose(*vault, consultation_id, data), data.content)

    @post(f"{CONSULTATION}/closure", operation_id="CloseConsultation", status_code=204, action=Action.VAULT_USE)
    async def close_consultation(self, vault: NamedDependency[InVault], consultation_id: FromPath[uuid.UUID]) -> None:
        await services.close_consultation(vault.db, vault.adviser, consultation_id)

    @post("/signals", operation_id="SendAdviserSignal", status_code=201, action=Action.VAULT_USE)
    async def send_signal(
        self,
        vault: NamedDependency[InVault],
        data: JSONBody[SignalIn],
    ) -> SignalOut:
        """An anonymised signal to the organisation: closed lists only, no names, no link to a consultation."""
        return signal_out(await services.send_signal(*vault, data))

    @post("/drafts", operation_id="PrepareReport", status_code=201, action=Action.VAULT_USE)
    async def prepare_draft(
        self,
        vault: NamedDependency[InVault],
        data: JSONBody[SubmissionIn],
    ) -> DraftOut:
        """Prepare a report with the reporter. The answer's code (shown once) is for the reporter, who opens the
        draft at the reporting point, changes what they like and sends it themselves."""
        code, expires_at = await services.prepare_draft(*vault, data)
        return DraftOut(code=format_receipt(code), expires_on=expires_at.date())

    @get("/counts", operation_id="AdviserContactCounts", action=Action.VAULT_USE)
    async def contact_counts(
        self,
        vault: NamedDependency[InVault],
        year: Annotated[int | None, QueryParameter(ge=FIRST_YEAR, le=LAST_YEAR)] = None,
    ) -> ContactCountsOut:
        """The adviser's contacts in this organisation in a year, for the annual report (numbers only)."""
        chosen = date.today().year if year is None else year
        counts = await services.contact_counts(vault.db, vault.adviser, chosen)
        return from_row(ContactCountsOut, counts, year=chosen)


class SignalsController(Controller):
    """What the organisation receives from its advisers."""

    path = "/api/v1/t/{tenant:str}/signals"
    tags = ("reporting point",)

    @get(operation_id="ListAdviserSignals", action=Action.SIGNALS_READ)
    async def list_signals(
        self, db: NamedDependency[AsyncSession], keyring: NamedDependency[Keyring], acting: NamedDependency[Tenant]
    ) -> list[SignalOut]:
        """The anonymised signals that advisers sent to this organisation."""
        return [signal_out(s) for s in await services.list_signals(db, keyring, acting)]


ROUTES = (AdviserInboxController, VaultController, SignalsController)

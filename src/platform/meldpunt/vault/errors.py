"""Refusals of the vault; their words are in the catalogues (Dutch first), shown to advisers."""

from __future__ import annotations

from meldpunt.errors import DomainError, NotFound


class ConsultationNotFound(NotFound, slug="consultation-not-found"): ...


class ConsentNotFound(ConsultationNotFound):
    slug = "consent-not-found"
    message_id = "error.consent-not-found"


class DisclosureRefused(DomainError, status=403, slug="disclosure-refused"): ...


class ConsultationClosed(DomainError, status=409, slug="consultation-closed"): ...


class DraftNotRecognised(DomainError, status=401, slug="draft-not-recognised"): ...

"""Errors of the tenancy module."""

from __future__ import annotations

from meldpunt.errors import NotFound


class TenantNotFound(NotFound):
    slug = "tenant-not-found"
    title = "Onbekend meldpunt"

    def __init__(self, slug: str) -> None:
        super().__init__(f"Er is geen meldpunt met de naam '{slug}'.")


class PolicyDocumentNotFound(NotFound):
    slug = "policy-document-not-found"
    title = "Document niet gevonden"

    def __init__(self) -> None:
        super().__init__("Dit document staat niet (meer) bij dit meldpunt. Kijk op de beginpagina van het meldpunt.")

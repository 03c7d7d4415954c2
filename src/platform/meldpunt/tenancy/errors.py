"""Errors of the tenancy module."""

from __future__ import annotations

from meldpunt.errors import NotFound


class TenantNotFound(NotFound):
    slug = "tenant-not-found"
    title = "Onbekend meldpunt"

    def __init__(self, slug: str) -> None:
        super().__init__(f"Er is geen meldpunt met de naam '{slug}'.")

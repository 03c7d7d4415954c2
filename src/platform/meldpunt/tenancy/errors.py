"""Errors of the tenancy module."""

from __future__ import annotations

from meldpunt.errors import NotFound


class TenantNotFound(NotFound, slug="tenant-not-found"):
    def __init__(self, slug: str) -> None:
        super().__init__(slug=slug)


class PolicyDocumentNotFound(NotFound, slug="policy-document-not-found"): ...

"""The base of every domain error. ``app.py`` maps them to problem+json once; services never import HTTP."""

from __future__ import annotations


class DomainError(Exception):
    """A rule or precondition was not met. ``status`` and ``slug`` shape the problem response."""

    status: int = 400
    slug: str = "bad-request"
    title: str = "Bad request"

    def __init__(self, detail: str) -> None:
        self.detail = detail
        super().__init__(detail)


class NotFound(DomainError):
    """Absent, or not visible to the caller: the two are never distinguished (existence is not leaked)."""

    status = 404
    slug = "not-found"
    title = "Not found"

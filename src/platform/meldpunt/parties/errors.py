"""Refusals of the party portal; their words are in the catalogues. A link, a code or a key that does not open
is refused the same way whether the invitation exists or not, so that a guess learns nothing."""

from __future__ import annotations

from meldpunt.errors import DomainError, NotFound, Refused


class PartyRefused(Refused, status=409, slug="party-refused"): ...


class PartyNotFound(NotFound, slug="party-not-found"): ...


class PortalClosed(DomainError, status=403, slug="portal-closed"):
    """The link and code (or key) do not open a portal: wrong, spent, revoked, or the case has ended."""


class ShareRefused(Refused, status=409, slug="share-refused"): ...


class ResponseRefused(Refused, status=409, slug="response-refused"): ...

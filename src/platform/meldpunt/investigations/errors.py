"""Refusals of the investigations; their words are in the catalogues (Dutch first)."""

from __future__ import annotations

from meldpunt.errors import DomainError, NotFound, Refused


class InvestigationNotFound(NotFound, slug="investigation-not-found"): ...


class InvestigationNotChosen(DomainError, status=409, slug="investigation-not-chosen"): ...


class InvestigationRefused(Refused, status=409, slug="investigation-refused"): ...


class InvestigatorRefused(Refused, status=409, slug="investigator-refused"): ...


class InvestigationMoveRefused(DomainError, status=409, slug="investigation-move-refused"): ...


class NotInvestigator(DomainError, status=403, slug="investigation-not-seated"): ...


class DeclareIndependenceFirst(DomainError, status=403, slug="investigation-declare-first"): ...


# Not the one who controls this investigation on behalf of its commissioner (the committee's chair who commissioned it).
class NotCommissioner(DomainError, status=403, slug="investigation-not-commissioner"): ...

"""Refusals of phase 2; their words are in the catalogues (Dutch first)."""

from __future__ import annotations

from meldpunt.errors import DomainError, NotFound, Refused


class InterventionNotFound(NotFound, slug="intervention-not-found"): ...


class NotChosen(DomainError, status=409, slug="intervention-not-chosen"): ...


class InterventionRefused(Refused, status=409, slug="intervention-refused"): ...


class InterventionSeatRefused(Refused, status=409, slug="intervention-seat-refused"): ...


class MoveRefused(DomainError, status=409, slug="intervention-move-refused"): ...


class NotSeated(DomainError, status=403, slug="intervention-not-seated"): ...


class DeclareFirstHere(DomainError, status=403, slug="intervention-declare-first"): ...

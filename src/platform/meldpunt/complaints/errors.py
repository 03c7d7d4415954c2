"""Refusals of the complaint track; their words are in the catalogues (Dutch first)."""

from __future__ import annotations

from meldpunt.errors import DomainError, NotFound, Refused


# Absent, or not for the caller: a committee member who may not sit learns nothing, not even that it exists.
class ComplaintNotFound(NotFound, slug="complaint-not-found"): ...


class ProcedureInactive(DomainError, status=409, slug="complaint-procedure-inactive"): ...


class ComplaintRefused(Refused, status=409, slug="complaint-refused"): ...


class ComplaintSeatRefused(Refused, status=409, slug="complaint-seat-refused"): ...


class ComplaintMoveRefused(DomainError, status=409, slug="complaint-move-refused"): ...


class ComplaintDeclareFirst(DomainError, status=403, slug="complaint-declare-first"): ...


class NotForThisSeat(DomainError, status=403, slug="complaint-not-for-this-seat"): ...

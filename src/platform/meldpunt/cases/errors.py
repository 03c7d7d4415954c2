"""Refusals of case handling; their words are in the catalogues (Dutch first), shown to professionals."""

from __future__ import annotations

from datetime import date

from meldpunt.errors import DomainError, NotFound, Refused


class RoutingRefused(Refused, status=400, slug="routing-refused"): ...


class NotAPanelCase(DomainError, status=409, slug="not-a-panel-case"): ...


class SeatRefused(Refused, status=409, slug="seat-refused"): ...


class NotOnThePanel(DomainError, status=403, slug="not-on-the-panel"): ...


class DeclareFirst(DomainError, status=403, slug="declare-first"): ...


class AlreadyDeclared(DomainError, status=409, slug="already-declared"): ...


class PanelIncomplete(DomainError, status=409, slug="panel-incomplete"): ...


class ConcernOpen(DomainError, status=409, slug="concern-open"): ...


class ReporterFirst(DomainError, status=409, slug="reporter-first"): ...


class StepRefused(Refused, status=400, slug="step-refused"): ...


class ConcernNotFound(NotFound, slug="concern-not-found"): ...


class DeclareAgain(DomainError, status=403, slug="declare-again"):
    """The case's scope changed after this seat's declaration: nothing of the content until it declares again."""


class RouteStepRefused(Refused, status=409, slug="route-step-refused"): ...


class ReporterCloseRefused(Refused, status=409, slug="reporter-close-refused"): ...


class NoticeKeptBack(DomainError, status=409, slug="notice-kept-back"):
    """An art. 23 deferral still holds: the accused's notice waits until its review date."""

    def __init__(self, review_on: date) -> None:
        super().__init__(review_on=review_on.strftime("%d-%m-%Y"))


class CaseEnded(DomainError, status=409, slug="case-ended"):
    """The case is closed: no phase-1 step is added to it any more (aftercare goes on by its owner)."""

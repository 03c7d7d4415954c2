"""Refusals of case handling; their words are in the catalogues (Dutch first), shown to professionals."""

from __future__ import annotations

from datetime import date

from meldpunt.errors import DomainError, NotFound, Refused


class RoutingRefused(Refused):
    status = 400
    slug = "routing-refused"
    message_id = "error.routing-refused"


class NotAPanelCase(DomainError):
    status = 409
    slug = "not-a-panel-case"
    message_id = "error.not-a-panel-case"


class SeatRefused(Refused):
    status = 409
    slug = "seat-refused"
    message_id = "error.seat-refused"


class NotOnThePanel(DomainError):
    status = 403
    slug = "not-on-the-panel"
    message_id = "error.not-on-the-panel"


class DeclareFirst(DomainError):
    status = 403
    slug = "declare-first"
    message_id = "error.declare-first"


class AlreadyDeclared(DomainError):
    status = 409
    slug = "already-declared"
    message_id = "error.already-declared"


class PanelIncomplete(DomainError):
    status = 409
    slug = "panel-incomplete"
    message_id = "error.panel-incomplete"


class ConcernOpen(DomainError):
    status = 409
    slug = "concern-open"
    message_id = "error.concern-open"


class ReporterFirst(DomainError):
    status = 409
    slug = "reporter-first"
    message_id = "error.reporter-first"


class StepRefused(Refused):
    status = 400
    slug = "step-refused"
    message_id = "error.step-refused"


class ConcernNotFound(NotFound):
    slug = "concern-not-found"
    message_id = "error.concern-not-found"


class NoticeKeptBack(DomainError):
    """An art. 23 deferral still holds: the accused's notice waits until its review date."""

    status = 409
    slug = "notice-kept-back"
    message_id = "error.notice-kept-back"

    def __init__(self, review_on: date) -> None:
        super().__init__(review_on=review_on.strftime("%d-%m-%Y"))
